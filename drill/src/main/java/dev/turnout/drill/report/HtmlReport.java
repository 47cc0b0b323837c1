package dev.turnout.drill.report;

import java.util.Base64;
import java.util.List;

/** The report as one self-contained HTML page: no script, no network, the chart as a base64 data URI. */
final class HtmlReport {

  private HtmlReport() {}

  static String render(String headline, boolean held, List<Table> tables, byte[] png) {
    StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>Turnout migration drill</title><style>body{font-family:sans-serif;margin:2em;max-width:1300px}"
        + "table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:4px 8px;"
        + "text-align:left;vertical-align:top}th{background:#f3f3f3}.held{color:#060}.broken{color:#b00}"
        + "</style></head><body>\n<h1>Turnout migration drill</h1>\n");
    b.append("<p class=\"").append(held ? "held" : "broken").append("\"><strong>").append(escape(headline))
        .append("</strong></p>\n");
    for (Table t : tables) {
      b.append("<h2>").append(escape(t.title())).append("</h2>\n");
      if (!t.intro().isEmpty()) {
        b.append("<p>").append(escape(t.intro())).append("</p>\n");
      }
      b.append("<table><tr>");
      t.headers().forEach(h -> b.append("<th>").append(escape(h)).append("</th>"));
      b.append("</tr>\n");
      for (List<String> row : t.rows()) {
        b.append("<tr>");
        row.forEach(c -> b.append("<td>").append(escape(c)).append("</td>"));
        b.append("</tr>\n");
      }
      b.append("</table>\n");
    }
    b.append("<h2>Timeline</h2>\n<p>Writes per second (acknowledged) and reads per second (processed), per cluster;"
        + " each flip is a vertical line (red: a rollback).</p>\n<img alt=\"timeline\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png)).append("\">\n</body></html>\n");
    return b.toString();
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
