package dev.turnout.drill.report;

import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.plan.Flip;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The timeline chart of a drill: acknowledged writes per second and processed reads per second, per cluster, over
 * the seconds since the start, with each flip as a vertical marker labelled with its step.
 */
public final class TimelineChart {

  private static final int WIDTH = 1200;
  private static final int HEIGHT = 500;

  private TimelineChart() {}

  /** The chart as PNG bytes. */
  public static byte[] png(DrillRun run) {
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
    for (Flip flip : run.flips()) {
      ValueMarker marker = new ValueMarker(flip.atMillis() / 1000.0, flip.rollback() ? Color.RED : Color.DARK_GRAY,
          new BasicStroke(1.5f));
      marker.setLabel("e" + flip.epoch() + " " + flip.step());
      marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      plot.addDomainMarker(marker);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
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
