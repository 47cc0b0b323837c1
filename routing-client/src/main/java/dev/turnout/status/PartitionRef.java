package dev.turnout.status;

/**
 * A topic partition.
 *
 * @param topic the topic
 * @param partition the partition
 */
public record PartitionRef(String topic, int partition) {}
