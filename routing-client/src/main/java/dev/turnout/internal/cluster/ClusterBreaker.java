package dev.turnout.internal.cluster;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.InvalidRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker (resilience4j) for the sends to one cluster. Sends ask {@link #tryAcquire()} before they
 * are handed to the cluster's client; their outcomes are recorded when they complete. Failures are
 * timeouts (a record that could not be delivered within {@code delivery.timeout.ms}, or {@code send}
 * blocked for {@code max.block.ms}), authentication failures, and other non-retriable errors that are not
 * the fault of one record or of the transaction (record too large, serialization, authorization,
 * fencing and aborts are ignored). State changes are logged (WARN when opening).
 */
public final class ClusterBreaker {

  private static final Logger log = LoggerFactory.getLogger(ClusterBreaker.class);

  /** Breaker states as reported in metrics. */
  public enum State {
    CLOSED(0), OPEN(1), HALF_OPEN(2), DISABLED(3);

    private final int code;

    State(int code) {
      this.code = code;
    }

    /** The value of the {@code cluster-breaker-state} metric. */
    public int code() {
      return code;
    }
  }

  private final String alias;
  private final String clientId;
  private final CircuitBreaker breaker;
  private final BreakerSettings settings;
  private volatile State lastState = State.CLOSED;
  /** Successes recorded in a row since the last failure, ignored error or state change. */
  private final AtomicInteger successRun = new AtomicInteger();
  /**
   * Whether the breaker is closed and its whole window holds successes, so that another success changes
   * nothing: the one field the per-record success path reads. Set after {@link #successRun} is checked,
   * cleared after it is reset, so a failure racing with the set is never hidden (both are volatile).
   */
  private volatile boolean steady;

  public ClusterBreaker(String alias, String clientId, BreakerSettings settings) {
    this(alias, clientId, settings, MonotonicClock.system());
  }

  /** A breaker whose open-state wait follows {@code clock} (monotonic in production). */
  ClusterBreaker(String alias, String clientId, BreakerSettings settings, java.time.Clock clock) {
    this.alias = alias;
    this.clientId = clientId;
    this.settings = settings;
    if (settings.enabled()) {
      CircuitBreakerConfig config = CircuitBreakerConfig.custom()
          .failureRateThreshold(settings.failureRateThreshold())
          .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
          .slidingWindowSize(settings.windowSize())
          .minimumNumberOfCalls(settings.minimumCalls())
          .waitDurationInOpenState(settings.openWait())
          .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
          .automaticTransitionFromOpenToHalfOpenEnabled(false)
          .writableStackTraceEnabled(false)
          // The open-state wait is timed by this clock; resilience4j's default is the wall clock.
          .clock(clock)
          .build();
      this.breaker = CircuitBreaker.of(clientId + "-" + alias, config);
    } else {
      this.breaker = null;
      this.lastState = State.DISABLED;
    }
  }

  /** Whether a send may go to the cluster now. Every {@code true} must be followed by {@link #record}. */
  public boolean tryAcquire() {
    // A steady breaker is closed, and a closed breaker permits every call: one field read per send. It leaves
    // that state only through a recorded outcome, which clears the flag first.
    if (breaker == null || steady) {
      return true;
    }
    boolean permitted = breaker.tryAcquirePermission();
    if (!permitted || lastState != State.CLOSED) {
      noteState();
    }
    return permitted;
  }

  /**
   * Records the outcome of a permitted send ({@code null} for success). Called per record on the client's I/O
   * thread: while the breaker is closed and its whole window already holds successes, another success leaves
   * the window unchanged, so it is not recorded (the window's update is synchronized).
   */
  public void record(Throwable error) {
    if (breaker == null || error == null && steady) {
      return;
    }
    if (error == null) {
      breaker.onSuccess(0, TimeUnit.NANOSECONDS);
      successRun.incrementAndGet();
      noteState();
      if (successRun.get() >= settings.windowSize() && lastState == State.CLOSED
          && breaker.getState() == CircuitBreaker.State.CLOSED) {
        steady = true;
        // A failure or state change in between reset the run: then the next success is recorded again.
        if (successRun.get() < settings.windowSize()) {
          steady = false;
        }
      }
      return;
    }
    successRun.set(0);
    steady = false;
    if (isFailure(error)) {
      breaker.onError(0, TimeUnit.NANOSECONDS, error);
    } else {
      breaker.releasePermission();
    }
    noteState();
  }

  /** Gives back a permission from {@link #tryAcquire()} for a send that was not made. */
  public void release() {
    if (breaker != null) {
      breaker.releasePermission();
    }
  }

  /** Whether an error counts against the cluster (rather than against one record or transaction). */
  public static boolean isFailure(Throwable error) {
    if (error instanceof TimeoutException || error instanceof AuthenticationException) {
      return true;
    }
    if (error instanceof RetriableException) {
      return false;
    }
    if (error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
        || error instanceof InvalidRecordException || error instanceof SerializationException
        || error instanceof InvalidTopicException || error instanceof AuthorizationException
        || error instanceof ProducerFencedException || error instanceof InvalidProducerEpochException
        || error instanceof TransactionAbortedException || error instanceof InvalidTxnStateException
        || error instanceof InterruptException || error instanceof IllegalStateException) {
      return false;
    }
    return error instanceof ApiException || error instanceof KafkaException;
  }

  /** The current state. */
  public State state() {
    if (breaker == null) {
      return State.DISABLED;
    }
    return switch (breaker.getState()) {
      case CLOSED -> State.CLOSED;
      case HALF_OPEN -> State.HALF_OPEN;
      case DISABLED, METRICS_ONLY -> State.DISABLED;
      default -> State.OPEN;
    };
  }

  /** Failure rate in percent over the window, or -1 while it holds fewer outcomes than the minimum. */
  public double failureRate() {
    return breaker == null ? -1 : breaker.getMetrics().getFailureRate();
  }

  /** The settings. */
  public BreakerSettings settings() {
    return settings;
  }

  private void noteState() {
    State now = state();
    State before = lastState;
    if (now != before) {
      synchronized (this) {
        before = lastState;
        if (now == before) {
          return;
        }
        lastState = now;
        successRun.set(0);
        steady = false;
      }
      if (now == State.OPEN) {
        log.warn("[{}] Circuit breaker of cluster '{}' is OPEN ({} -> OPEN; failure rate {}% over the last {} send(s)): "
            + "sends owned by '{}' fail at once with ClusterUnavailableException and are never rerouted; trial sends "
            + "in {} ms", clientId, alias, before, Math.round(failureRate()), settings.windowSize(), alias,
            settings.openWait().toMillis());
      } else {
        log.info("[{}] Circuit breaker of cluster '{}': {} -> {}", clientId, alias, before, now);
      }
    }
  }
}
