package dev.turnout.internal.source;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.MigrationState;
import dev.turnout.authority.Rule;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a valid document may follow the map in force: epochs only increase, a changed document needs a new
 * epoch once the map in force is confirmed, and a rule leaves {@code TARGET_AUTHORITY} only when the new document
 * allows it ({@code rule.<name>.rollback.allowed=true}).
 */
final class Succession {

  private Succession() {}

  /**
   * The problems of {@code candidate} as the successor of {@code current} (none when {@code current} is null).
   *
   * @param confirmed whether {@code current} was read a second time unchanged
   * @param cacheHint added to an epoch regression's message (where the map in force came from), or empty
   */
  static List<DocumentProblem> problems(AuthorityMap current, AuthorityMap candidate, boolean confirmed,
      String cacheHint) {
    if (current == null) {
      return List.of();
    }
    if (candidate.epoch() < current.epoch()) {
      return List.of(new DocumentProblem(DocumentProblem.Kind.EPOCH_REGRESSION, "epoch " + candidate.epoch()
          + " is lower than epoch " + current.epoch() + " in force" + cacheHint
          + "; epochs only increase: raise it above " + current.epoch()));
    }
    if (candidate.epoch() == current.epoch() && !candidate.sameDocument(current) && confirmed) {
      return List.of(new DocumentProblem(DocumentProblem.Kind.EPOCH_CONFLICT,
          "the document changed but its epoch is still " + current.epoch()
              + "; every change needs a higher epoch: raise it above " + current.epoch()));
    }
    return unallowedRollbacks(current, candidate);
  }

  /**
   * A problem for every rule in {@code TARGET_AUTHORITY} in {@code current} that {@code candidate} moves back to
   * an earlier state without {@code rule.<name>.rollback.allowed=true}: leaving the target's authority strands
   * the records written only to the target, so it must be said explicitly.
   */
  static List<DocumentProblem> unallowedRollbacks(AuthorityMap current, AuthorityMap candidate) {
    List<DocumentProblem> problems = new ArrayList<>();
    for (Rule before : current.rules()) {
      if (before.state() != MigrationState.TARGET_AUTHORITY) {
        continue;
      }
      for (Rule after : candidate.rules()) {
        if (after.name().equals(before.name())
            && after.state() != MigrationState.TARGET_AUTHORITY && !after.rollbackAllowed()) {
          problems.add(new DocumentProblem(DocumentProblem.Kind.ROLLBACK_NOT_ALLOWED, "rule '" + after.name()
              + "' is in TARGET_AUTHORITY at epoch " + current.epoch() + " and this document moves it back to "
              + after.state() + "; the records written only to '" + before.target() + "' since then must be "
              + "reconciled to '" + after.source() + "' first. If the rollback is intended, add rule." + after.name()
              + ".rollback.allowed=true to the document (the map of epoch " + current.epoch() + " stays in force)"));
        }
      }
    }
    return problems;
  }
}
