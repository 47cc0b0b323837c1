package dev.turnout;

import java.util.Objects;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Thrown by {@link RoutingConsumer#poll} when the read position of a partition that moved between clusters
 * cannot be established safely. The consumer delivers no record of that partition; every other partition
 * keeps being consumed. Each problem is thrown once, logged, and counted in the metrics.
 *
 * <p>When {@link #blocked()} is true (the boundary search gave up), the partition stays blocked until the
 * application seeks it (an explicit decision about where to resume), it is revoked, or the authority map
 * moves its topic again. Otherwise the partition is still waiting (for a handover by the old cluster's group,
 * for the authority map to catch up, or for a cluster to answer) and resumes by itself.
 */
public class BoundaryNotVerifiedException extends KafkaException {

  private static final long serialVersionUID = 1L;

  /** Why the position could not be established. */
  public enum Reason {
    /** The last processed record did not appear on the new cluster within the boundary timeout. */
    LAST_RECORD_NOT_FOUND,
    /** Several records on the new cluster match the last processed record's fingerprint. */
    AMBIGUOUS_MATCH,
    /** The last processed record cannot be read on the old cluster (deleted by retention or compaction). */
    LAST_RECORD_UNREADABLE,
    /** The group on the old cluster still consumes the partition and has not handed it over. */
    HANDOVER_PENDING,
    /** A commit was made under a newer authority map than this consumer has loaded. */
    AUTHORITY_BEHIND,
    /** A cluster needed to decide could not be reached. */
    CLUSTER_UNREACHABLE,
    /**
     * Moving back from the rule's target to its source: the records the group processed on the target are
     * more than {@code turnout.consumer.dedupe.window}, so their copies on the source cannot all be recognised.
     */
    DEDUPE_WINDOW_EXCEEDED
  }

  private final TopicPartition partition;
  private final Reason reason;
  private final String fromCluster;
  private final String toCluster;
  private final boolean blocked;

  public BoundaryNotVerifiedException(TopicPartition partition, Reason reason, String fromCluster, String toCluster,
      boolean blocked, String message) {
    super(message);
    this.partition = Objects.requireNonNull(partition, "partition");
    this.reason = Objects.requireNonNull(reason, "reason");
    this.fromCluster = fromCluster;
    this.toCluster = toCluster;
    this.blocked = blocked;
  }

  /** The partition. */
  public TopicPartition partition() {
    return partition;
  }

  /** The machine-readable reason. */
  public Reason reason() {
    return reason;
  }

  /** The cluster the partition was read from before, or {@code null} when not known. */
  public String fromCluster() {
    return fromCluster;
  }

  /** The cluster the partition is read from now. */
  public String toCluster() {
    return toCluster;
  }

  /** Whether the partition stays blocked until a seek (true), or is still waiting and resumes by itself. */
  public boolean blocked() {
    return blocked;
  }
}
