package dev.turnout.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.drill.check.Invariants;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drill run in-process end to end, on its own embedded clusters: a sound run and a deliberately faulty one. */
class DrillIT {

  @TempDir
  Path dir;

  /** Runs the drill, echoing its output to this test's output; returns the exit code and the lines printed. */
  private record Run(int exit, List<String> lines) {
    String last() {
      return lines.get(lines.size() - 1);
    }
  }

  private static Run drill(String... args) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    int exit = DrillMain.run(out, System.err, args);
    String text = buffer.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    return new Run(exit, text.lines().filter(l -> !l.isBlank()).toList());
  }

  @Test
  void theWholePlanUnderLoadHoldsEveryInvariantAndWritesTheReport() throws Exception {
    Path out = dir.resolve("report");
    Run run = drill("--duration", "56", "--keys", "200", "--rate", "100", "--out",
        out.toString());

    assertThat(run.last()).startsWith("ALL INVARIANTS HELD").contains(out.resolve("report.html").toString());
    assertThat(run.exit()).isZero();
    assertThat(run.lines()).anyMatch(l -> l.matches("\\[ *\\d+\\.\\ds] step 4/7 WRITE_PROMOTION 50% .*acknowledged "
        + "\\d+ \\| processed \\d+ \\| refused \\d+ \\| barriers .*consumer switches \\d+"));
    String md = Files.readString(out.resolve("report.md"));
    System.out.println(md);
    assertThat(md).contains("**ALL INVARIANTS HELD**", "![timeline](timeline.png)", "| DUAL_READ | 5 |",
        "| TARGET_AUTHORITY | 7 |");
    for (String invariant : List.of(Invariants.SYSTEM_OF_RECORD, Invariants.ROLLBACK_ON_SOURCE,
        "no record processed twice", "no per-key reordering", "no record written by a non-owner",
        "no acknowledged record lost")) {
      assertThat(md).containsPattern("\\| " + java.util.regex.Pattern.quote(invariant) + "[^|]* \\| HELD \\| [1-9]");
    }
    assertThat(md).contains("## Gates", "flips anyway", "| 2 | WRITE_PROMOTION 10% | GO | 1 | offsets | GREEN | "
        + "boundary drill-group | 3/3 partitions |");
    for (String flip : List.of("| 1 | DUAL_READ |", "| 3 | WRITE_PROMOTION 50% |", "| 6 | TARGET_AUTHORITY |")) {
      assertThat(md).containsPattern(java.util.regex.Pattern.quote(flip) + " (GO|NO-GO) \\| 1 \\| replication \\| ");
    }
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("ALL INVARIANTS HELD", "src=\"data:image/png;base64,iVBOR").doesNotContain("http");
    byte[] png = Files.readAllBytes(out.resolve("timeline.png"));
    assertThat(png).hasSizeGreaterThan(1000).startsWith(0x89, 'P', 'N', 'G');
  }

  @Test
  void aRollbackWithoutReconciliationBreaksTheRollbackInvariantAndExitsWithOne() throws Exception {
    Path plan = dir.resolve("plan.txt");
    Files.writeString(plan, "# promote half the keys, then roll them back\nMIRROR\nWRITE_PROMOTION 50%\nDUAL_READ\n");
    Path out = dir.resolve("faulty");
    Run run = drill("--duration", "15", "--keys", "100", "--rate", "100", "--consumers", "1", "--plan",
        plan.toString(), "--reconcile", "none", "--out", out.toString());

    assertThat(run.exit()).isEqualTo(DrillMain.BROKEN);
    assertThat(run.last()).startsWith("INVARIANT BROKEN: ").contains(Invariants.ROLLBACK_ON_SOURCE);
    assertThat(run.lines()).anyMatch(l -> l.startsWith("BROKEN " + Invariants.ROLLBACK_ON_SOURCE + ": ")
        && l.contains("before the rollback to epoch 3 is absent from 'source'"));
    String md = Files.readString(out.resolve("report.md"));
    assertThat(md).contains("**INVARIANT BROKEN: ", "not reconciled (--reconcile none)");
    // No DUAL_READ before the promotion: no validation commit on the target, the gate says NO-GO; a rehearsal
    // records it and flips anyway.
    assertThat(md).contains("| 1 | WRITE_PROMOTION 50% | NO-GO | 1 | offsets | RED | boundary drill-group | 0/3 "
        + "partitions |", "did not stop the flip", "| 1 | WRITE_PROMOTION 50% | 2 |");
  }

  @Test
  void withGateStrictAFlipWhoseGateNeverPassesStopsTheDrillWithOne() throws Exception {
    Path plan = dir.resolve("strict.txt");
    Files.writeString(plan, "MIRROR\nWRITE_PROMOTION 50%\n");
    Path out = dir.resolve("strict");
    Run run = drill("--duration", "8", "--keys", "100", "--rate", "100", "--consumers", "1", "--plan",
        plan.toString(), "--gate-strict", "--out", out.toString());

    assertThat(run.exit()).isEqualTo(DrillMain.BROKEN);
    assertThat(run.last()).startsWith("GATE NO-GO: step 2/2 WRITE_PROMOTION 50%: its gate was NO-GO for 4.0 s "
        + "(offsets boundary drill-group: 0/3 partitions").contains("; ALL INVARIANTS HELD; report ");
    String md = Files.readString(out.resolve("report.md"));
    assertThat(md).containsPattern("\\| 1 \\| WRITE_PROMOTION 50% \\| NO-GO \\| [2-9] \\| offsets \\| RED \\| "
        + "boundary drill-group")
        .contains("With --gate-strict a NO-GO gate held its flip back", "The walk stopped: step 2/2")
        .doesNotContain("| 1 | WRITE_PROMOTION 50% | 2 |");
  }
}
