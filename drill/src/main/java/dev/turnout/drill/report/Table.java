package dev.turnout.drill.report;

import java.util.ArrayList;
import java.util.List;

/**
 * One section of the report: a title, an optional sentence, and a table, rendered alike in Markdown and HTML.
 *
 * @param title the section's title
 * @param intro a sentence before the table, empty for none
 * @param headers the column headers
 * @param rows the rows, each as many cells as headers
 */
record Table(String title, String intro, List<String> headers, List<List<String>> rows) {

  Table {
    headers = List.copyOf(headers);
    rows = List.copyOf(rows);
  }

  /** A builder of a table with these headers. */
  static Builder of(String title, String intro, String... headers) {
    return new Builder(title, intro, List.of(headers));
  }

  static final class Builder {
    private final String title;
    private final String intro;
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    private Builder(String title, String intro, List<String> headers) {
      this.title = title;
      this.intro = intro;
      this.headers = headers;
    }

    Builder row(Object... cells) {
      List<String> row = new ArrayList<>();
      for (Object cell : cells) {
        row.add(String.valueOf(cell));
      }
      rows.add(row);
      return this;
    }

    Table build() {
      return new Table(title, intro, headers, rows);
    }
  }
}
