package dev.turnout.status;

/**
 * One declared cluster as a client sees it.
 *
 * @param alias the cluster alias ({@code turnout.clusters})
 * @param breaker the state of the producer's circuit breaker of the cluster ({@link BreakerState#DISABLED} for
 *     consumers)
 * @param breakerFailureRate failed sends in the breaker's window, in percent; -1 until the window holds
 *     {@code turnout.breaker.minimum.calls} outcomes (and for consumers)
 * @param clusterId the cluster id check of the alias
 * @param records records a producer handed to the cluster's client, or records a consumer delivered from the
 *     cluster, since the client opened
 */
public record ClusterStatus(String alias, BreakerState breaker, double breakerFailureRate, ClusterIdCheck clusterId,
    long records) {}
