package dev.turnout.internal.reconcile;

/** Reads a {@link PartitionTask}'s offsets on the target through a {@link RangeTally}. */
public final class TargetSurveyor {

  private final Scope scope;
  private final RecordClassifier classifier;
  private final PartitionReader reader;

  public TargetSurveyor(Scope scope, ClusterSide target) {
    this.scope = scope;
    this.classifier = new RecordClassifier(scope, target.alias());
    this.reader = new PartitionReader(target);
  }

  /** The validated contents of one partition's range; fails on the first problem. */
  public PartitionSurvey survey(PartitionTask task) {
    RangeTally tally = new RangeTally(task.partition(), classifier, scope, task.given(), task.compacted(),
        task.logStartCheck());
    reader.read(task.partition(), task.start(), task.end(),
        r -> tally.accept(r.offset(), r.key(), r.headers(), r.timestamp()));
    return tally.finish();
  }
}
