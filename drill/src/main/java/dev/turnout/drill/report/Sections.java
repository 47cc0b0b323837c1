package dev.turnout.drill.report;

import dev.turnout.drill.check.Finding;
import dev.turnout.drill.plan.Flip;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The report's sections, as tables, from a run and its summary. */
final class Sections {

  private Sections() {}

  static List<Table> of(DrillRun run, Summary s) {
    List<Table> tables = new ArrayList<>();
    Table.Builder settings = Table.of("Settings", "", "option", "value");
    run.settings().forEach(settings::row);
    tables.add(settings.build());
    tables.add(invariants(run));
    tables.add(records(run, s));
    tables.add(flips(run));
    if (!run.gates().verdicts().isEmpty()) {
      tables.add(gates(run.gates()));
    }
    tables.add(pauses(run, s));
    tables.add(consumers(run));
    return tables;
  }

  private static Table invariants(DrillRun run) {
    Table.Builder t = Table.of("Invariants", "Each invariant, how many records it looked at and how many broke it.",
        "invariant", "result", "checked", "violations", "examples");
    for (Finding f : run.findings()) {
      t.row(f.name(), f.held() ? "HELD" : "BROKEN", f.checked(), f.violations(), String.join("; ", f.examples()));
    }
    return t.build();
  }

  private static Table records(DrillRun run, Summary s) {
    Table.Builder t = Table.of("Records", "", "what", "count");
    t.row("produced (sent)", s.produced());
    t.row("acknowledged", s.acknowledged());
    s.acknowledgedBy().forEach((cluster, n) -> t.row("acknowledged by '" + cluster + "'", n));
    t.row("refused or failed", s.failed());
    s.failedBy().forEach((reason, n) -> t.row("refused: " + reason, n));
    t.row("processed (every processing)", s.processed());
    t.row("processed (distinct records)", s.processedDistinct());
    long reconciled = run.flips().stream().filter(f -> f.reconciled() > 0).mapToLong(Flip::reconciled).sum();
    t.row("reconciled to the source by the drill", reconciled);
    return t.build();
  }

  private static Table flips(DrillRun run) {
    Table.Builder t = Table.of("Flips", "Each flip's document, when it was published (seconds since the start), "
        + "how long until the status topic showed every instance on its epoch, and what was reconciled.",
        "#", "step", "epoch", "at (s)", "rollback", "convergence (ms)", "reconciled", "note");
    for (Flip f : run.flips()) {
      t.row(f.index(), f.step(), f.epoch(), String.format(Locale.ROOT, "%.1f", f.atMillis() / 1000.0),
          f.rollback() ? "yes" : "", f.convergenceMillis() < 0 ? "not converged" : f.convergenceMillis(),
          f.reconciled() < 0 ? "" : f.reconciled(), f.note());
    }
    return t.build();
  }

  private static Table gates(GateVerdict.Gates gates) {
    String intro = "Before each flip the drill ran the checks of `turnout gate` for the move (the document in force, "
        + "the rule, the state it moves to). " + (gates.strict()
        ? "With --gate-strict a NO-GO gate held its flip back, run again each second up to the step's length."
        : "A NO-GO gate (a red line) did not stop the flip: the drill is a rehearsal, it records the verdict and "
            + "flips anyway (--gate-strict makes a flip wait for its gate).")
        + (gates.stoppedAt().isEmpty() ? "" : " The walk stopped: " + gates.stoppedAt() + ".");
    Table.Builder t = Table.of("Gates", intro, "#", "step", "verdict", "runs", "group", "status", "check", "live",
        "threshold", "detail");
    for (GateVerdict v : gates.verdicts()) {
      String verdict = v.go() ? "GO" : "NO-GO";
      for (GateVerdict.Line l : v.lines()) {
        t.row(v.flip(), v.step(), verdict, v.attempts(), l.group(), l.status(), l.check(), l.live(), l.threshold(),
            l.detail());
      }
    }
    return t.build();
  }

  private static Table pauses(DrillRun run, Summary s) {
    Table.Builder t = Table.of("Pauses", "Send-to-outcome latency (p50 / p99 / max) of the records sent in each "
        + "phase, and of those sent while a producer had a cutover or rollback barrier waiting or releasing (sampled "
        + "every 200 ms).",
        "phase", "step", "records", "latency", "during a barrier", "latency during a barrier");
    for (Summary.PhaseLatency p : s.phases()) {
      t.row(p.phase(), run.steps().get(p.phase()), p.all().count(), p.all().text(), p.barrier().count(),
          p.barrier().text());
    }
    return t.build();
  }

  private static Table consumers(DrillRun run) {
    Table.Builder t = Table.of("Consumers", "", "what", "value");
    t.row("read switches (all members)", run.readSwitches());
    t.row("longest switch, handover to resumption (ms)", Double.isNaN(run.switchMaxMillis()) ? "-"
        : String.format(Locale.ROOT, "%.0f", run.switchMaxMillis()));
    t.row("errors thrown by poll", run.consumerErrors().size());
    run.consumerErrors().stream().limit(5).forEach(e -> t.row("error", e));
    return t.build();
  }
}
