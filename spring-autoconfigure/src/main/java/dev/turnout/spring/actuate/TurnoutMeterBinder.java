package dev.turnout.spring.actuate;

import dev.turnout.AuthorityMonitor;
import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import dev.turnout.source.AuthorityListener;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.actuate.StatusReadings.Kind;
import dev.turnout.spring.actuate.StatusReadings.Meter;
import dev.turnout.spring.actuate.StatusReadings.Reading;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientStatus;
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
import java.util.HashSet;
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
 * <p>From the open clients' {@link ClientStatus} snapshots (the meters and their tags are listed in
 * docs/spring-boot.md): counters are summed over the open clients plus the final counts of closed ones (taken
 * from their last status when they start closing), so they never go down; time gauges and a cluster's breaker
 * failure rate and id mismatch are the largest over the open clients; other gauges are summed.
 * {@code turnout.cluster.breakers} (tags {@code cluster}, {@code state}) counts the producers whose breaker of
 * the cluster is in that state, and {@code turnout.consumer.read.cluster} (tags {@code topic},
 * {@code cluster}) counts the consumers that read the topic from the cluster. Clients gain rows as they work
 * (a rule and slice at its first record, a topic at subscription): their meters appear when a client opens or
 * closes, and otherwise within the discovery interval. Each reading of a meter takes a status of every open
 * client.
 */
public final class TurnoutMeterBinder implements MeterBinder, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TurnoutMeterBinder.class);

  /** How often the clients' statuses are looked at for new rows, unless given. */
  public static final Duration DEFAULT_DISCOVERY_INTERVAL = Duration.ofSeconds(10);

  private final AuthorityMonitor monitor;
  private final TurnoutClients clients;
  private final List<String> clusters;
  private final Duration discoveryInterval;
  private final CopyOnWriteArrayList<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final Map<MeterRegistry, Set<Meter>> bound = new ConcurrentHashMap<>();
  /** Final counter values of closed clients. */
  private final Map<Meter, Double> retired = new ConcurrentHashMap<>();
  private ScheduledExecutorService discovery;
  private volatile boolean closed;

  /**
   * @param monitor the monitor of the application's authority source
   * @param clients the open clients
   * @param clusters the declared cluster aliases
   */
  public TurnoutMeterBinder(AuthorityMonitor monitor, TurnoutClients clients, List<String> clusters) {
    this(monitor, clients, clusters, DEFAULT_DISCOVERY_INTERVAL);
  }

  /**
   * @param discoveryInterval how often the clients' statuses are looked at for new rows
   */
  public TurnoutMeterBinder(AuthorityMonitor monitor, TurnoutClients clients, List<String> clusters,
      Duration discoveryInterval) {
    this.monitor = Objects.requireNonNull(monitor, "monitor");
    this.clients = Objects.requireNonNull(clients, "clients");
    this.clusters = List.copyOf(clusters);
    if (discoveryInterval.isNegative() || discoveryInterval.isZero()) {
      throw new IllegalArgumentException("discoveryInterval must be positive: " + discoveryInterval);
    }
    this.discoveryInterval = discoveryInterval;
    clients.onClosing(this::retire);
    clients.onChange(this::bindKnown);
  }

  private void retire(ClientStatus last) {
    for (Reading reading : StatusReadings.of(last)) {
      if (reading.meter().kind() == Kind.COUNTER && !Double.isNaN(reading.value())) {
        retired.merge(reading.meter(), reading.value(), Double::sum);
      }
    }
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    bindAuthority(registry);
    bound.computeIfAbsent(registry, r -> ConcurrentHashMap.newKeySet());
    registries.addIfAbsent(registry);
    // Present from the start, at 0 until a producer exists.
    for (String cluster : clusters) {
      bind(registry, new Meter("turnout.records.routed", Map.of("cluster", cluster), Kind.COUNTER));
      for (BreakerState state : BreakerState.values()) {
        bind(registry, new Meter("turnout.cluster.breakers", Map.of("cluster", cluster, "state", state.name()),
            Kind.SUM));
      }
    }
    for (OwnershipAmbiguousException.Reason reason : OwnershipAmbiguousException.Reason.values()) {
      bind(registry, new Meter("turnout.records.refused", Map.of("reason", reason.name()), Kind.COUNTER));
    }
    knownMeters().forEach(meter -> bind(registry, meter));
    startDiscovery();
  }

  /** Looks for status rows that have no meter yet and registers them (also done every discovery interval). */
  public void discover() {
    bindKnown();
  }

  private void bindKnown() {
    if (registries.isEmpty()) {
      return;
    }
    Set<Meter> meters = knownMeters();
    for (MeterRegistry registry : registries) {
      meters.forEach(meter -> bind(registry, meter));
    }
  }

  private Set<Meter> knownMeters() {
    Set<Meter> meters = new HashSet<>(retired.keySet());
    for (ClientStatus status : clients.statuses()) {
      StatusReadings.of(status).forEach(reading -> meters.add(reading.meter()));
    }
    return meters;
  }

  /** The value of a meter now, over the open clients (and, for a counter, the closed ones). */
  double value(Meter meter) {
    double sum = meter.kind() == Kind.COUNTER ? retired.getOrDefault(meter, 0.0) : 0;
    double max = Double.NaN;
    for (ClientStatus status : clients.statuses()) {
      for (Reading reading : StatusReadings.of(status)) {
        if (!reading.meter().equals(meter) || Double.isNaN(reading.value())) {
          continue;
        }
        sum += reading.value();
        max = Double.isNaN(max) ? reading.value() : Math.max(max, reading.value());
      }
    }
    return meter.kind() == Kind.MAX || meter.kind() == Kind.TIME_MAX ? max : sum;
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
        log.warn("Looking for new Turnout status rows failed; trying again in {} ms", millis, e);
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Stops looking for new status rows. The meters stay registered. */
  @Override
  public synchronized void close() {
    closed = true;
    if (discovery != null) {
      discovery.shutdownNow();
    }
  }

  private void bind(MeterRegistry registry, Meter meter) {
    Set<Meter> done = bound.get(registry);
    if (done == null || !done.add(meter)) {
      return;
    }
    String description = StatusReadings.DESCRIPTIONS.get(meter.name());
    Tags tags = tags(meter.tags());
    switch (meter.kind()) {
      case COUNTER -> FunctionCounter.builder(meter.name(), this, b -> b.value(meter)).description(description)
          .tags(tags).register(registry);
      case TIME_MAX -> TimeGauge.builder(meter.name(), this, TimeUnit.MILLISECONDS, b -> b.value(meter))
          .description(description).tags(tags).register(registry);
      default -> Gauge.builder(meter.name(), this, b -> b.value(meter)).description(description).tags(tags)
          .register(registry);
    }
  }

  private static Tags tags(Map<String, String> tags) {
    List<Tag> out = new ArrayList<>();
    new TreeMap<>(tags).forEach((k, v) -> out.add(Tag.of(k, v)));
    return Tags.of(out);
  }

  private void bindAuthority(MeterRegistry registry) {
    Gauge.builder("turnout.authority.epoch", monitor, AuthorityMonitor::epoch).description("Epoch of the authority map in force (-1 when none)").register(registry);
    TimeGauge.builder("turnout.authority.map.age", monitor, TimeUnit.MILLISECONDS, AuthorityMonitor::ageMillis)
        .description("Time since the last successful authority refresh (negative before the first)")
        .register(registry);
    Gauge.builder("turnout.authority.failing.closed", monitor,
            m -> m.failingClosedReason() == null ? 0 : 1)
        .description("1 while every routing decision is refused (no valid map, or a stale one)").register(registry);
    FunctionCounter.builder("turnout.authority.refreshes", monitor, AuthorityMonitor::refreshCount)
        .description("Successful authority refreshes").register(registry);
    FunctionCounter.builder("turnout.authority.read.failures", monitor, AuthorityMonitor::readFailureCount)
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
