package dev.turnout.drill.check;

import java.util.List;

/** Checks every invariant of a drill over its {@link Evidence}. */
public final class Invariants {

  /** The name of the invariant that every acknowledged record is on the system of record at the end. */
  public static final String SYSTEM_OF_RECORD = LossCheck.NOT_ON_SYSTEM_OF_RECORD;

  /** The name of the invariant that records acknowledged before a rollback are on the source after it. */
  public static final String ROLLBACK_ON_SOURCE = LossCheck.NOT_ON_SOURCE_AFTER_ROLLBACK;

  /** The name of the invariant that no record was processed twice (same {@code turnout.id}). */
  public static final String DUPLICATE = ProcessingCheck.TWICE;

  private Invariants() {}

  /** One finding per invariant, in the report's order. */
  public static List<Finding> check(Evidence evidence) {
    return List.of(
        LossCheck.processed(evidence),
        LossCheck.onSystemOfRecord(evidence),
        LossCheck.onSourceAfterRollback(evidence),
        ProcessingCheck.once(evidence),
        ProcessingCheck.inOrder(evidence),
        OwnerCheck.check(evidence));
  }

  /** The names of the invariants that broke. */
  public static List<String> broken(List<Finding> findings) {
    return findings.stream().filter(f -> !f.held()).map(Finding::name).toList();
  }
}
