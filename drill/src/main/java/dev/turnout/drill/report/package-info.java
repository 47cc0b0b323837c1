/**
 * The drill's evidence report: the numbers of a run ({@link dev.turnout.drill.report.Summary}), the timeline chart
 * ({@link dev.turnout.drill.report.TimelineChart}), and the Markdown and self-contained HTML pages written by
 * {@link dev.turnout.drill.report.ReportWriter}.
 */
package dev.turnout.drill.report;
