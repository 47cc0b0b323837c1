package dev.turnout.drill.report;

import dev.turnout.drill.check.Invariants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes {@code report.md}, {@code report.html} and {@code timeline.png} of a run to a folder. */
public final class ReportWriter {

  private ReportWriter() {}

  /**
   * The headline: {@code ALL INVARIANTS HELD}, or {@code INVARIANT BROKEN: } and the broken invariants' names;
   * preceded by {@code GATE NO-GO: } and the step when a strict gate stopped the walk.
   */
  public static String headline(DrillRun run) {
    List<String> broken = Invariants.broken(run.findings());
    String invariants = broken.isEmpty() ? "ALL INVARIANTS HELD" : "INVARIANT BROKEN: " + String.join(", ", broken);
    return run.completed() ? invariants : "GATE NO-GO: " + run.gates().stoppedAt() + "; " + invariants;
  }

  /** Writes the report into {@code dir} (created if needed) and returns the path of {@code report.html}. */
  public static Path write(Path dir, DrillRun run) throws IOException {
    Files.createDirectories(dir);
    Summary summary = Summary.of(run);
    List<Table> tables = Sections.of(run, summary);
    byte[] png = TimelineChart.png(run);
    String headline = headline(run);
    Files.write(dir.resolve("timeline.png"), png);
    Files.writeString(dir.resolve("report.md"), MarkdownReport.render(headline, tables), StandardCharsets.UTF_8);
    Path html = dir.resolve("report.html");
    Files.writeString(html, HtmlReport.render(headline, run.held() && run.completed(), tables, png), StandardCharsets.UTF_8);
    return html;
  }
}
