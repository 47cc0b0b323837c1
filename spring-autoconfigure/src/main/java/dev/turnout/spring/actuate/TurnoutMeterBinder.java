package dev.turnout.spring.actuate;

import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.source.AuthorityListener;
import dev.turnout.internal.source.AuthorityRefresher;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.TurnoutClients.Kind;
import dev.turnout.spring.TurnoutClients.MetricKey;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters of Turnout's routing, aggregated over every routing client of the application (names as
 * Micrometer writes them; a registry renders them in its own convention, e.g.
 * {@code turnout_records_routed_total} in Prometheus). From the authority monitor:
 *
 * <ul>
 *   <li>{@code turnout.authority.epoch} (gauge): epoch in force, -1 before the first map;
 *   <li>{@code turnout.authority.map.age} (time gauge): time since the last successful refresh;
 *   <li>{@code turnout.authority.failing.closed} (gauge): 1 while every decision is refused, else 0;
 *   <li>{@code turnout.authority.refreshes}, {@code turnout.authority.read.failures} (counters);
 *   <li>{@code turnout.authority.documents.rejected} (counter, tag {@code reason}): distinct rejected documents;
 *   <li>{@code turnout.authority.ownership} (gauge, tags {@code rule}, {@code slice}, {@code cluster}): the
 *       share (0-1) of a rule's key buckets whose writes the cluster owns in the map in force.
 * </ul>
 *
 * <p>From the clients' {@value TurnoutClients#METRIC_GROUP} metrics, with their tags other than
 * {@code client-id}: a cumulative metric {@code a-b-total} becomes the counter {@code turnout.a.b} (producers)
 * or {@code turnout.consumer.a.b} (consumers), summed over the open clients plus the final counts of closed
 * ones, so it never goes down; {@code -ms-max} and {@code -ms-p99} become time gauges (the largest over the open
 * clients); averages and medians, which cannot be combined across clients, are left out; a cluster's breaker
 * failure rate and id mismatch are the largest over the producers; other gauges are summed. Two are reshaped:
 * {@code turnout.cluster.breakers} (tags {@code cluster}, {@code state}) counts the producers whose breaker of
 * the cluster is in that state, and {@code turnout.consumer.read.cluster} (tags {@code topic},
 * {@code cluster}) counts the consumers that read the topic from the cluster. Clients add metrics as they work
 * (a counter per rule and slice at the first record routed by it, a read cluster per topic at subscription):
 * their meters appear when a client opens or closes, and otherwise within the discovery interval.
 */
public final class TurnoutMeterBinder implements MeterBinder, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TurnoutMeterBinder.class);

  /** How often new client metrics are looked for, unless given. */
  public static final Duration DEFAULT_DISCOVERY_INTERVAL = Duration.ofSeconds(10);

  /** Descriptions of the meters registered before any client has the metric. */
  private static final Map<String, String> FALLBACK_DESCRIPTIONS = Map.of(
      "records-routed-total", "Records handed to the owner cluster's client",
      "records-refused-total", "Requests refused because ownership was ambiguous");

  private final AuthorityRefresher monitor;
  private final TurnoutClients clients;
  private final List<String> clusters;
  private final Duration discoveryInterval;
  private final CopyOnWriteArrayList<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final Map<MeterRegistry, Set<MetricKey>> bound = new ConcurrentHashMap<>();
  private ScheduledExecutorService discovery;
  private volatile boolean closed;

  /**
   * @param monitor a refresher of the application's authority source
   * @param clients the open clients
   * @param clusters the declared cluster aliases
   */
  public TurnoutMeterBinder(AuthorityRefresher monitor, TurnoutClients clients, List<String> clusters) {
    this(monitor, clients, clusters, DEFAULT_DISCOVERY_INTERVAL);
  }

  /**
   * @param discoveryInterval how often the clients' metrics are looked for new ones
   */
  public TurnoutMeterBinder(AuthorityRefresher monitor, TurnoutClients clients, List<String> clusters,
      Duration discoveryInterval) {
    this.monitor = Objects.requireNonNull(monitor, "monitor");
    this.clients = Objects.requireNonNull(clients, "clients");
    this.clusters = List.copyOf(clusters);
    if (discoveryInterval.isNegative() || discoveryInterval.isZero()) {
      throw new IllegalArgumentException("discoveryInterval must be positive: " + discoveryInterval);
    }
    this.discoveryInterval = discoveryInterval;
    clients.onChange(this::bindKnown);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    bindAuthority(registry);
    bound.computeIfAbsent(registry, r -> ConcurrentHashMap.newKeySet());
    registries.addIfAbsent(registry);
    // Present from the start, at 0 until a producer exists.
    for (String cluster : clusters) {
      bind(registry, new MetricKey(Kind.PRODUCER, "records-routed-total", Map.of("cluster", cluster)));
      bind(registry, new MetricKey(Kind.PRODUCER, "cluster-breaker-state", Map.of("cluster", cluster)));
    }
    for (OwnershipAmbiguousException.Reason reason : OwnershipAmbiguousException.Reason.values()) {
      bind(registry, new MetricKey(Kind.PRODUCER, "records-refused-total", Map.of("reason", reason.name())));
    }
    clients.keys().forEach(key -> bind(registry, key));
    startDiscovery();
  }

  /** Looks for client metrics that have no meter yet and registers them (also done every discovery interval). */
  public void discover() {
    clients.rescan();
    bindKnown();
  }

  private void bindKnown() {
    if (registries.isEmpty()) {
      return;
    }
    Set<MetricKey> keys = clients.keys();
    for (MeterRegistry registry : registries) {
      keys.forEach(key -> bind(registry, key));
    }
  }

  private synchronized void startDiscovery() {
    if (discovery != null || closed) {
      return;
    }
    discovery = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "turnout-meter-discovery");
      thread.setDaemon(true);
      return thread;
    });
    long millis = discoveryInterval.toMillis();
    discovery.scheduleWithFixedDelay(() -> {
      try {
        discover();
      } catch (RuntimeException e) {
        log.warn("Looking for new Turnout client metrics failed; trying again in {} ms", millis, e);
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Stops looking for new client metrics. The meters stay registered. */
  @Override
  public synchronized void close() {
    closed = true;
    if (discovery != null) {
      discovery.shutdownNow();
    }
  }

  private void bind(MeterRegistry registry, MetricKey key) {
    Set<MetricKey> done = bound.get(registry);
    if (done == null || !done.add(key)) {
      return;
    }
    String name = key.name();
    if (name.startsWith("authority-") || name.endsWith("-avg") || name.endsWith("-p50")) {
      return; // the authority meters come from the monitor; averages and medians cannot be combined
    }
    String prefix = key.kind() == Kind.CONSUMER ? "turnout.consumer." : "turnout.";
    String description = clients.description(key);
    if (description == null) {
      description = FALLBACK_DESCRIPTIONS.get(name);
    }
    Tags tags = tags(key.tags());
    if (name.equals("cluster-breaker-state")) {
      for (ClusterBreaker.State state : ClusterBreaker.State.values()) {
        Gauge.builder("turnout.cluster.breakers", clients,
                c -> c.count(key, v -> v instanceof Number n && n.intValue() == state.code()))
            .description("Producers whose circuit breaker of the cluster is in the state")
            .tags(tags).tag("state", state.name()).register(registry);
      }
    } else if (name.equals("read-cluster")) {
      for (String cluster : clusters) {
        Gauge.builder(prefix + "read.cluster", clients, c -> c.count(key, cluster::equals))
            .description("Consumers that read the topic from the cluster").tags(tags).tag("cluster", cluster)
            .register(registry);
      }
    } else if (name.endsWith("-total")) {
      FunctionCounter.builder(prefix + dotted(name.substring(0, name.length() - "-total".length())), clients,
          c -> c.sum(key)).description(description).tags(tags).register(registry);
    } else if (name.endsWith("-ms-max") || name.endsWith("-ms-p99")) {
      String stat = name.substring(name.length() - 3);
      String base = name.substring(0, name.length() - "-ms-max".length());
      TimeGauge.builder(prefix + dotted(base) + "." + stat, clients, TimeUnit.MILLISECONDS, c -> c.max(key))
          .description(description).tags(tags).register(registry);
    } else if (name.equals("cluster-breaker-failure-rate") || name.equals("cluster-id-mismatch")) {
      Gauge.builder(prefix + dotted(name), clients, c -> c.max(key)).description(description).tags(tags)
          .register(registry);
    } else {
      Gauge.builder(prefix + dotted(name), clients, c -> c.sum(key)).description(description).tags(tags)
          .register(registry);
    }
  }

  private static String dotted(String kafkaName) {
    return kafkaName.replace('-', '.');
  }

  private static Tags tags(Map<String, String> tags) {
    List<Tag> out = new ArrayList<>();
    new TreeMap<>(tags).forEach((k, v) -> out.add(Tag.of(k, v)));
    return Tags.of(out);
  }

  private void bindAuthority(MeterRegistry registry) {
    Gauge.builder("turnout.authority.epoch", monitor, m -> {
      AuthorityMap map = m.map();
      return map == null ? -1 : map.epoch();
    }).description("Epoch of the authority map in force (-1 when none)").register(registry);
    TimeGauge.builder("turnout.authority.map.age", monitor, TimeUnit.MILLISECONDS, AuthorityRefresher::ageMillis)
        .description("Time since the last successful authority refresh (negative before the first)")
        .register(registry);
    Gauge.builder("turnout.authority.failing.closed", monitor,
            m -> AuthorityStatus.failingClosedReason(m) == null ? 0 : 1)
        .description("1 while every routing decision is refused (no valid map, or a stale one)").register(registry);
    FunctionCounter.builder("turnout.authority.refreshes", monitor, AuthorityRefresher::refreshCount)
        .description("Successful authority refreshes").register(registry);
    FunctionCounter.builder("turnout.authority.read.failures", monitor, AuthorityRefresher::readFailureCount)
        .description("Authority source reads that failed").register(registry);
    for (DocumentProblem.Kind kind : DocumentProblem.Kind.values()) {
      FunctionCounter.builder("turnout.authority.documents.rejected", monitor, m -> m.rejectionCount(kind))
          .description("Distinct authority documents rejected, by problem").tag("reason", kind.name())
          .register(registry);
    }
    MultiGauge ownership = MultiGauge.builder("turnout.authority.ownership")
        .description("Share of a rule's key buckets whose writes the cluster owns").register(registry);
    ownership.register(rows(monitor.map()), true);
    monitor.addListener(new AuthorityListener() {
      @Override
      public void onInstalled(AuthorityMap previous, AuthorityMap current) {
        ownership.register(rows(current), true);
      }
    });
  }

  private static List<MultiGauge.Row<?>> rows(AuthorityMap map) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    if (map == null) {
      return rows;
    }
    for (Rule rule : map.rules()) {
      if (!rule.sliced()) {
        rows.add(row(rule.name(), "-", rule.unslicedRoute().owner(), 1.0));
        continue;
      }
      for (Slice slice : rule.slices()) {
        rows.add(row(rule.name(), slice.name(), slice.owner(), slice.bucketCount() / (double) AuthorityMap.BUCKETS));
      }
    }
    return rows;
  }

  private static MultiGauge.Row<?> row(String rule, String slice, String cluster, double share) {
    return MultiGauge.Row.of(Tags.of("rule", rule, "slice", slice, "cluster", cluster), share);
  }
}
