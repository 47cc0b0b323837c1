package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.Route;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.cutover.CutoverCoordinator;
import dev.turnout.internal.source.AuthorityRefresher;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Percentile;
import org.apache.kafka.common.metrics.stats.Percentiles;
import org.apache.kafka.common.utils.Time;

/**
 * Turnout's own metrics (group {@value #GROUP}), kept in lock-free counters and exposed as Kafka gauges, plus
 * the merge of every cluster client's metrics with a {@code cluster} tag.
 */
final class ClientMetrics implements AutoCloseable {

  static final String GROUP = "turnout";
  static final String CLUSTER_TAG = "cluster";
  /** {@code records-refused-total} reason of sends refused by an open circuit breaker. */
  static final String CLUSTER_UNAVAILABLE = "CLUSTER_UNAVAILABLE";
  /** {@code records-refused-total} reason of sends that found no room at a cutover barrier. */
  static final String CUTOVER_BUFFER_EXHAUSTED = "CUTOVER_BUFFER_EXHAUSTED";
  private static final double BARRIER_WAIT_HISTOGRAM_MAX_MS = 120_000;

  private final Metrics metrics;
  private final Map<String, String> tags;
  private final LongAdder[] routed;
  private final Map<OwnershipAmbiguousException.Reason, LongAdder> refused =
      new EnumMap<>(OwnershipAmbiguousException.Reason.class);
  private final LongAdder refusedUnavailable = new LongAdder();
  private final LongAdder refusedBufferExhausted = new LongAdder();
  /** Routed-record counters per decision of the maps in force (identity keys), and per cluster/rule/slice. */
  private final ConcurrentHashMap<Route, LongAdder> routedByRoute = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<List<String>, LongAdder> routedBySlice = new ConcurrentHashMap<>();
  /**
   * The counter of the decision counted last: consecutive sends of one decision skip the map lookup. Plain
   * field: the holder is immutable, and a thread that misses another's update only looks the map up.
   */
  private RouteCounter lastRoute;
  private final Sensor barrierWait;

  private record RouteCounter(Route route, LongAdder counter) {}

  /** The metrics of a producer: {@code records-routed-total} per cluster. */
  ClientMetrics(String clientId, List<String> clusters, AuthorityRefresher refresher) {
    this(clientId, clusters, refresher, "records-routed-total", "Records handed to the owner cluster's client");
  }

  /**
   * @param perClusterName name of the per-cluster record counter ({@link #routed(int, int)})
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
      String alias = clusters.get(i);
      gauge(perClusterName, perClusterDescription, Map.of(CLUSTER_TAG, alias), () -> adder.sum() + routedTo(alias));
    }
    for (OwnershipAmbiguousException.Reason reason : OwnershipAmbiguousException.Reason.values()) {
      LongAdder adder = new LongAdder();
      refused.put(reason, adder);
      gauge("records-refused-total", "Requests refused because ownership was ambiguous",
          Map.of("reason", reason.name()), adder::sum);
    }
    gauge("records-refused-total", "Requests refused because ownership was ambiguous", Map.of("reason", CLUSTER_UNAVAILABLE),
        refusedUnavailable::sum);
    gauge("records-refused-total", "Requests refused because ownership was ambiguous",
        Map.of("reason", CUTOVER_BUFFER_EXHAUSTED), refusedBufferExhausted::sum);
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
    barrierWait = metrics.sensor("cutover-barrier-wait");
    barrierWait.add(name("cutover-barrier-wait-ms-avg", "Average wait of cutover barriers, from the cutover to release"),
        new Avg());
    barrierWait.add(name("cutover-barrier-wait-ms-max", "Longest wait of a cutover barrier"), new Max());
    barrierWait.add(new Percentiles(4_000, 0, BARRIER_WAIT_HISTOGRAM_MAX_MS, Percentiles.BucketSizing.LINEAR,
        new Percentile(name("cutover-barrier-wait-ms-p50", "Median wait of cutover barriers"), 50),
        new Percentile(name("cutover-barrier-wait-ms-p99", "99th percentile wait of cutover barriers"), 99)));
  }

  private MetricName name(String name, String description) {
    return metrics.metricName(name, GROUP, description, tags);
  }

  /** Registers the cutover gauges. */
  void registerCutover(CutoverCoordinator cutover) {
    gauge("cutovers-total", "Epochs whose moved slices needed a cutover barrier", Map.of(), cutover::cutovers);
    gauge("cutover-barriers-total", "Cutover barriers (one per topic with moved slices and epoch)", Map.of(),
        cutover::barriers);
    gauge("cutover-barrier-timeouts-total", "Cutover barriers that did not complete within the maximum pause", Map.of(),
        cutover::timeouts);
    gauge("cutovers-pending", "Cutovers whose barriers are not all open", Map.of(), cutover::pendingCutovers);
    gauge("cutover-records-waiting", "Records waiting at cutover barriers", Map.of(), cutover::waitingRecords);
    gauge("cutover-bytes-waiting", "Estimated bytes of the records waiting at cutover barriers", Map.of(),
        cutover::waitingBytes);
  }

  /** Registers the per-cluster breaker and identity gauges. */
  void registerClusters(List<String> clusters, ClusterBreaker[] breakers, ClusterIdentity[] identities) {
    for (int i = 0; i < clusters.size(); i++) {
      ClusterBreaker breaker = breakers[i];
      ClusterIdentity identity = identities[i];
      Map<String, String> cluster = Map.of(CLUSTER_TAG, clusters.get(i));
      gauge("cluster-breaker-state", "Circuit breaker of the cluster: 0 closed, 1 open, 2 half-open, 3 disabled", cluster,
          () -> breaker.state().code());
      metrics.addMetric(metrics.metricName("cluster-breaker-failure-rate", GROUP,
          "Failed sends in the breaker's window, in percent (-1 until the window holds the minimum)", withTags(cluster)),
          (Gauge<Double>) (config, now) -> breaker.failureRate());
      gauge("cluster-id-mismatch", "1 while the cluster reports another id than expected.cluster.id", cluster,
          () -> identity.mismatch() == null ? 0 : 1);
    }
  }

  private Map<String, String> withTags(Map<String, String> extra) {
    Map<String, String> all = new LinkedHashMap<>(tags);
    all.putAll(extra);
    return all;
  }

  /** Records the wait of a barrier that opened. */
  void barrierWait(long millis) {
    barrierWait.record(millis);
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
  Sensor avgMax(String name, String description) {
    Sensor sensor = metrics.sensor(name);
    sensor.add(name(name + "-avg", "Average of " + description, Map.of()), new Avg());
    sensor.add(name(name + "-max", "Maximum of " + description, Map.of()), new Max());
    return sensor;
  }

  private MetricName name(String name, String description, Map<String, String> extraTags) {
    return metrics.metricName(name, GROUP, description, withTags(extraTags));
  }

  /** Counts {@code n} records for the per-cluster counter. */
  void routed(int clusterIndex, int n) {
    routed[clusterIndex].add(n);
  }

  /**
   * Counts one routed record for its rule and slice, and so for its cluster (whose total adds up the slices
   * when read): one counter update per send.
   */
  void routed(Route route) {
    RouteCounter last = lastRoute;
    if (last == null || last.route() != route) {
      LongAdder counter = routedByRoute.get(route);
      if (counter == null) {
        counter = routedByRoute.computeIfAbsent(route, this::sliceCounter);
      }
      last = new RouteCounter(route, counter);
      lastRoute = last;
    }
    last.counter().increment();
  }

  /** Records routed to {@code owner} as counted per rule and slice. */
  private long routedTo(String owner) {
    long total = 0;
    for (Map.Entry<List<String>, LongAdder> e : routedBySlice.entrySet()) {
      if (e.getKey().get(0).equals(owner)) {
        total += e.getValue().sum();
      }
    }
    return total;
  }

  private LongAdder sliceCounter(Route route) {
    String slice = route.slice() == null ? "-" : route.slice();
    List<String> key = List.of(route.owner(), route.rule().name(), slice);
    return routedBySlice.computeIfAbsent(key, k -> {
      LongAdder adder = new LongAdder();
      gauge("records-routed-by-rule-total", "Records handed to the owner cluster's client, per rule and slice",
          Map.of(CLUSTER_TAG, k.get(0), "rule", k.get(1), "slice", k.get(2)), adder::sum);
      return adder;
    });
  }

  /** Drops the per-decision lookup entries of maps older than {@code epoch} (their counters stay). */
  void forgetRoutesBefore(long epoch) {
    routedByRoute.keySet().removeIf(route -> route.epoch() < epoch);
  }

  void refused(OwnershipAmbiguousException.Reason reason) {
    refused.get(reason).increment();
  }

  void refusedUnavailable() {
    refusedUnavailable.increment();
  }

  void refusedBufferExhausted() {
    refusedBufferExhausted.increment();
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
