package dev.turnout.spring;

import dev.turnout.RoutingProducer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The Turnout clients of an application that are open now, for monitoring. Counters summed over clients
 * ({@link #total(String, String, String)}) include the final counts of clients already closed, so they never
 * go down.
 */
public final class TurnoutClients {

  /** The metric group of Turnout's own client metrics. */
  public static final String METRIC_GROUP = "turnout";

  private final Set<RoutingProducer<?, ?>> producers = ConcurrentHashMap.newKeySet();
  private final Map<Key, DoubleAdder> retired = new ConcurrentHashMap<>();
  private final Set<String> retainedCounters;

  /**
   * @param counters names of the cumulative {@value #METRIC_GROUP} metrics whose counts are kept when a client
   *     closes (for example {@code records-routed-total})
   */
  public TurnoutClients(Set<String> counters) {
    this.retainedCounters = Set.copyOf(counters);
  }

  /** A registry that keeps the counts of Turnout's producer counters when producers close. */
  public TurnoutClients() {
    this(Set.of("records-routed-total", "records-refused-total"));
  }

  void added(RoutingProducer<?, ?> producer) {
    producers.add(Objects.requireNonNull(producer, "producer"));
  }

  /** Keeps the final counts of {@code producer} and forgets it; called before it closes. */
  void closing(RoutingProducer<?, ?> producer) {
    if (!producers.remove(producer)) {
      return;
    }
    producer.metrics().forEach((name, metric) -> {
      if (METRIC_GROUP.equals(name.group()) && retainedCounters.contains(name.name())) {
        name.tags().forEach((tag, value) -> {
          if (!"client-id".equals(tag)) {
            retired.computeIfAbsent(new Key(name.name(), tag, value), k -> new DoubleAdder()).add(value(metric));
          }
        });
      }
    });
  }

  /** The routing producers open now. */
  public List<RoutingProducer<?, ?>> producers() {
    return List.copyOf(producers);
  }

  /**
   * The sum of a {@value #METRIC_GROUP} metric with one tag value over every open producer, plus the final
   * values of closed producers for retained counters.
   */
  public double total(String metric, String tag, String tagValue) {
    double sum = 0;
    DoubleAdder closed = retired.get(new Key(metric, tag, tagValue));
    if (closed != null) {
      sum += closed.sum();
    }
    for (RoutingProducer<?, ?> producer : producers) {
      for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
        MetricName name = e.getKey();
        if (METRIC_GROUP.equals(name.group()) && metric.equals(name.name()) && tagValue.equals(name.tags().get(tag))) {
          sum += value(e.getValue());
        }
      }
    }
    return sum;
  }

  private static double value(Metric metric) {
    return metric.metricValue() instanceof Number n ? n.doubleValue() : 0;
  }

  private record Key(String metric, String tag, String value) {}
}
