package dev.turnout.internal.producer;

import dev.turnout.internal.cluster.BreakerSettings;
import dev.turnout.internal.cluster.ClientEventsInterceptor;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.internal.cluster.ClusterClients;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.cutover.AckLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer client of each declared cluster, with what guards it: its circuit breaker, its cluster id
 * check (and the periodic re-check of pinned ids), and the events its completions update. A client is
 * created on first use, from its configuration with Turnout's {@link ClientEventsInterceptor} after the
 * caller's interceptors; or it is the client the caller supplied for that alias, which is used as given (its
 * cluster id is not checked).
 */
public final class ProducerClusters<K, V> {

  private static final Logger log = LoggerFactory.getLogger(ProducerClusters.class);

  private final String clientId;
  private final List<String> aliases;
  private final ClusterBreaker[] breakers;
  private final ClusterIdentity[] identities;
  private final ClusterEvents[] events;
  private final ClusterClients<Producer<K, V>> clients;
  private final Set<KafkaMetric> subscribedMetrics = new CopyOnWriteArraySet<>();
  private final ScheduledExecutorService identityChecks;

  /**
   * @param configs each cluster's complete client configuration, in the order of {@code aliases}
   * @param expectedIds each cluster's pinned id ({@code null} when not pinned)
   * @param supplied clients supplied by the caller, by alias (used as given)
   * @param factory creates the client of a cluster without a supplied one, from its configuration
   * @param ledgers the cutover ledger of each cluster, by index
   * @param guard checks records the caller's interceptors rewrote, or {@code null} when none are configured
   */
  public ProducerClusters(String clientId, List<String> aliases, List<Map<String, Object>> configs,
      List<String> expectedIds, BreakerSettings breaker, Map<String, Producer<K, V>> supplied,
      Function<Map<String, Object>, Producer<K, V>> factory, IntFunction<AckLedger> ledgers, RewriteGuard<K, V> guard,
      long maxBlockMillis) {
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.aliases = List.copyOf(aliases);
    int n = aliases.size();
    this.breakers = new ClusterBreaker[n];
    this.identities = new ClusterIdentity[n];
    this.events = new ClusterEvents[n];
    List<Map<String, Object>> clientConfigs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String alias = aliases.get(i);
      breakers[i] = new ClusterBreaker(alias, clientId, breaker);
      identities[i] = new ClusterIdentity(alias, clientId, supplied.containsKey(alias) ? null : expectedIds.get(i),
          configs.get(i));
      events[i] = new ClusterEvents(ledgers.apply(i), breakers[i], identities[i], guard, i);
      clientConfigs.add(withEventsInterceptor(configs.get(i), events[i]));
    }
    this.clients = new ClusterClients<>(aliases, clientConfigs, (index, config) -> {
      Producer<K, V> given = supplied.get(aliases.get(index));
      if (given != null) {
        return given;
      }
      identities[index].verifyBeforeCreate(Duration.ofMillis(maxBlockMillis));
      return factory.apply(config);
    });
    this.clients.onCreate((alias, producer) -> subscribedMetrics.forEach(producer::registerMetricForSubscription));
    boolean pinned = false;
    for (ClusterIdentity identity : identities) {
      pinned |= identity.pinned();
    }
    this.identityChecks = pinned ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "turnout-cluster-check-" + clientId);
      t.setDaemon(true);
      return t;
    }) : null;
  }

  /** Whether a cluster configuration names interceptors of the caller. */
  public static boolean hasInterceptors(Map<String, Object> config) {
    return !interceptorClasses(config).isEmpty();
  }

  private static List<Object> interceptorClasses(Map<String, Object> config) {
    List<Object> interceptors = new ArrayList<>();
    Object existing = config.get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
    if (existing instanceof java.util.Collection<?> c) {
      interceptors.addAll(c);
    } else if (existing instanceof Class<?> c) {
      interceptors.add(c);
    } else if (existing != null && !existing.toString().isBlank()) {
      for (String name : existing.toString().split(",")) {
        if (!name.isBlank()) {
          interceptors.add(name.trim());
        }
      }
    }
    return interceptors;
  }

  /** A cluster's client configuration with Turnout's interceptor appended to the caller's interceptors. */
  private static Map<String, Object> withEventsInterceptor(Map<String, Object> config, ClusterEvents events) {
    Map<String, Object> out = new HashMap<>(config);
    List<Object> interceptors = interceptorClasses(config);
    interceptors.add(ClientEventsInterceptor.class);
    out.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, interceptors);
    out.put(ClientEventsInterceptor.EVENTS, events);
    return out;
  }

  /** Starts re-checking pinned cluster ids every {@code periodMillis}. */
  public void startChecks(long periodMillis) {
    if (identityChecks != null) {
      identityChecks.scheduleWithFixedDelay(() -> {
        for (ClusterIdentity identity : identities) {
          identity.checkAsync();
        }
      }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }
  }

  /** The declared aliases, by index. */
  public List<String> aliases() {
    return aliases;
  }

  /** The alias of a cluster index. */
  public String alias(int index) {
    return aliases.get(index);
  }

  /** The breaker of a cluster. */
  public ClusterBreaker breaker(int index) {
    return breakers[index];
  }

  /** The id check of a cluster. */
  public ClusterIdentity identity(int index) {
    return identities[index];
  }

  /** The events of a cluster (its ledger and breaker). */
  public ClusterEvents events(int index) {
    return events[index];
  }

  /** Every breaker, by index (for metrics). */
  public ClusterBreaker[] breakers() {
    return breakers.clone();
  }

  /** Every id check, by index (for metrics). */
  public ClusterIdentity[] identities() {
    return identities.clone();
  }

  /** The client of a cluster, created if needed (see {@link ClusterClients#get}). */
  public Producer<K, V> get(int index) {
    return clients.get(index);
  }

  /** The client of a cluster if it exists. */
  public Producer<K, V> existing(int index) {
    return clients.existing(index);
  }

  /** Runs {@code action} on every client created so far. */
  public void forEachExisting(java.util.function.BiConsumer<String, Producer<K, V>> action) {
    clients.forEachExisting(action);
  }

  /** Registers a metric with every client, including clients created later. */
  public void subscribe(KafkaMetric metric) {
    subscribedMetrics.add(metric);
    clients.forEachExisting((alias, producer) -> producer.registerMetricForSubscription(metric));
  }

  /** Unregisters a metric from every client. */
  public void unsubscribe(KafkaMetric metric) {
    subscribedMetrics.remove(metric);
    clients.forEachExisting((alias, producer) -> producer.unregisterMetricFromSubscription(metric));
  }

  /** Stops the id checks (before the clients close). */
  public void closeChecks() {
    if (identityChecks != null) {
      identityChecks.shutdownNow();
    }
    for (ClusterIdentity identity : identities) {
      try {
        identity.close();
      } catch (RuntimeException e) {
        log.warn("[{}] Error closing the cluster id check", clientId, e);
      }
    }
  }

  /** Closes every client within {@code timeout} in total; throws the first failure after trying all. */
  public void closeClients(Duration timeout) {
    clients.close(timeout, Producer::close);
  }
}
