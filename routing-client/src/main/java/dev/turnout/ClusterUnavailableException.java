package dev.turnout;

import java.util.Objects;
import org.apache.kafka.common.errors.RetriableException;

/**
 * A send refused at once because the circuit breaker of its owner cluster is open: recent sends to that
 * cluster failed (timeouts, non-retriable errors) at or above {@code turnout.breaker.failure.rate.threshold}.
 * Nothing was written to any cluster; the record is never rerouted to another cluster, because only the
 * owner may take it. Retriable: the breaker lets trial sends through after
 * {@code turnout.breaker.open.wait.ms} and closes when they succeed.
 *
 * <p>Like other asynchronous errors, it completes the {@code Future} returned by {@code send} exceptionally
 * and is passed to the callback.
 */
public class ClusterUnavailableException extends RetriableException {

  private static final long serialVersionUID = 1L;

  private final String cluster;

  public ClusterUnavailableException(String cluster, String message) {
    super(message);
    this.cluster = Objects.requireNonNull(cluster, "cluster");
  }

  /** The alias of the owner cluster whose breaker is open. */
  public String cluster() {
    return cluster;
  }
}
