package dev.turnout.status;

/** The state of a producer's circuit breaker of one cluster. */
public enum BreakerState {
  /** Sends go through; outcomes are counted. */
  CLOSED,
  /** Sends to the cluster fail at once with {@code ClusterUnavailableException}; they are never rerouted. */
  OPEN,
  /** A few trial sends go through; their outcomes close or reopen the breaker. */
  HALF_OPEN,
  /** {@code turnout.breaker.enabled=false}, or the client is a consumer (consumers have no breakers). */
  DISABLED
}
