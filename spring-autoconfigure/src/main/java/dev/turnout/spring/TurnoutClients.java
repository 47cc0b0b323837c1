package dev.turnout.spring;

import dev.turnout.RoutingConsumer;
import dev.turnout.RoutingProducer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Turnout clients of an application that are open now, and their {@value #METRIC_GROUP} metrics, for
 * monitoring. Sums of cumulative metrics (names ending in {@code -total}) include the final counts of clients
 * already closed, so they never go down. Thread-safe.
 */
public final class TurnoutClients {

  private static final Logger log = LoggerFactory.getLogger(TurnoutClients.class);

  /** The metric group of Turnout's own client metrics. */
  public static final String METRIC_GROUP = "turnout";

  /** The kind of a client. */
  public enum Kind {
    /** A {@link RoutingProducer}. */
    PRODUCER,
    /** A {@link RoutingConsumer}. */
    CONSUMER
  }

  /**
   * One of Turnout's metrics, without the {@code client-id} tag: the same metric of every client of a kind
   * shares a key.
   *
   * @param kind the kind of client that has the metric
   * @param name the Kafka metric name, e.g. {@code records-routed-total}
   * @param tags the metric's tags other than {@code client-id}
   */
  public record MetricKey(Kind kind, String name, Map<String, String> tags) {
    public MetricKey {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      tags = Map.copyOf(tags);
    }
  }

  /**
   * An open routing consumer and its group.
   *
   * @param consumer the consumer
   * @param groupId the group it uses on every cluster (with the validation suffix for a validation consumer),
   *     or {@code null} when it has none
   */
  public record OpenConsumer(RoutingConsumer<?, ?> consumer, String groupId) {}

  private static final class Entry {
    final Kind kind;
    final Object client;
    final String groupId;
    volatile Map<MetricKey, Metric> metrics = Map.of();
    volatile Map<MetricKey, String> descriptions = Map.of();

    Entry(Kind kind, Object client, String groupId) {
      this.kind = kind;
      this.client = client;
      this.groupId = groupId;
    }

    Map<MetricName, ? extends Metric> allMetrics() {
      return client instanceof RoutingProducer<?, ?> p ? p.metrics() : ((RoutingConsumer<?, ?>) client).metrics();
    }

    /** Re-reads which {@value #METRIC_GROUP} metrics the client has. */
    void rescan() {
      Map<MetricKey, Metric> own = new HashMap<>();
      Map<MetricKey, String> texts = new HashMap<>();
      allMetrics().forEach((name, metric) -> {
        if (METRIC_GROUP.equals(name.group())) {
          MetricKey key = key(kind, name);
          own.put(key, metric);
          texts.put(key, name.description());
        }
      });
      metrics = own;
      descriptions = texts;
    }
  }

  private final Map<Object, Entry> open = new LinkedHashMap<>();
  private final Map<MetricKey, Double> retired = new HashMap<>();
  private final Map<MetricKey, String> retiredDescriptions = new HashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  void added(RoutingProducer<?, ?> producer) {
    add(new Entry(Kind.PRODUCER, Objects.requireNonNull(producer, "producer"), null));
  }

  void added(RoutingConsumer<?, ?> consumer, String groupId) {
    add(new Entry(Kind.CONSUMER, Objects.requireNonNull(consumer, "consumer"), groupId));
  }

  private void add(Entry entry) {
    entry.rescan();
    synchronized (this) {
      open.put(entry.client, entry);
    }
    changed();
  }

  /** Keeps the final counts of {@code client} and forgets it; called before it closes. */
  void closing(Object client) {
    synchronized (this) {
      Entry entry = open.remove(client);
      if (entry == null) {
        return;
      }
      entry.rescan();
      entry.metrics.forEach((key, metric) -> {
        if (key.name().endsWith("-total")) {
          retired.merge(key, value(metric), Double::sum);
          retiredDescriptions.put(key, entry.descriptions.get(key));
        }
      });
    }
    changed();
  }

  private void changed() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("A listener of the Turnout client registry failed", e);
      }
    }
  }

  /** Calls {@code listener} after a client was added or before it closes (on the thread that did it). */
  public void onChange(Runnable listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** The routing producers open now. */
  public synchronized List<RoutingProducer<?, ?>> producers() {
    List<RoutingProducer<?, ?>> out = new ArrayList<>();
    open.values().forEach(e -> {
      if (e.kind == Kind.PRODUCER) {
        out.add((RoutingProducer<?, ?>) e.client);
      }
    });
    return out;
  }

  /** The routing consumers open now, with their groups. */
  public synchronized List<OpenConsumer> consumers() {
    List<OpenConsumer> out = new ArrayList<>();
    open.values().forEach(e -> {
      if (e.kind == Kind.CONSUMER) {
        out.add(new OpenConsumer((RoutingConsumer<?, ?>) e.client, e.groupId));
      }
    });
    return out;
  }

  /**
   * Re-reads which {@value #METRIC_GROUP} metrics every open client has (clients add some as they work, for
   * example a counter per rule and slice at the first record routed by it).
   */
  public void rescan() {
    List<Entry> entries;
    synchronized (this) {
      entries = new ArrayList<>(open.values());
    }
    entries.forEach(Entry::rescan);
  }

  /**
   * The keys of the {@value #METRIC_GROUP} metrics of the open clients (as of the last {@link #rescan()} or
   * client change), and of the counters of closed clients.
   */
  public synchronized Set<MetricKey> keys() {
    Set<MetricKey> keys = new HashSet<>(retired.keySet());
    open.values().forEach(e -> keys.addAll(e.metrics.keySet()));
    return keys;
  }

  /** The description of a metric, or {@code null} when no client has (or had) it. */
  public synchronized String description(MetricKey key) {
    for (Entry e : open.values()) {
      String text = e.descriptions.get(key);
      if (text != null) {
        return text;
      }
    }
    return retiredDescriptions.get(key);
  }

  /** The sum of a metric over the open clients, plus, for a counter, the final values of closed clients. */
  public synchronized double sum(MetricKey key) {
    double sum = retired.getOrDefault(key, 0.0);
    for (Entry e : open.values()) {
      Metric metric = e.metrics.get(key);
      if (metric != null) {
        double v = value(metric);
        if (!Double.isNaN(v)) {
          sum += v;
        }
      }
    }
    return sum;
  }

  /** The largest value of a metric over the open clients; NaN when no open client has a value. */
  public synchronized double max(MetricKey key) {
    double max = Double.NaN;
    for (Entry e : open.values()) {
      Metric metric = e.metrics.get(key);
      if (metric != null) {
        double v = value(metric);
        if (!Double.isNaN(v) && (Double.isNaN(max) || v > max)) {
          max = v;
        }
      }
    }
    return max;
  }

  /** The number of open clients whose metric {@code key} has a value that {@code test} accepts. */
  public synchronized int count(MetricKey key, Predicate<Object> test) {
    int count = 0;
    for (Entry e : open.values()) {
      Metric metric = e.metrics.get(key);
      if (metric != null && test.test(metric.metricValue())) {
        count++;
      }
    }
    return count;
  }

  /** The {@code client-id} of a client, read from the tags of its {@value #METRIC_GROUP} metrics. */
  public static String clientId(Map<MetricName, ? extends Metric> metrics) {
    for (MetricName name : metrics.keySet()) {
      if (METRIC_GROUP.equals(name.group()) && name.tags().get("client-id") != null) {
        return name.tags().get("client-id");
      }
    }
    return "unknown";
  }

  static MetricKey key(Kind kind, MetricName name) {
    Map<String, String> tags = new HashMap<>(name.tags());
    tags.remove("client-id");
    return new MetricKey(kind, name.name(), tags);
  }

  private static double value(Metric metric) {
    return metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
