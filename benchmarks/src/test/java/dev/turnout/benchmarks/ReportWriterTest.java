package dev.turnout.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  @Test
  void replacesOnlyTheTextBetweenTheMarkers() {
    String page = "# Benchmarks\n\nIntro.\n\n" + ReportWriter.BEGIN + "\n\nold results\n\n" + ReportWriter.END
        + "\n\n## Reading the results\n\nProse.\n";
    String merged = ReportWriter.merge(page, "new results\n");
    assertThat(merged).startsWith("# Benchmarks\n\nIntro.\n\n" + ReportWriter.BEGIN)
        .contains("new results").doesNotContain("old results")
        .endsWith(ReportWriter.END + "\n\n## Reading the results\n\nProse.\n");
    assertThat(ReportWriter.merge(merged, "new results\n")).isEqualTo(merged);
  }

  @Test
  void aPageWithoutMarkersGetsThemAppended() {
    String merged = ReportWriter.merge("# Mine\n\nText.", "results");
    assertThat(merged).isEqualTo("# Mine\n\nText.\n\n" + ReportWriter.BEGIN + "\n\nresults\n\n" + ReportWriter.END
        + "\n");
    assertThat(ReportWriter.merge(null, "results")).startsWith("# Benchmarks\n\n" + ReportWriter.BEGIN);
  }

  @Test
  void writesTheFileAndKeepsItsProse(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("docs").resolve("benchmarks.md");
    ReportWriter.write(file, "first");
    Files.writeString(file, Files.readString(file) + "\nProse after.\n");
    ReportWriter.write(file, "second");
    String page = Files.readString(file);
    assertThat(page).contains("second").doesNotContain("first").endsWith("Prose after.\n");
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }
}
