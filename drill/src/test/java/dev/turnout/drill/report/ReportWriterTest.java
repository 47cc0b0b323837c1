package dev.turnout.drill.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.MigrationState;
import dev.turnout.drill.check.Finding;
import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.plan.Flip;
import dev.turnout.drill.plan.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a small hand-made run: its files, sections, numbers and headline. */
class ReportWriterTest {

  @TempDir
  Path dir;

  private static DrillRun run(List<Finding> findings) {
    List<Step> steps = List.of(Step.of(MigrationState.MIRROR), Step.of(MigrationState.TARGET_AUTHORITY));
    List<SendOutcome> sends = List.of(
        new SendOutcome("a", 0, 0, false, 100, 2_000, "src", 0, 0, null),
        new SendOutcome("a", 1, 1, true, 1_500, 40_000, "tgt", 0, 0, null),
        new SendOutcome("b", 0, 1, true, 1_600, 500, null, -1, -1, "CUTOVER_BARRIER_TIMEOUT"));
    List<Processed> processed = List.of(new Processed(0, 0, 200, "a", 0, "src", 0, 0, "id0"),
        new Processed(1, 0, 1_700, "a", 1, "tgt", 0, 0, "id1"));
    List<Flip> flips = List.of(new Flip(1, steps.get(1), 2, false, 1_000, 85, -1, ""));
    return new DrillRun(Instant.parse("2026-01-01T00:00:00Z"), 2_000, Map.of("rate", "2 records/s"), steps, flips,
        sends, processed, findings, 2, 812.0, List.of());
  }

  @Test
  void aRunWhoseInvariantsHeldWritesTheThreeFilesWithEverySection() throws Exception {
    DrillRun run = run(List.of(new Finding("no acknowledged record lost", 2, 0, List.of())));
    Path html = ReportWriter.write(dir, run);

    assertThat(ReportWriter.headline(run)).isEqualTo("ALL INVARIANTS HELD");
    assertThat(html).isEqualTo(dir.resolve("report.html"));
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("**ALL INVARIANTS HELD**", "## Settings", "| rate | 2 records/s |", "## Invariants",
        "| no acknowledged record lost | HELD | 2 | 0 |", "| acknowledged by 'src' | 1 |",
        "| refused: CUTOVER_BARRIER_TIMEOUT | 1 |", "| processed (distinct records) | 2 |",
        "| 1 | TARGET_AUTHORITY | 2 | 1.0 |  | 85 |", "| 1 | TARGET_AUTHORITY | 2 | 0.5 / 40.0 / 40.0 ms | 2 | "
            + "0.5 / 40.0 / 40.0 ms |", "| longest switch, handover to resumption (ms) | 812 |",
        "![timeline](timeline.png)");
    String page = Files.readString(html);
    assertThat(page).contains("<p class=\"held\"><strong>ALL INVARIANTS HELD</strong>",
        "src=\"data:image/png;base64,iVBOR").doesNotContain("http:", "https:", "<script");
    assertThat(Files.readAllBytes(dir.resolve("timeline.png"))).startsWith(0x89, 'P', 'N', 'G');
  }

  @Test
  void aBrokenInvariantIsNamedInTheHeadlineAndEscapedInTheHtml() throws Exception {
    DrillRun run = run(List.of(new Finding("no record processed twice", 2, 1, List.of("a#1 <twice> | again"))));
    ReportWriter.write(dir, run);

    assertThat(ReportWriter.headline(run)).isEqualTo("INVARIANT BROKEN: no record processed twice");
    assertThat(Files.readString(dir.resolve("report.md"))).contains("| BROKEN | 2 | 1 | a#1 <twice> \\| again |");
    assertThat(Files.readString(dir.resolve("report.html"))).contains("class=\"broken\"", "a#1 &lt;twice&gt; | again");
  }
}
