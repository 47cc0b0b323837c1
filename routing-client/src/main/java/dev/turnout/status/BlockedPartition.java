package dev.turnout.status;

/**
 * A partition a consumer does not read because its boundary on the new cluster could not be verified.
 *
 * @param topic the topic
 * @param partition the partition
 * @param cluster the cluster it would be read from
 * @param reason why ({@code NOT_REPLICATED}, {@code AMBIGUOUS}, {@code RECORD_GONE}...: the problem of the
 *     boundary search)
 * @param message what happened and what to do
 */
public record BlockedPartition(String topic, int partition, String cluster, String reason, String message) {}
