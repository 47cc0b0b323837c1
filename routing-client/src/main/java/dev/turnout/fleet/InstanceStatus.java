package dev.turnout.fleet;

import dev.turnout.status.ClientRole;
import dev.turnout.status.ClientStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The latest status one client instance published to the status topic: who it is, when it published, and
 * its {@link ClientStatus} snapshot (epoch, rules, breakers, barriers, reads, refusals; no secret).
 *
 * @param instanceId the random id of the client instance (the record key), stable for its life
 * @param service the service name ({@code turnout.service.name}, or derived from the client id)
 * @param host the host name the instance runs on, or {@code unknown}
 * @param principals the principal the instance authenticates as on each cluster, by alias: {@code User:<name>}
 *     (a SASL username, or an SSL certificate's subject), {@code SASL/<mechanism>} when the configuration
 *     names no user, {@code ANONYMOUS} without authentication
 * @param publishedAt when the instance published this record
 * @param intervalMs the instance's own publication interval ({@code turnout.status.interval.ms})
 * @param publishFailures status publications of the instance that had failed when it published this one
 * @param status the client's status snapshot
 */
public record InstanceStatus(String instanceId, String service, String host, Map<String, String> principals,
    Instant publishedAt, long intervalMs, long publishFailures, ClientStatus status) {

  /** How many of its own intervals an instance may stay silent before it counts as stale. */
  public static final int STALE_AFTER_INTERVALS = 3;

  public InstanceStatus {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(publishedAt, "publishedAt");
    Objects.requireNonNull(status, "status");
    principals = Map.copyOf(principals);
  }

  /** The instance's {@code client.id}. */
  public String clientId() {
    return status.clientId();
  }

  /** What the instance is: a producer, a consumer or a validation consumer. */
  public ClientRole role() {
    return status.role();
  }

  /** The epoch the instance routes by, -1 before its first map. */
  public long epoch() {
    return status.epoch();
  }

  /** When the instance applied {@link #epoch()}, or {@code null} before its first map. */
  public Instant epochSince() {
    return status.epochSince();
  }

  /**
   * Whether the instance published nothing for {@value #STALE_AFTER_INTERVALS} of its own intervals before
   * {@code now}: it stopped, crashed without its tombstone, or cannot reach the status cluster.
   */
  public boolean staleAt(Instant now) {
    return publishedAt.plus(Duration.ofMillis(STALE_AFTER_INTERVALS * intervalMs)).isBefore(now);
  }
}
