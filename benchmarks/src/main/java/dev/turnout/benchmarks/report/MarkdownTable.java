package dev.turnout.benchmarks.report;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table built row by row; cells are escaped so that a value cannot break the table. */
public final class MarkdownTable {

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  /** A table with these column headings. */
  public MarkdownTable(String... header) {
    if (header.length == 0) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    this.header = List.of(header);
  }

  /** Adds a row; it must have one cell per column. */
  public MarkdownTable row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
    }
    List<String> row = new ArrayList<>(cells.length);
    for (Object cell : cells) {
      row.add(escape(String.valueOf(cell)));
    }
    rows.add(row);
    return this;
  }

  /** Number of rows added. */
  public int size() {
    return rows.size();
  }

  /** The table as Markdown, ending with a newline. */
  public String render() {
    StringBuilder out = new StringBuilder();
    line(out, header);
    out.append('|');
    for (int i = 0; i < header.size(); i++) {
      out.append("---|");
    }
    out.append('\n');
    for (List<String> row : rows) {
      line(out, row);
    }
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells) {
    out.append('|');
    for (String cell : cells) {
      out.append(' ').append(cell).append(" |");
    }
    out.append('\n');
  }

  private static String escape(String cell) {
    return cell.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ");
  }
}
