package dev.turnout.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Help.Ansi;

/**
 * Plain-text output in aligned columns. A cell may carry picocli markup ({@code @|red OPEN|@}), rendered in
 * colour only when {@code ansi} is on; widths are measured on the plain text.
 */
final class Table {

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... header) {
    this.header = List.of(header);
  }

  /** Adds a row; {@code null} cells print as {@code -}. */
  Table row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(cell == null ? "-" : cell.toString());
    }
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Prints the header and rows, each column as wide as its widest cell, two spaces apart. */
  void print(PrintWriter out, Ansi ansi, String indent) {
    int[] widths = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < row.size() && i < widths.length; i++) {
        widths[i] = Math.max(widths[i], plain(row.get(i)).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder(indent);
      for (int i = 0; i < row.size() && i < widths.length; i++) {
        String cell = row.get(i);
        line.append(ansi.string(cell));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - plain(cell).length() + 2));
        }
      }
      out.println(line);
    }
  }

  /** The text of a cell without picocli markup. */
  static String plain(String cell) {
    return Ansi.OFF.string(cell);
  }
}
