package dev.turnout.internal.reconcile;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What a validated read of one target partition found.
 *
 * @param partition the target partition (the same partition number on the source)
 * @param range the reconciled offsets; {@code null} when a derived range found no record of the request
 * @param read records read inside the range
 * @param candidates the target-only records of the request, in offset order
 * @param skipped records inside the range that are not candidates, by reason
 */
public record PartitionSurvey(TopicPartition partition, OffsetRange range, long read, List<Candidate> candidates,
    Map<Skip, Long> skipped) {

  public PartitionSurvey {
    candidates = List.copyOf(candidates);
    skipped = Map.copyOf(skipped);
  }

  /** The earliest timestamp of a candidate, or {@code Long.MAX_VALUE} without candidates. */
  public long minTimestamp() {
    return candidates.stream().mapToLong(Candidate::timestamp).min().orElse(Long.MAX_VALUE);
  }
}
