package dev.turnout.internal.reconcile;

import org.apache.kafka.common.TopicPartition;

/**
 * One target partition to read: offsets {@code [start, end)}; {@code given} is the caller's range, or {@code null}
 * when the range is derived from what the read finds.
 *
 * @param compacted whether the topic is compacted on the target
 * @param logStartCheck the log start offset when a derived range is read from it and it is above 0, else -1
 */
public record PartitionTask(TopicPartition partition, long start, long end, OffsetRange given, boolean compacted,
    long logStartCheck) {}
