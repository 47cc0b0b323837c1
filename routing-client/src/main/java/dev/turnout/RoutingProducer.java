package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import dev.turnout.cluster.ClusterClients;
import dev.turnout.provenance.ProvenanceHeaders;
import dev.turnout.provenance.RecordIds;
import dev.turnout.source.AuthorityRefresher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drop-in {@link Producer} that sends every record to the cluster the authority map names as its owner,
 * stamps provenance headers, and refuses (fails closed) any write it cannot attribute to exactly one owner.
 *
 * <p>Replace {@code new KafkaProducer<>(props)} with {@code new RoutingProducer<>(props)} and add the
 * {@code turnout.*} settings ({@link TurnoutConfig}). Every other setting applies to the {@link KafkaProducer}
 * of each cluster, which is created on first use with {@code client.id} {@code <client.id>-<alias>}.
 *
 * <p>Routing: the map in force is re-read every {@code turnout.authority.refresh.ms}; a flip takes effect for
 * sends made after it is loaded. A refused send writes nothing, completes its future exceptionally with an
 * {@link OwnershipAmbiguousException} and passes it to the callback. The caller's {@link ProducerRecord} and
 * its headers are never modified: each send routes a copy, so a record can be sent again.
 *
 * <p>Thread-safe, like {@code KafkaProducer}.
 */
public class RoutingProducer<K, V> implements Producer<K, V> {

  private static final Logger log = LoggerFactory.getLogger(RoutingProducer.class);
  private static final AtomicInteger CLIENT_SEQUENCE = new AtomicInteger();
  private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final TurnoutSettings settings;
  private final AuthorityRefresher refresher;
  private final ClusterClients<Producer<K, V>> clients;
  private final Serializer<K> routingKeySerializer;
  private final boolean ownsKeySerializer;
  private final RecordIds ids = new RecordIds();
  private final ClientMetrics metrics;
  private final long maxStalenessNanos;
  private final boolean transactional;
  private final Set<KafkaMetric> subscribedMetrics = new CopyOnWriteArraySet<>();
  private final Map<Reason, AtomicLong> lastRefusalLog = new EnumMap<>(Reason.class);
  private final Transaction transaction;
  private volatile boolean closed;

  /** A producer configured by properties, serializers named by {@code key.serializer}/{@code value.serializer}. */
  public RoutingProducer(Properties properties) {
    this(Utils.propsToMap(properties), null, null);
  }

  /** A producer configured by properties, with serializer instances (not configured by the producer). */
  public RoutingProducer(Properties properties, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
    this(Utils.propsToMap(properties), keySerializer, valueSerializer);
  }

  /** A producer configured by a map, serializers named by {@code key.serializer}/{@code value.serializer}. */
  public RoutingProducer(Map<String, Object> configs) {
    this(configs, null, null);
  }

  /**
   * A producer configured by a map, with serializer instances. As with {@code KafkaProducer}, instances are
   * not configured by the producer; they are shared by the clients of every cluster and closed with them.
   */
  public RoutingProducer(Map<String, Object> configs, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
    Objects.requireNonNull(configs, "configs");
    this.settings = TurnoutSettings.parse(configs, "turnout-producer-" + CLIENT_SEQUENCE.incrementAndGet());
    this.maxStalenessNanos = TimeUnit.MILLISECONDS.toNanos(settings.maxStalenessMillis);
    Object txnId = settings.base.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    this.transactional = txnId != null && !txnId.toString().isBlank();
    this.transaction = new Transaction(settings.clusters.size());
    if (keySerializer != null) {
      this.routingKeySerializer = keySerializer;
      this.ownsKeySerializer = false;
    } else {
      this.routingKeySerializer = newKeySerializer(settings.base);
      this.ownsKeySerializer = true;
    }
    this.clients = new ClusterClients<>(settings.clusters, settings.clusterConfigs,
        config -> new KafkaProducer<>(config, keySerializer, valueSerializer));
    this.clients.onCreate((alias, producer) -> subscribedMetrics.forEach(producer::registerMetricForSubscription));
    this.refresher = new AuthorityRefresher(settings.createSource(), settings.clusters, settings.refreshMillis,
        settings.maxStalenessMillis, settings.clientId);
    for (Reason reason : Reason.values()) {
      lastRefusalLog.put(reason, new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS));
    }
    this.metrics = new ClientMetrics(settings.clientId, settings.clusters, refresher);
    try {
      refresher.start();
    } catch (RuntimeException e) {
      refresher.close();
      metrics.close();
      throw e;
    }
    log.info("[{}] RoutingProducer started for clusters {} with authority from {}", settings.clientId,
        settings.clusters, refresher.source().description());
  }

  @SuppressWarnings("unchecked")
  private static <K> Serializer<K> newKeySerializer(Map<String, Object> base) {
    Object spec = base.get(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
    if (spec == null) {
      throw new ConfigException(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, null,
          "Missing required configuration \"key.serializer\" which has no default value.");
    }
    Serializer<K> serializer;
    try {
      if (spec instanceof Class<?> c) {
        serializer = Utils.newInstance(c.asSubclass(Serializer.class));
      } else {
        serializer = Utils.newInstance(spec.toString().trim(), Serializer.class);
      }
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new ConfigException(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, spec, "not a Serializer class: " + e);
    }
    serializer.configure(base, true);
    return serializer;
  }

  /**
   * Routes and sends a record. See {@link #send(ProducerRecord, Callback)}.
   */
  @Override
  public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
    return send(record, null);
  }

  /**
   * Routes a copy of {@code record} to its owner cluster and sends it there with the {@code turnout.route}
   * and {@code turnout.id} headers (any such headers on the record are replaced). Keys are serialized to
   * find their slice only for rules split by key. A refused record is written nowhere: the returned future
   * fails and {@code callback} receives an {@link OwnershipAmbiguousException}.
   *
   * <p>Compatibility: the key serializer's two-argument {@code serialize(topic, data)} computes the slice.
   */
  @Override
  public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
    Objects.requireNonNull(record, "record");
    ensureOpen();
    Route route;
    Producer<K, V> producer;
    if (transaction.active) {
      synchronized (transaction) {
        if (transaction.active) {
          AuthorityMap map = transaction.map;
          OwnershipAmbiguousException refusal = checkFresh(map, record.topic());
          if (refusal != null) {
            return refuse(refusal, record, callback);
          }
          route = route(map, record);
          if (!route.routable()) {
            return refuse(refusalFor(route, record.topic()), record, callback);
          }
          if (transaction.bound < 0) {
            transaction.bind(route.ownerIndex());
          } else if (transaction.bound != route.ownerIndex()) {
            return refuse(new OwnershipAmbiguousException(Reason.TRANSACTION_BOUND_TO_OTHER_CLUSTER, record.topic(),
                map.epoch(), "The open transaction is bound to cluster '" + clients.alias(transaction.bound)
                    + "', but authority map epoch " + map.epoch() + " makes '" + route.owner() + "' the owner of topic '"
                    + record.topic() + "' (rule '" + route.rule().name() + "'). A transaction cannot span clusters: "
                    + "abort it and send these records in separate transactions."), record, callback);
          }
          producer = clients.get(route.ownerIndex());
          return dispatch(producer, route, record, callback);
        }
      }
    }
    AuthorityMap map = refresher.map();
    OwnershipAmbiguousException refusal = checkFresh(map, record.topic());
    if (refusal != null) {
      return refuse(refusal, record, callback);
    }
    route = route(map, record);
    if (!route.routable()) {
      return refuse(refusalFor(route, record.topic()), record, callback);
    }
    producer = clients.get(route.ownerIndex());
    return dispatch(producer, route, record, callback);
  }

  private Future<RecordMetadata> dispatch(Producer<K, V> producer, Route route, ProducerRecord<K, V> record,
      Callback callback) {
    ProducerRecord<K, V> routed = new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(),
        record.key(), record.value(),
        ProvenanceHeaders.stamp(record.headers().toArray(), route.routeHeader(), ids.next()));
    Future<RecordMetadata> future = producer.send(routed, callback);
    metrics.routed(route.ownerIndex());
    return future;
  }

  private Route route(AuthorityMap map, ProducerRecord<K, V> record) {
    Rule rule = map.ruleFor(record.topic());
    if (rule == null) {
      return map.route(record.topic(), null);
    }
    Route unsliced = rule.unslicedRoute();
    if (unsliced != null) {
      return unsliced;
    }
    byte[] key = record.key() == null ? null : routingKeySerializer.serialize(record.topic(), record.key());
    return key == null ? rule.nullKeyRoute() : rule.routeForBucket(AuthorityMap.bucket(key));
  }

  private OwnershipAmbiguousException checkFresh(AuthorityMap map, String topic) {
    if (map == null) {
      return new OwnershipAmbiguousException(Reason.NO_AUTHORITY_MAP, topic, -1,
          "No valid authority map has been loaded from " + refresher.source().description() + " yet; refusing the "
              + "write to topic '" + topic + "'. The log says why the document is unreadable or was rejected.");
    }
    if (System.nanoTime() - refresher.lastSuccessNanos() > maxStalenessNanos) {
      return new OwnershipAmbiguousException(Reason.STALE_AUTHORITY_MAP, topic, map.epoch(),
          "The authority map (epoch " + map.epoch() + ") is stale: no refresh from "
              + refresher.source().description() + " has succeeded for " + refresher.ageMillis() + " ms ("
              + TurnoutConfig.AUTHORITY_MAX_STALENESS_MS + "=" + settings.maxStalenessMillis + "). Refusing the write "
              + "to topic '" + topic + "' until the source is readable and valid again.");
    }
    return null;
  }

  private OwnershipAmbiguousException refusalFor(Route route, String topic) {
    if (route.refusal() == Route.Refusal.NO_MATCHING_RULE) {
      return new OwnershipAmbiguousException(Reason.NO_MATCHING_RULE, topic, route.epoch(),
          "No rule of authority map epoch " + route.epoch() + " governs topic '" + topic + "'. Add it to a rule "
              + "(rule.<name>.topics or rule.<name>.topic-prefix) in a document with a higher epoch.");
    }
    String rule = route.rule().name();
    return new OwnershipAmbiguousException(Reason.NULL_KEY_NOT_ROUTABLE, topic, route.epoch(),
        "A record for topic '" + topic + "' has a null key, but rule '" + rule + "' splits writes by key at epoch "
            + route.epoch() + " and has no rule." + rule + ".null-key-owner. Set it, or send keyed records.");
  }

  private Future<RecordMetadata> refuse(OwnershipAmbiguousException refusal, ProducerRecord<K, V> record,
      Callback callback) {
    metrics.refused(refusal.reason());
    AtomicLong last = lastRefusalLog.get(refusal.reason());
    long now = System.nanoTime();
    long previous = last.get();
    if (now - previous >= REFUSAL_LOG_INTERVAL_NANOS && last.compareAndSet(previous, now)) {
      log.warn("[{}] Refused a write ({}; {} refusal(s) for this reason so far): {}", settings.clientId,
          refusal.reason(), metrics.refusedCount(refusal.reason()), refusal.getMessage());
    }
    if (callback != null) {
      RecordMetadata metadata = new RecordMetadata(
          new TopicPartition(record.topic(), record.partition() == null ? RecordMetadata.UNKNOWN_PARTITION
              : record.partition()), -1, -1, RecordBatch.NO_TIMESTAMP, -1, -1);
      try {
        callback.onCompletion(metadata, refusal);
      } catch (RuntimeException e) {
        log.error("[{}] Error executing user-provided callback on a refused record", settings.clientId, e);
      }
    }
    return CompletableFuture.failedFuture(refusal);
  }

  /**
   * Enables transactions ({@code transactional.id} must be set). The clients of each cluster are
   * initialized lazily, when a transaction first binds to that cluster.
   */
  @Override
  public void initTransactions() {
    ensureOpen();
    requireTransactional();
    synchronized (transaction) {
      transaction.initialized = true;
    }
  }

  /**
   * Begins a transaction. The map in force now routes every send of the transaction; the first routed
   * send binds it to its owner cluster, and a send owned by another cluster is refused with
   * {@link Reason#TRANSACTION_BOUND_TO_OTHER_CLUSTER}. A flip therefore takes effect at the next
   * {@code beginTransaction}.
   */
  @Override
  public void beginTransaction() throws ProducerFencedException {
    ensureOpen();
    requireTransactional();
    synchronized (transaction) {
      if (!transaction.initialized) {
        throw new IllegalStateException("Cannot begin a transaction before initTransactions()");
      }
      if (transaction.active) {
        throw new IllegalStateException("A transaction is already in progress");
      }
      transaction.map = refresher.map();
      transaction.bound = -1;
      transaction.active = true;
    }
  }

  /**
   * Sends consumed offsets within the transaction, to the cluster it is bound to. An unbound transaction
   * binds to the cluster of the previous transaction; with none, the request is refused, because the
   * group's cluster cannot be inferred.
   */
  @Override
  public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
      ConsumerGroupMetadata groupMetadata) throws ProducerFencedException {
    ensureOpen();
    Producer<K, V> producer;
    synchronized (transaction) {
      requireActive();
      if (transaction.bound < 0) {
        if (transaction.lastBound < 0) {
          long epoch = transaction.map == null ? -1 : transaction.map.epoch();
          throw new OwnershipAmbiguousException(Reason.TRANSACTION_BOUND_TO_OTHER_CLUSTER, null, epoch,
              "sendOffsetsToTransaction before any send: the transaction is bound to no cluster yet, so the "
                  + "cluster of group '" + groupMetadata.groupId() + "' is ambiguous. Send a record first.");
        }
        transaction.bind(transaction.lastBound);
      }
      producer = clients.get(transaction.bound);
    }
    producer.sendOffsetsToTransaction(offsets, groupMetadata);
  }

  /** Commits the transaction on the cluster it is bound to; a transaction that sent nothing just ends. */
  @Override
  public void commitTransaction() throws ProducerFencedException {
    ensureOpen();
    Producer<K, V> producer = endTransaction();
    if (producer != null) {
      producer.commitTransaction();
    }
  }

  /** Aborts the transaction on the cluster it is bound to; a transaction that sent nothing just ends. */
  @Override
  public void abortTransaction() throws ProducerFencedException {
    ensureOpen();
    Producer<K, V> producer = endTransaction();
    if (producer != null) {
      producer.abortTransaction();
    }
  }

  private Producer<K, V> endTransaction() {
    synchronized (transaction) {
      requireActive();
      int bound = transaction.bound;
      transaction.active = false;
      transaction.map = null;
      transaction.bound = -1;
      if (bound >= 0) {
        transaction.lastBound = bound;
        return clients.get(bound);
      }
      return null;
    }
  }

  private void requireTransactional() {
    if (!transactional) {
      throw new IllegalStateException("Transactional method invoked on a non-transactional producer: set "
          + ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    }
  }

  private void requireActive() {
    if (!transaction.active) {
      throw new IllegalStateException("No transaction in progress: call beginTransaction() first");
    }
  }

  /** Flushes the client of every cluster created so far. */
  @Override
  public void flush() {
    ensureOpen();
    clients.forEachExisting((alias, producer) -> producer.flush());
  }

  /**
   * Partitions of a topic, from its owner cluster. Refused with an {@link OwnershipAmbiguousException} when
   * the map is missing or stale, no rule governs the topic, or its writes are split between clusters.
   */
  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    ensureOpen();
    AuthorityMap map = refresher.map();
    OwnershipAmbiguousException refusal = checkFresh(map, topic);
    if (refusal == null) {
      Rule rule = map.ruleFor(topic);
      if (rule == null) {
        refusal = refusalFor(map.route(topic, null), topic);
      } else {
        Set<String> owners = rule.writeOwners();
        if (owners.size() == 1) {
          return clients.get(settings.clusters.indexOf(owners.iterator().next())).partitionsFor(topic);
        }
        refusal = new OwnershipAmbiguousException(Reason.OWNER_SPLIT_ACROSS_CLUSTERS, topic, map.epoch(),
            "Writes to topic '" + topic + "' are split between clusters " + owners + " by rule '" + rule.name()
                + "' at epoch " + map.epoch() + ": its partition metadata is ambiguous.");
      }
    }
    metrics.refused(refusal.reason());
    throw refusal;
  }

  /**
   * Turnout's metrics (group {@code turnout}) and the metrics of every cluster's client, each tagged with
   * {@code cluster=<alias>}.
   */
  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    Map<MetricName, Metric> all = metrics.own();
    clients.forEachExisting((alias, producer) -> ClientMetrics.addTagged(all, alias, producer.metrics()));
    return all;
  }

  /** Registers the metric with the client of every cluster, including clients created later. */
  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    subscribedMetrics.add(metric);
    clients.forEachExisting((alias, producer) -> producer.registerMetricForSubscription(metric));
  }

  /** Unregisters the metric from the client of every cluster. */
  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    subscribedMetrics.remove(metric);
    clients.forEachExisting((alias, producer) -> producer.unregisterMetricFromSubscription(metric));
  }

  /**
   * Not supported: a routing producer has one client instance id per cluster. Use
   * {@link #clientInstanceId(String, Duration)}.
   */
  @Override
  public Uuid clientInstanceId(Duration timeout) {
    throw new UnsupportedOperationException("A RoutingProducer has one client instance id per cluster: call "
        + "clientInstanceId(alias, timeout)");
  }

  /** The client instance id of one cluster's client (creating that client if needed). */
  public Uuid clientInstanceId(String alias, Duration timeout) {
    ensureOpen();
    int index = settings.clusters.indexOf(alias);
    if (index < 0) {
      throw new IllegalArgumentException("Unknown cluster alias '" + alias + "'; declared: " + settings.clusters);
    }
    return clients.get(index).clientInstanceId(timeout);
  }

  /** The epoch of the authority map in force, or -1 when none has been loaded. */
  public long epoch() {
    AuthorityMap map = refresher.map();
    return map == null ? -1 : map.epoch();
  }

  /** Closes the clients of every cluster, waiting for outstanding sends, and stops refreshing. */
  @Override
  public void close() {
    close(Duration.ofMillis(Long.MAX_VALUE));
  }

  /** Closes the clients of every cluster within {@code timeout} in total, and stops refreshing. */
  @Override
  public void close(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    refresher.close();
    try {
      clients.close(timeout, Producer::close);
    } catch (RuntimeException e) {
      failures.add(e);
    }
    metrics.close();
    if (ownsKeySerializer) {
      Utils.closeQuietly(routingKeySerializer, "routing key serializer");
    }
    log.info("[{}] RoutingProducer closed", settings.clientId);
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Cannot perform operation after producer has been closed");
    }
  }

  /** Transaction state; guarded by its own monitor. */
  private final class Transaction {
    boolean initialized;
    volatile boolean active;
    AuthorityMap map;
    int bound = -1;
    int lastBound = -1;
    private final boolean[] clusterInitialized;

    Transaction(int clusters) {
      clusterInitialized = new boolean[clusters];
    }

    void bind(int index) {
      Producer<K, V> producer = clients.get(index);
      if (!clusterInitialized[index]) {
        producer.initTransactions();
        clusterInitialized[index] = true;
      }
      producer.beginTransaction();
      bound = index;
    }
  }
}
