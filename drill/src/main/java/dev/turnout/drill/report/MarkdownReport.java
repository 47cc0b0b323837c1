package dev.turnout.drill.report;

import java.util.List;

/** The report as Markdown, embedding the chart {@code timeline.png} next to it. */
final class MarkdownReport {

  private MarkdownReport() {}

  static String render(String headline, List<Table> tables) {
    StringBuilder b = new StringBuilder("# Turnout migration drill\n\n**").append(headline).append("**\n\n");
    for (Table t : tables) {
      b.append("## ").append(t.title()).append("\n\n");
      if (!t.intro().isEmpty()) {
        b.append(t.intro()).append("\n\n");
      }
      b.append('|');
      t.headers().forEach(h -> b.append(' ').append(cell(h)).append(" |"));
      b.append("\n|");
      t.headers().forEach(h -> b.append("---|"));
      b.append('\n');
      for (List<String> row : t.rows()) {
        b.append('|');
        row.forEach(c -> b.append(' ').append(cell(c)).append(" |"));
        b.append('\n');
      }
      b.append('\n');
    }
    b.append("## Timeline\n\nWrites per second (acknowledged) and reads per second (processed), per cluster; each "
        + "flip is a vertical line (red: a rollback).\n\n![timeline](timeline.png)\n");
    return b.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
