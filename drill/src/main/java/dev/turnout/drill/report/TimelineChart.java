package dev.turnout.drill.report;

import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.plan.Flip;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The timeline chart of a drill: acknowledged writes per second and processed reads per second, per cluster, over
 * the seconds since the start, with each flip as a vertical marker labelled with its step, the seconds in which a
 * producer's barrier held sends shaded, and each member's read switch as a dashed line.
 */
public final class TimelineChart {

  private static final int WIDTH = 1200;
  private static final int HEIGHT = 500;

  private TimelineChart() {}

  /** The chart as PNG bytes. */
  public static byte[] png(DrillRun run) {
    JFreeChart chart = chart(run);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The chart itself. */
  static JFreeChart chart(DrillRun run) {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    Map<String, TreeMap<Long, Integer>> writes = new TreeMap<>();
    for (SendOutcome s : run.sends()) {
      if (s.acknowledged()) {
        writes.computeIfAbsent(s.cluster(), c -> new TreeMap<>()).merge(s.doneMillis() / 1000, 1, Integer::sum);
      }
    }
    Map<String, TreeMap<Long, Integer>> reads = new TreeMap<>();
    for (Processed p : run.processed()) {
      reads.computeIfAbsent(String.valueOf(p.cluster()), c -> new TreeMap<>()).merge(p.atMillis() / 1000, 1,
          Integer::sum);
    }
    long lastSecond = run.durationMillis() / 1000 + 1;
    writes.forEach((cluster, perSecond) -> data.addSeries(series("writes/s " + cluster, perSecond, lastSecond)));
    reads.forEach((cluster, perSecond) -> data.addSeries(series("reads/s " + cluster, perSecond, lastSecond)));
    JFreeChart chart = ChartFactory.createXYLineChart("Drill timeline", "seconds since start", "records/s", data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    markBarrierPauses(plot, run);
    markConsumerSwitches(plot, run);
    chart.addSubtitle(new TextTitle("lines: flips (red: a rollback)   shaded: a producer's barrier held sends   "
        + "dashed: a member's read switch", new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    for (Flip flip : run.flips()) {
      ValueMarker marker = new ValueMarker(flip.atMillis() / 1000.0, flip.rollback() ? Color.RED : Color.DARK_GRAY,
          new BasicStroke(1.5f));
      marker.setLabel("e" + flip.epoch() + " " + flip.step());
      marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      plot.addDomainMarker(marker);
    }
    return chart;
  }

  /** Shades each run of seconds in which a record was sent while a producer had a barrier waiting or releasing. */
  private static void markBarrierPauses(XYPlot plot, DrillRun run) {
    TreeSet<Long> seconds = new TreeSet<>();
    for (SendOutcome s : run.sends()) {
      if (s.duringBarrier()) {
        seconds.add(s.sentMillis() / 1000);
      }
    }
    Long start = null;
    Long previous = null;
    for (long second : seconds) {
      if (start != null && second != previous + 1) {
        plot.addDomainMarker(pause(start, previous), Layer.BACKGROUND);
        start = null;
      }
      if (start == null) {
        start = second;
      }
      previous = second;
    }
    if (start != null) {
      plot.addDomainMarker(pause(start, previous), Layer.BACKGROUND);
    }
  }

  private static IntervalMarker pause(long fromSecond, long toSecond) {
    IntervalMarker marker = new IntervalMarker(fromSecond, toSecond + 1.0, new Color(255, 170, 60, 140));
    marker.setOutlinePaint(null);
    return marker;
  }

  /** A dashed line where a member processed its first record on a cluster other than the one it read before. */
  private static void markConsumerSwitches(XYPlot plot, DrillRun run) {
    Map<Integer, String> last = new HashMap<>();
    BasicStroke dashed = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f},
        0f);
    for (Processed p : run.processed()) {
      String cluster = String.valueOf(p.cluster());
      String before = last.put(p.member(), cluster);
      if (before != null && !before.equals(cluster)) {
        plot.addDomainMarker(new ValueMarker(p.atMillis() / 1000.0, new Color(120, 60, 160), dashed));
      }
    }
  }

  private static XYSeries series(String name, TreeMap<Long, Integer> perSecond, long lastSecond) {
    XYSeries series = new XYSeries(name);
    long end = Math.max(lastSecond, perSecond.isEmpty() ? 0 : perSecond.lastKey());
    for (long second = 0; second <= end; second++) {
      series.add(second, perSecond.getOrDefault(second, 0));
    }
    return series;
  }
}
