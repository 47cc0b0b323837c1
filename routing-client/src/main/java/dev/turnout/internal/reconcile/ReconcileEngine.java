package dev.turnout.internal.reconcile;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Plans and applies requests: lays out the partitions, reads and validates every range on the target (all
 * partitions at once, before anything is written), then either counts what the source already holds (plan) or
 * copies what it lacks (apply). Repeated plans of one request continue from what the last one read
 * ({@link PlanCache}). Not thread-safe.
 */
public final class ReconcileEngine {

  private final ClusterSide source;
  private final ClusterSide target;
  private final int batch;
  private final long retainBudget;
  private final PlanCache cache = new PlanCache();
  private long lastPlanTargetReads;
  private long lastPlanSourceReads;

  /** @param batch records per transaction of a copy */
  public ReconcileEngine(ClusterSide source, ClusterSide target, int batch) {
    this(source, target, batch, RetainedRecords.DEFAULT_BUDGET_BYTES);
  }

  /**
   * @param retainBudget bytes of candidate records an apply keeps from its validation read for the copy; the
   *     partitions beyond it are read again
   */
  ReconcileEngine(ClusterSide source, ClusterSide target, int batch, long retainBudget) {
    this.source = source;
    this.target = target;
    this.batch = batch;
    this.retainBudget = retainBudget;
  }

  /** What {@link #apply} would copy, per partition and slice; writes nothing. */
  public List<SliceTally> plan(Scope scope) {
    try {
      return planIncrementally(scope);
    } catch (RuntimeException e) {
      cache.clear();
      throw e;
    }
  }

  private List<SliceTally> planIncrementally(Scope scope) {
    List<PartitionTask> tasks = new TopicLayout(scope, source, target).tasks();
    Map<TopicPartition, PlanCache.Entry> entries = cache.entries(scope);
    TargetSurveyor surveyor = new TargetSurveyor(scope, target);
    Map<TopicPartition, RangeTally> tallies = new HashMap<>();
    Map<TopicPartition, OffsetRange> ranges = new HashMap<>();
    Set<TopicPartition> partitions = new HashSet<>();
    for (PartitionTask task : tasks) {
      PlanCache.Entry e = entries.get(task.partition());
      if (e == null || !e.resumable(task)) {
        e = new PlanCache.Entry(task, surveyor.tally(task));
        entries.put(task.partition(), e);
      }
      tallies.put(task.partition(), e.tally);
      ranges.put(task.partition(), new OffsetRange(e.surveyedTo, task.end()));
      partitions.add(task.partition());
    }
    entries.keySet().retainAll(partitions);
    lastPlanTargetReads = surveyor.feed(tallies, ranges, null);
    List<PartitionSurvey> surveys = new ArrayList<>();
    for (PartitionTask task : tasks) {
      PlanCache.Entry e = entries.get(task.partition());
      e.surveyedTo = task.end();
      surveys.add(e.tally.finish());
    }
    SourcePresence presence = new SourcePresence(source);
    Map<TopicPartition, Set<ByteBuffer>> present = new PlanSearch(presence).present(surveys, entries);
    lastPlanSourceReads = presence.scanned();
    List<SliceTally> out = new ArrayList<>();
    for (PartitionSurvey survey : surveys) {
      if (!survey.candidates().isEmpty()) {
        out.addAll(SliceTally.of(survey, present.get(survey.partition())));
      }
    }
    return out;
  }

  /** Target records read by the last plan (what a repeated plan of one request saves shows here). */
  long lastPlanTargetReads() {
    return lastPlanTargetReads;
  }

  /** Source records read by the last plan. */
  long lastPlanSourceReads() {
    return lastPlanSourceReads;
  }

  /** Copies the target-only records the source lacks; one outcome per partition read. */
  public List<CopyOutcome> apply(Scope scope) {
    List<PartitionTask> tasks = new TopicLayout(scope, source, target).tasks();
    TargetSurveyor surveyor = new TargetSurveyor(scope, target);
    Map<TopicPartition, RangeTally> tallies = new LinkedHashMap<>();
    Map<TopicPartition, OffsetRange> ranges = new HashMap<>();
    for (PartitionTask task : tasks) {
      tallies.put(task.partition(), surveyor.tally(task));
      ranges.put(task.partition(), new OffsetRange(task.start(), task.end()));
    }
    RetainedRecords kept = new RetainedRecords(retainBudget);
    surveyor.feed(tallies, ranges, kept);
    List<PartitionSurvey> surveys = tallies.values().stream().map(RangeTally::finish).toList();
    return new PartitionCopier(source, target, batch).copy(surveys, kept);
  }
}
