package dev.turnout.internal.reconcile;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Plans and applies one request: lays out the partitions, reads and validates every range on the target (all
 * partitions, before anything is written), then either counts what the source already holds (plan) or copies
 * what it lacks (apply), partition by partition. Not thread-safe.
 */
public final class ReconcileEngine {

  private final ClusterSide source;
  private final ClusterSide target;
  private final int batch;

  /** @param batch records per transaction of a copy */
  public ReconcileEngine(ClusterSide source, ClusterSide target, int batch) {
    this.source = source;
    this.target = target;
    this.batch = batch;
  }

  /** What {@link #apply} would copy, per partition and slice; writes nothing. */
  public List<SliceTally> plan(Scope scope) {
    SourcePresence presence = new SourcePresence(source);
    List<SliceTally> out = new ArrayList<>();
    for (PartitionSurvey survey : survey(scope)) {
      if (!survey.candidates().isEmpty()) {
        Set<ByteBuffer> wanted = new HashSet<>();
        survey.candidates().forEach(c -> wanted.add(c.id()));
        out.addAll(SliceTally.of(survey, presence.present(survey.partition(), wanted, survey.minTimestamp())));
      }
    }
    return out;
  }

  /** Copies the target-only records the source lacks; one outcome per partition read. */
  public List<CopyOutcome> apply(Scope scope) {
    List<PartitionSurvey> surveys = survey(scope);
    PartitionCopier copier = new PartitionCopier(source, target, batch);
    List<CopyOutcome> out = new ArrayList<>();
    for (PartitionSurvey survey : surveys) {
      out.add(copier.copy(survey));
    }
    return out;
  }

  private List<PartitionSurvey> survey(Scope scope) {
    List<PartitionTask> tasks = new TopicLayout(scope, source, target).tasks();
    TargetSurveyor surveyor = new TargetSurveyor(scope, target);
    List<PartitionSurvey> surveys = new ArrayList<>();
    for (PartitionTask task : tasks) {
      surveys.add(surveyor.survey(task));
    }
    return surveys;
  }
}
