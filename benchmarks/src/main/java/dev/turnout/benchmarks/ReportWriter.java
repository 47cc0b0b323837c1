package dev.turnout.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes the generated results into the Markdown page between two marker lines, keeping the hand-written
 * text around them. A page without markers gets a title, the markers and the results.
 */
final class ReportWriter {

  static final String BEGIN = "<!-- BEGIN GENERATED RESULTS: written by benchmarks/run.sh, do not edit by hand -->";
  static final String END = "<!-- END GENERATED RESULTS -->";

  private ReportWriter() {}

  /** {@code page} with the text between the markers replaced by {@code generated}. */
  static String merge(String page, String generated) {
    String block = BEGIN + "\n\n" + generated.strip() + "\n\n" + END;
    int begin = page == null ? -1 : page.indexOf(BEGIN);
    int end = page == null ? -1 : page.indexOf(END);
    if (begin < 0 || end < begin) {
      String head = page == null || page.isBlank() ? "# Benchmarks\n" : page.stripTrailing() + "\n";
      return head + "\n" + block + "\n";
    }
    return page.substring(0, begin) + block + page.substring(end + END.length());
  }

  /** Merges {@code generated} into the file at {@code path}, replacing it atomically. */
  static void write(Path path, String generated) throws IOException {
    String page = Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : null;
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
    Files.writeString(tmp, merge(page, generated), StandardCharsets.UTF_8);
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
