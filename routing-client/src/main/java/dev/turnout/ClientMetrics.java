package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.source.AuthorityRefresher;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;

/**
 * Turnout's own metrics (group {@value #GROUP}), kept in lock-free counters and exposed as Kafka gauges, plus
 * the merge of every cluster client's metrics with a {@code cluster} tag.
 */
final class ClientMetrics implements AutoCloseable {

  static final String GROUP = "turnout";
  static final String CLUSTER_TAG = "cluster";

  private final Metrics metrics;
  private final Map<String, String> tags;
  private final LongAdder[] routed;
  private final Map<OwnershipAmbiguousException.Reason, LongAdder> refused =
      new EnumMap<>(OwnershipAmbiguousException.Reason.class);

  /** The metrics of a producer: {@code records-routed-total} per cluster. */
  ClientMetrics(String clientId, List<String> clusters, AuthorityRefresher refresher) {
    this(clientId, clusters, refresher, "records-routed-total", "Records handed to the owner cluster's client");
  }

  /**
   * @param perClusterName name of the per-cluster record counter ({@link #routed(int)})
   */
  ClientMetrics(String clientId, List<String> clusters, AuthorityRefresher refresher, String perClusterName,
      String perClusterDescription) {
    this.metrics = new Metrics(new MetricConfig(), List.of(new JmxReporter()), Time.SYSTEM,
        new KafkaMetricsContext("dev.turnout"));
    this.tags = Map.of("client-id", clientId);
    this.routed = new LongAdder[clusters.size()];
    for (int i = 0; i < clusters.size(); i++) {
      LongAdder adder = new LongAdder();
      routed[i] = adder;
      gauge(perClusterName, perClusterDescription, Map.of(CLUSTER_TAG, clusters.get(i)), adder::sum);
    }
    for (OwnershipAmbiguousException.Reason reason : OwnershipAmbiguousException.Reason.values()) {
      LongAdder adder = new LongAdder();
      refused.put(reason, adder);
      gauge("records-refused-total", "Requests refused because ownership was ambiguous",
          Map.of("reason", reason.name()), adder::sum);
    }
    gauge("authority-epoch", "Epoch of the authority map in force (-1 when none)", Map.of(), () -> {
      AuthorityMap map = refresher.map();
      return map == null ? -1L : map.epoch();
    });
    gauge("authority-map-age-ms", "Milliseconds since the last successful authority refresh (-1 before the first)",
        Map.of(), refresher::ageMillis);
    gauge("authority-refreshes-total", "Successful authority refreshes", Map.of(), refresher::refreshCount);
    gauge("authority-read-failures-total", "Authority source reads that failed", Map.of(), refresher::readFailureCount);
    for (DocumentProblem.Kind kind : DocumentProblem.Kind.values()) {
      gauge("authority-documents-rejected-total", "Distinct authority documents rejected, by problem",
          Map.of("reason", kind.name()), () -> refresher.rejectionCount(kind));
    }
  }

  /** Registers a numeric gauge in group {@value #GROUP} with the client-id tag and {@code extraTags}. */
  void gauge(String name, String description, Map<String, String> extraTags,
      java.util.function.LongSupplier value) {
    metrics.addMetric(name(name, description, extraTags), (Gauge<Long>) (config, now) -> value.getAsLong());
  }

  /** Registers a gauge of any value type (for example a cluster alias); replaces one of the same name and tags. */
  <T> void gaugeOf(String name, String description, Map<String, String> extraTags, java.util.function.Supplier<T> value) {
    MetricName metricName = name(name, description, extraTags);
    metrics.removeMetric(metricName);
    metrics.addMetric(metricName, (Gauge<T>) (config, now) -> value.get());
  }

  /** Removes a metric registered with {@link #gauge} or {@link #gaugeOf}. */
  void remove(String name, Map<String, String> extraTags) {
    metrics.removeMetric(name(name, "", extraTags));
  }

  /** A sensor recording values whose average and maximum are the metrics {@code <name>-avg} and {@code <name>-max}. */
  org.apache.kafka.common.metrics.Sensor avgMax(String name, String description) {
    org.apache.kafka.common.metrics.Sensor sensor = metrics.sensor(name);
    sensor.add(name(name + "-avg", "Average of " + description, Map.of()),
        new org.apache.kafka.common.metrics.stats.Avg());
    sensor.add(name(name + "-max", "Maximum of " + description, Map.of()),
        new org.apache.kafka.common.metrics.stats.Max());
    return sensor;
  }

  private MetricName name(String name, String description, Map<String, String> extraTags) {
    Map<String, String> all = new LinkedHashMap<>(tags);
    all.putAll(extraTags);
    return metrics.metricName(name, GROUP, description, all);
  }

  /** Counts one record for the per-cluster counter (routed by a producer, delivered by a consumer). */
  void routed(int clusterIndex) {
    routed[clusterIndex].increment();
  }

  /** Counts {@code n} records for the per-cluster counter. */
  void routed(int clusterIndex, int n) {
    routed[clusterIndex].add(n);
  }

  void refused(OwnershipAmbiguousException.Reason reason) {
    refused.get(reason).increment();
  }

  long refusedCount(OwnershipAmbiguousException.Reason reason) {
    return refused.get(reason).sum();
  }

  /** A mutable copy of Turnout's own metrics. */
  Map<MetricName, Metric> own() {
    return new HashMap<>(metrics.metrics());
  }

  /** Adds a cluster client's metrics to {@code into}, each tagged with the cluster alias. */
  static void addTagged(Map<MetricName, Metric> into, String alias, Map<MetricName, ? extends Metric> clientMetrics) {
    clientMetrics.forEach((name, metric) -> {
      Map<String, String> tags = new LinkedHashMap<>(name.tags());
      tags.put(CLUSTER_TAG, alias);
      MetricName tagged = new MetricName(name.name(), name.group(), name.description(), tags);
      into.put(tagged, new TaggedMetric(tagged, metric));
    });
  }

  @Override
  public void close() {
    metrics.close();
  }

  private record TaggedMetric(MetricName metricName, Metric delegate) implements Metric {
    @Override
    public Object metricValue() {
      return delegate.metricValue();
    }
  }
}
