package dev.turnout.cli;

import dev.turnout.cli.DocumentDiff.Change;
import dev.turnout.cli.json.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Help.Ansi;

/** How {@code diff} and {@code publish --dry-run} show a {@link DocumentDiff}: one line per change, or JSON. */
final class DiffOutput {

  private DiffOutput() {}

  /** One line per change, each tagged with what it needs: {@code barrier}, {@code reconcile}, {@code skip}... */
  static void print(PrintWriter out, Ansi ansi, DocumentDiff diff) {
    for (Change change : diff.changes()) {
      out.println(ansi.string(tag(change)) + " " + change.sentence());
    }
    if (diff.onlyEpoch()) {
      out.println("            nothing moves: only the epoch changes");
    }
  }

  private static String tag(Change change) {
    if (change.refused()) {
      return "@|red,bold [REFUSED]  |@";
    }
    return switch (change.kind()) {
      case WRITES_ROLL_BACK -> "@|yellow,bold [reconcile]|@";
      case WRITES_MOVE -> "@|cyan [barrier]  |@";
      case STATE_SKIPPED -> "@|yellow,bold [skip]     |@";
      case STATE_BACK, LEAVES_TARGET_AUTHORITY -> "@|yellow [rollback] |@";
      case RULE_REMOVED -> "@|yellow [removed]  |@";
      default -> "[change]   ";
    };
  }

  /** The diff as a JSON value: the summary flags and every change. */
  static Json.Obj json(DocumentDiff diff) {
    List<Object> changes = new ArrayList<>();
    for (Change c : diff.changes()) {
      changes.add(Json.object().with("kind", c.kind().name()).with("rule", c.rule()).with("scope", c.scope())
          .with("from", c.from()).with("to", c.to()).with("refused", c.refused()).with("sentence", c.sentence()));
    }
    return Json.object()
        .with("fromEpoch", diff.before() == null ? null : diff.before().epoch())
        .with("toEpoch", diff.after().epoch())
        .with("needsBarrier", diff.needsBarrier())
        .with("needsReconciliation", diff.needsReconciliation())
        .with("skipsState", diff.skipsState())
        .with("refused", !diff.refusals().isEmpty())
        .with("changes", changes);
  }
}
