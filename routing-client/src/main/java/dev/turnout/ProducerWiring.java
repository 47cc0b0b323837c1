package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.cutover.ClusterAccess;
import dev.turnout.internal.cutover.CutoverCoordinator;
import dev.turnout.internal.cutover.RollbackPolicy;
import dev.turnout.internal.cutover.SliceReconciliation;
import dev.turnout.internal.producer.ProducerClusters;
import dev.turnout.internal.producer.RecordKeys;
import dev.turnout.internal.producer.RewriteGuard;
import dev.turnout.internal.provenance.RecordIds;
import dev.turnout.source.AuthorityListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a {@link RoutingProducer}, built from its settings and wired together: the shared client core,
 * metrics, the clients of each cluster (created on first use, or supplied by the caller), the cutover
 * coordinator, the send path and transactions. {@link #start()} loads the first map; {@link #close} stops
 * and closes everything in order.
 */
final class ProducerWiring<K, V> {

  private static final Logger log = LoggerFactory.getLogger(RoutingProducer.class);

  final TurnoutSettings settings;
  final ClientCore core;
  final ClientMetrics metrics;
  final RecordKeys<K, V> keys;
  final Refusals refusals;
  final CutoverCoordinator cutover;
  final ProducerClusters<K, V> clusters;
  final SendPath<K, V> sendPath;
  final Transactions<K, V> transactions;
  final Listeners listeners;
  final ProducerStatusView status;
  private final FleetStatus fleet;

  /**
   * Where the reconciliation of rolled-back slices comes from when the caller supplies none: a
   * {@link ReconcilerReconciliation} over the clusters' connection and security settings. (A factory returning
   * {@code null} leaves the producer without one: every slice moved back from the target to the source that has
   * records to prove then fails closed with {@code ROLLBACK_NOT_RECONCILED}.)
   */
  static final SliceReconciliation.Factory DEFAULT_RECONCILIATION = ReconcilerReconciliation::create;

  /**
   * @param supplied clients supplied by the caller, by alias (see {@link RoutingProducer.Builder})
   */
  ProducerWiring(TurnoutSettings settings, Serializer<K> keySerializer, Serializer<V> valueSerializer,
      Map<String, Producer<K, V>> supplied) {
    this(settings, keySerializer, valueSerializer, supplied, DEFAULT_RECONCILIATION);
  }

  /**
   * @param supplied clients supplied by the caller, by alias (see {@link RoutingProducer.Builder})
   * @param reconciliation creates the reconciliation of slices moved back from the target to the source
   */
  ProducerWiring(TurnoutSettings settings, Serializer<K> keySerializer, Serializer<V> valueSerializer,
      Map<String, Producer<K, V>> supplied, SliceReconciliation.Factory reconciliation) {
    this.settings = settings;
    checkSupplied(settings, supplied);
    this.fleet = FleetStatus.plan(settings);
    this.keys = RecordKeys.create(settings.base, settings.keySerializerClass, settings.valueSerializerClass,
        keySerializer, valueSerializer);
    this.core = new ClientCore(settings, "RoutingProducer");
    this.metrics = new ClientMetrics(settings.clientId, settings.clusters, core.refresher());
    this.listeners = core.listeners();
    this.refusals = new Refusals(settings.clientId, metrics, settings.clusters.size(), listeners);
    Access access = new Access();
    RecordIds ids = new RecordIds();
    RollbackPolicy rollback = new RollbackPolicy(settings.rollbackAutoReconcile, settings.rollbackMaxPauseMillis,
        RollbackPolicy.DEFAULT_POLL_MILLIS, Objects.requireNonNull(reconciliation, "reconciliation")
            .create(settings.clientId, settings.clusters, settings.clusterConfigs));
    this.cutover = new CutoverCoordinator(settings.clientId, settings.clusters, settings.barrierMode,
        settings.maxPauseMillis, settings.cutoverBufferBytes, ids.instance(), access, metrics::barrierWait, rollback);
    RewriteGuard<K, V> guard = settings.clusterConfigs.stream().anyMatch(ProducerClusters::hasInterceptors)
        ? new RewriteGuard<>(cutover, keys, settings.clusters) : null;
    this.clusters = new ProducerClusters<>(settings.clientId, settings.clusters, settings.clusterConfigs,
        settings.expectedClusterIds, settings.breaker, supplied,
        config -> new KafkaProducer<>(config, keySerializer, valueSerializer), cutover::ledger, guard,
        settings.maxBlockMillis);
    Dispatcher<K, V> dispatcher = new Dispatcher<>(clusters, refusals, metrics, guard, settings.breaker);
    this.sendPath = new SendPath<>(settings.clientId, core, cutover, keys, dispatcher, clusters, refusals, metrics, ids,
        settings.maxBlockMillis, settings.cutoverBufferBytes);
    this.transactions = new Transactions<>(settings.transactionalId != null && !settings.transactionalId.isBlank(),
        clusters, cutover, core,
        keys, sendPath, dispatcher, refusals, settings.maxBlockMillis);
    access.wire(clusters, transactions);
    metrics.registerCutover(cutover);
    metrics.registerClusters(settings.clusters, clusters.breakers(), clusters.identities());
    core.addListener(new AuthorityListener() {
      @Override
      public void onInstalled(AuthorityMap previous, AuthorityMap current) {
        cutover.install(previous, current);
        if (previous != null) {
          metrics.forgetRoutesBefore(previous.epoch());
        }
      }
    });
    // After the cutover's listener: an epoch counts as applied once the cutover machinery has installed it.
    this.status = new ProducerStatusView(settings.clientId, core.instanceId(), settings.clusters, core.refresher(), metrics, cutover,
        clusters.breakers(), clusters.identities(), listeners);
  }

  private static void checkSupplied(TurnoutSettings settings, Map<String, ?> supplied) {
    for (String alias : supplied.keySet()) {
      if (!settings.clusters.contains(alias)) {
        throw new ConfigException(TurnoutConfig.CLUSTERS, settings.clusters, "a client was supplied for cluster '"
            + alias + "', which is not declared in " + TurnoutConfig.CLUSTERS + ": declare it or remove the client");
      }
    }
  }

  /** Loads the first map and starts refreshing; closes everything built and rethrows if that fails. */
  void start() {
    try {
      core.start();
    } catch (RuntimeException e) {
      core.close();
      cutover.close();
      clusters.closeChecks();
      metrics.close();
      keys.close();
      throw e;
    }
    clusters.startChecks(settings.refreshMillis);
    if (fleet != null) {
      fleet.start(core.instanceId(), listeners, status::snapshot, status::changeSignature);
    }
    log.info("[{}] RoutingProducer started for clusters {} with authority from {}; cutover barrier {}, max pause {} ms",
        settings.clientId, settings.clusters, core.sourceDescription(), settings.barrierMode.configValue(),
        settings.maxPauseMillis);
  }

  /** Stops refreshing, ends the cutovers, and closes every client within {@code timeout} in total. */
  void close(Duration timeout) {
    if (fleet != null) {
      fleet.close(timeout); // the tombstone first: this instance stops counting in the fleet
    }
    core.close();
    Duration budget = timeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365) : timeout;
    long deadline = System.nanoTime() + Math.max(0, budget.toNanos());
    cutover.close(budget);
    clusters.closeChecks();
    RuntimeException failure = null;
    try {
      Duration remaining = timeout.compareTo(Duration.ofDays(365)) > 0 ? timeout
          : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      clusters.closeClients(remaining);
    } catch (RuntimeException e) {
      failure = e;
    }
    metrics.close();
    keys.close();
    log.info("[{}] RoutingProducer closed", settings.clientId);
    if (failure != null) {
      throw failure;
    }
  }

  /** What the cutover machinery may do with the clusters; wired once the clusters exist. */
  private final class Access implements ClusterAccess {
    private volatile ProducerClusters<K, V> clusters;
    private volatile Transactions<K, V> transactions;

    void wire(ProducerClusters<K, V> clusters, Transactions<K, V> transactions) {
      this.clusters = Objects.requireNonNull(clusters);
      this.transactions = Objects.requireNonNull(transactions);
    }

    @Override
    public void flush(int cluster) {
      Producer<K, V> producer = clusters.existing(cluster);
      if (producer != null) {
        producer.flush();
      }
    }

    @Override
    public Map<String, Object> consumerConfig(int cluster) {
      Map<String, Object> config = new HashMap<>();
      Set<String> consumerKeys = ConsumerConfig.configNames();
      settings.clusterConfigs.get(cluster).forEach((key, value) -> {
        if (value != null && consumerKeys.contains(key)) {
          config.put(key, value);
        }
      });
      return config;
    }

    @Override
    public long activeTransactionEpoch() {
      return transactions.activeEpoch();
    }
  }
}
