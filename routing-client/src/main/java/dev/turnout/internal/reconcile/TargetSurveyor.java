package dev.turnout.internal.reconcile;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the target ranges of many partitions at once (one consumer assignment) through their {@link RangeTally}s.
 */
public final class TargetSurveyor {

  private final Scope scope;
  private final RecordClassifier classifier;
  private final PartitionReader reader;

  public TargetSurveyor(Scope scope, ClusterSide target) {
    this.scope = scope;
    this.classifier = new RecordClassifier(scope, target.alias());
    this.reader = new PartitionReader(target);
  }

  /** A new tally for a task, to feed with {@link #feed}. */
  public RangeTally tally(PartitionTask task) {
    return new RangeTally(task.partition(), classifier, scope, task.given(), task.compacted(), task.logStartCheck());
  }

  /**
   * Feeds each partition's range to its tally, all partitions read at once; fails on the first problem found.
   *
   * @param keep where to keep the candidate records for the copy, or {@code null}
   * @return the number of records read
   */
  long feed(Map<TopicPartition, RangeTally> tallies, Map<TopicPartition, OffsetRange> ranges, RetainedRecords keep) {
    Map<TopicPartition, RangeTally> byPartition = new HashMap<>(tallies);
    long[] read = {0};
    reader.read(ranges, r -> {
      read[0]++;
      RangeTally tally = byPartition.get(new TopicPartition(r.topic(), r.partition()));
      int before = tally.candidateCount();
      tally.accept(r.offset(), r.key(), r.headers(), r.timestamp());
      if (keep != null && tally.candidateCount() > before) {
        keep.keep(r);
      }
    });
    return read[0];
  }
}
