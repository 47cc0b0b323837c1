package dev.turnout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * One reading of a client's own metrics (group {@value ClientMetrics#GROUP}), by the metric names the
 * documentation publishes, for the status snapshots.
 */
final class MetricValues {

  private final Map<MetricName, Metric> metrics;

  MetricValues(ClientMetrics clientMetrics) {
    this.metrics = clientMetrics.own();
  }

  /** The value of the metric without extra tags, NaN when absent or not a number. */
  double value(String name) {
    for (Map.Entry<MetricName, Metric> e : metrics.entrySet()) {
      if (e.getKey().name().equals(name) && e.getKey().tags().size() == 1) {
        return number(e.getValue());
      }
    }
    return Double.NaN;
  }

  long count(String name) {
    double v = value(name);
    return Double.isNaN(v) ? 0 : (long) v;
  }

  /** The counts of a metric by the value of one tag. */
  Map<String, Long> countsBy(String name, String tag) {
    Map<String, Long> out = new HashMap<>();
    metrics.forEach((metricName, metric) -> {
      String key = metricName.tags().get(tag);
      if (metricName.name().equals(name) && key != null) {
        double v = number(metric);
        out.put(key, Double.isNaN(v) ? 0 : (long) v);
      }
    });
    return out;
  }

  /** The counts of a metric by the values of several tags (in the order given). */
  Map<List<String>, Long> countsBy(String name, String... tags) {
    Map<List<String>, Long> out = new HashMap<>();
    metrics.forEach((metricName, metric) -> {
      if (!metricName.name().equals(name)) {
        return;
      }
      String[] key = new String[tags.length];
      for (int i = 0; i < tags.length; i++) {
        key[i] = metricName.tags().get(tags[i]);
        if (key[i] == null) {
          return;
        }
      }
      double v = number(metric);
      out.put(List.of(key), Double.isNaN(v) ? 0 : (long) v);
    });
    return out;
  }

  private static double number(Metric metric) {
    return metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
