package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import dev.turnout.internal.cluster.ClientEvents;
import dev.turnout.internal.cluster.ClientEventsInterceptor;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.internal.cluster.ClusterClients;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.cutover.AckLedger;
import dev.turnout.internal.cutover.BarrierFailure;
import dev.turnout.internal.cutover.ClusterAccess;
import dev.turnout.internal.cutover.CutoverCoordinator;
import dev.turnout.internal.cutover.QueuedSend;
import dev.turnout.internal.cutover.TopicBarrier;
import dev.turnout.internal.cutover.View;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import dev.turnout.source.AuthorityListener;
import dev.turnout.internal.source.AuthorityRefresher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
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
 * <p>Cutovers: when a new map moves a slice of writes to another cluster, sends for that slice wait (queued,
 * in order, without blocking the caller) at a cutover barrier until the records already sent to the old owner
 * are acknowledged and, with {@code turnout.cutover.barrier=replicated}, visible on the new owner; slices that
 * did not move never wait. See docs/cutover.md.
 *
 * <p>Each cluster is guarded by a circuit breaker: while it is open, sends owned by that cluster fail at once
 * with {@link ClusterUnavailableException}; they are never rerouted.
 *
 * <p>Thread-safe, like {@code KafkaProducer}.
 */
public class RoutingProducer<K, V> implements Producer<K, V> {

  private static final Logger log = LoggerFactory.getLogger(RoutingProducer.class);
  private static final AtomicInteger CLIENT_SEQUENCE = new AtomicInteger();
  private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Bucket of a null key, as the cutover barriers expect it. */
  private static final int NULL_KEY_BUCKET = -1;
  /** Bucket not computed (the rule is not split by key). */
  private static final int NO_BUCKET = -2;
  /** Bytes counted per waiting record besides its key, value and headers. */
  private static final int RECORD_OVERHEAD_BYTES = 64;

  private final TurnoutSettings settings;
  private final AuthorityRefresher refresher;
  private final ClusterClients<Producer<K, V>> clients;
  private final Serializer<K> routingKeySerializer;
  private final boolean ownsKeySerializer;
  private final Serializer<V> sizingValueSerializer;
  private final boolean ownsValueSerializer;
  private final RecordIds ids = new RecordIds();
  private final ClientMetrics metrics;
  private final long maxBlockNanos;
  private final boolean transactional;
  private final Set<KafkaMetric> subscribedMetrics = new CopyOnWriteArraySet<>();
  private final Map<Reason, AtomicLong> lastRefusalLog = new EnumMap<>(Reason.class);
  private final Map<Reason, AtomicReference<RecentRefusal>> lastRefusals = new EnumMap<>(Reason.class);
  private final AtomicLong[] lastUnavailableLog;
  private final Transaction transaction;
  private final CutoverCoordinator cutover;
  private final ClusterBreaker[] breakers;
  /** Per cluster: what its client reports, and the ledger and breaker its completions update. */
  private final Events[] events;
  private final ClusterIdentity[] identities;
  private final ScheduledExecutorService identityChecks;
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
    this.maxBlockNanos = TimeUnit.MILLISECONDS.toNanos(settings.maxBlockMillis);
    Object txnId = settings.base.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    this.transactional = txnId != null && !txnId.toString().isBlank();
    this.transaction = new Transaction(settings.clusters.size());
    if (keySerializer != null) {
      this.routingKeySerializer = keySerializer;
      this.ownsKeySerializer = false;
    } else {
      this.routingKeySerializer = newSerializer(settings.base, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, true);
      this.ownsKeySerializer = true;
    }
    if (valueSerializer != null) {
      this.sizingValueSerializer = valueSerializer;
      this.ownsValueSerializer = false;
    } else {
      Serializer<V> created;
      try {
        created = newSerializer(settings.base, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, false);
      } catch (RuntimeException e) {
        closeOwnedKeySerializer();
        throw e;
      }
      this.sizingValueSerializer = created;
      this.ownsValueSerializer = true;
    }
    int n = settings.clusters.size();
    this.breakers = new ClusterBreaker[n];
    this.identities = new ClusterIdentity[n];
    this.lastUnavailableLog = new AtomicLong[n];
    for (int i = 0; i < n; i++) {
      String alias = settings.clusters.get(i);
      breakers[i] = new ClusterBreaker(alias, settings.clientId, settings.breaker);
      identities[i] = new ClusterIdentity(alias, settings.clientId, settings.expectedClusterIds.get(i),
          settings.clusterConfigs.get(i));
      lastUnavailableLog[i] = new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS);
    }
    this.refresher = new AuthorityRefresher(settings.createSource(), settings.clusters, settings.refreshMillis,
        settings.maxStalenessMillis, settings.clientId);
    for (Reason reason : Reason.values()) {
      lastRefusalLog.put(reason, new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS));
      lastRefusals.put(reason, new AtomicReference<>());
    }
    this.metrics = new ClientMetrics(settings.clientId, settings.clusters, refresher);
    this.cutover = new CutoverCoordinator(settings.clientId, settings.clusters, settings.barrierMode,
        settings.maxPauseMillis, settings.cutoverBufferBytes, ids.instance(), new Access(), metrics::barrierWait);
    metrics.registerCutover(cutover);
    metrics.registerClusters(settings.clusters, breakers, identities);
    this.events = new Events[n];
    List<Map<String, Object>> clientConfigs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events[i] = new Events(cutover.ledger(i), breakers[i], identities[i]);
      clientConfigs.add(withEventsInterceptor(settings.clusterConfigs.get(i), events[i]));
    }
    this.clients = new ClusterClients<>(settings.clusters, clientConfigs, (index, config) -> {
      identities[index].verifyBeforeCreate(Duration.ofNanos(maxBlockNanos));
      return new KafkaProducer<>(config, keySerializer, valueSerializer);
    });
    this.clients.onCreate((alias, producer) -> subscribedMetrics.forEach(producer::registerMetricForSubscription));
    refresher.addListener(new AuthorityListener() {
      @Override
      public void onInstalled(AuthorityMap previous, AuthorityMap current) {
        cutover.install(previous, current);
        if (previous != null) {
          metrics.forgetRoutesBefore(previous.epoch());
        }
      }
    });
    boolean pinned = false;
    for (ClusterIdentity identity : identities) {
      pinned |= identity.pinned();
    }
    this.identityChecks = pinned ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "turnout-cluster-check-" + settings.clientId);
      t.setDaemon(true);
      return t;
    }) : null;
    try {
      AuthorityChecks.start(refresher, settings.authorityRequired, settings.clientId, "RoutingProducer");
    } catch (RuntimeException e) {
      refresher.close();
      cutover.close();
      if (identityChecks != null) {
        identityChecks.shutdownNow();
      }
      closeIdentities();
      metrics.close();
      closeOwnedKeySerializer();
      closeOwnedValueSerializer();
      throw e;
    }
    if (identityChecks != null) {
      identityChecks.scheduleWithFixedDelay(() -> {
        for (ClusterIdentity identity : identities) {
          identity.checkAsync();
        }
      }, settings.refreshMillis, settings.refreshMillis, TimeUnit.MILLISECONDS);
    }
    log.info("[{}] RoutingProducer started for clusters {} with authority from {}; cutover barrier {}, max pause {} ms",
        settings.clientId, settings.clusters, refresher.source().description(), settings.barrierMode.configValue(),
        settings.maxPauseMillis);
  }

  @SuppressWarnings("unchecked")
  private static <T> Serializer<T> newSerializer(Map<String, Object> base, String key, boolean isKey) {
    Object spec = base.get(key);
    if (spec == null) {
      throw new ConfigException(key, null, "Missing required configuration \"" + key + "\" which has no default value.");
    }
    Serializer<T> serializer;
    try {
      if (spec instanceof Class<?> c) {
        serializer = Utils.newInstance(c.asSubclass(Serializer.class));
      } else {
        serializer = Utils.newInstance(spec.toString().trim(), Serializer.class);
      }
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new ConfigException(key, spec, "not a Serializer class: " + e);
    }
    serializer.configure(base, isKey);
    return serializer;
  }

  /** A cluster's client configuration with Turnout's interceptor appended to the caller's interceptors. */
  private static Map<String, Object> withEventsInterceptor(Map<String, Object> config, ClientEvents events) {
    Map<String, Object> out = new HashMap<>(config);
    List<Object> interceptors = new ArrayList<>();
    Object existing = config.get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
    if (existing instanceof Collection<?> c) {
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
    interceptors.add(ClientEventsInterceptor.class);
    out.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, interceptors);
    out.put(ClientEventsInterceptor.EVENTS, events);
    return out;
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
   * <p>A record for a slice whose owner just changed is queued at the cutover barrier and sent in order when
   * it opens; the returned future then completes with the real metadata. The call blocks only when the
   * cutover buffer ({@code turnout.cutover.buffer.bytes}) is full, up to {@code max.block.ms}. Inside a
   * transaction such a send waits in this call instead, up to {@code max.block.ms}.
   *
   * <p>Compatibility: the key serializer's two-argument {@code serialize(topic, data)} computes the slice.
   */
  @Override
  public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
    Objects.requireNonNull(record, "record");
    ensureOpen();
    if (transaction.active) {
      synchronized (transaction) {
        if (transaction.active) {
          return sendInTransaction(record, callback);
        }
      }
    }
    View view = cutover.enter();
    try {
      AuthorityMap map = view.map();
      OwnershipAmbiguousException refusal = checkFresh(map, record.topic());
      if (refusal != null) {
        return refuse(refusal, record, callback);
      }
      Route route = resolve(map, record);
      if (!route.routable()) {
        return refuse(refusalFor(route, record.topic()), record, callback);
      }
      if (!view.settled()) {
        TopicBarrier barrier = view.barrierFor(record.topic(), map.epoch(), barrierBucket(view, map, record));
        if (barrier != null) {
          return sendAtBarrier(barrier, route, record, callback);
        }
      }
      return dispatch(route, routedCopy(record, route), callback);
    } finally {
      view.exit();
    }
  }

  /** A send inside an open transaction (holding its monitor): routed by the map captured at begin. */
  private Future<RecordMetadata> sendInTransaction(ProducerRecord<K, V> record, Callback callback) {
    AuthorityMap map = transaction.map;
    OwnershipAmbiguousException refusal = checkFresh(map, record.topic());
    if (refusal != null) {
      return refuse(refusal, record, callback);
    }
    Route route = resolve(map, record);
    if (!route.routable()) {
      return refuse(refusalFor(route, record.topic()), record, callback);
    }
    if (transaction.bound >= 0 && transaction.bound != route.ownerIndex()) {
      return refuse(new OwnershipAmbiguousException(Reason.TRANSACTION_BOUND_TO_OTHER_CLUSTER, record.topic(),
          map.epoch(), "The open transaction is bound to cluster '" + clients.alias(transaction.bound)
              + "', but authority map epoch " + map.epoch() + " makes '" + route.owner() + "' the owner of topic '"
              + record.topic() + "' (rule '" + route.rule().name() + "'). A transaction cannot span clusters: "
              + "abort it and send these records in separate transactions."), record, callback);
    }
    View view = cutover.view();
    if (!view.settled()) {
      TopicBarrier barrier = view.barrierFor(record.topic(), map.epoch(), barrierBucket(view, map, record));
      if (barrier != null) {
        boolean settledInTime;
        try {
          settledInTime = barrier.awaitSettled(maxBlockNanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptException(e);
        }
        if (!settledInTime) {
          return fail(new TimeoutException("The send to topic '" + record.topic() + "' in a transaction waited "
              + TimeUnit.NANOSECONDS.toMillis(maxBlockNanos) + " ms (max.block.ms) at the cutover barrier of epoch "
              + barrier.epoch() + " (" + barrier.state() + "); it was not written. Abort the transaction and retry."),
              record, callback);
        }
        if (barrier.state() == TopicBarrier.State.FAILED) {
          return refuse(barrierRefusal(barrier.failure(), record.topic()), record, callback);
        }
      }
    }
    if (transaction.bound < 0) {
      String mismatch = identities[route.ownerIndex()].mismatch();
      if (mismatch != null) {
        return refuse(new OwnershipAmbiguousException(Reason.CLUSTER_ID_MISMATCH, record.topic(), route.epoch(),
            mismatch), record, callback);
      }
      try {
        transaction.bind(route.ownerIndex());
      } catch (ClusterIdentity.ClusterIdMismatchException e) {
        return refuse(new OwnershipAmbiguousException(Reason.CLUSTER_ID_MISMATCH, record.topic(), route.epoch(),
            e.getMessage()), record, callback);
      } catch (TimeoutException e) {
        breakers[route.ownerIndex()].record(e);
        return fail(e, record, callback);
      }
    }
    return dispatch(route, routedCopy(record, route), callback);
  }

  /** A send for a moved slice while its barrier is not open: queue it, or send or refuse it at once. */
  private Future<RecordMetadata> sendAtBarrier(TopicBarrier barrier, Route route, ProducerRecord<K, V> record,
      Callback callback) {
    TopicBarrier.State state = barrier.state();
    if (state == TopicBarrier.State.OPEN) {
      return dispatch(route, routedCopy(record, route), callback);
    }
    if (state == TopicBarrier.State.FAILED) {
      return refuse(barrierRefusal(barrier.failure(), record.topic()), record, callback);
    }
    ProducerRecord<K, V> routed = routedCopy(record, route);
    Queued queued = new Queued(route, routed, callback, estimateSize(routed));
    TopicBarrier.Offer offer;
    try {
      offer = barrier.offer(queued, maxBlockNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
    switch (offer) {
      case QUEUED:
        return queued.future;
      case OPEN:
        return dispatch(route, routed, callback);
      case FAILED:
        return refuse(barrierRefusal(barrier.failure(), record.topic()), record, callback);
      default:
        metrics.refusedBufferExhausted();
        return fail(new BufferExhaustedException("Failed to queue a record of about " + queued.size + " bytes for topic '"
            + record.topic() + "' at the cutover barrier of epoch " + barrier.epoch() + " within "
            + TimeUnit.NANOSECONDS.toMillis(maxBlockNanos) + " ms (max.block.ms): " + cutover.waitingBytes() + " of "
            + settings.cutoverBufferBytes + " bytes (" + TurnoutConfig.CUTOVER_BUFFER_BYTES + ") are taken by waiting "
            + "records. It was not written anywhere."), record, callback);
    }
  }

  /** Hands a routed record to its owner's client, unless the owner is pinned to another id or its breaker is open. */
  private Future<RecordMetadata> dispatch(Route route, ProducerRecord<K, V> routed, Callback callback) {
    int owner = route.ownerIndex();
    String mismatch = identities[owner].mismatch();
    if (mismatch != null) {
      return refuse(new OwnershipAmbiguousException(Reason.CLUSTER_ID_MISMATCH, routed.topic(), route.epoch(), mismatch),
          routed, callback);
    }
    ClusterBreaker breaker = breakers[owner];
    if (!breaker.tryAcquire()) {
      return unavailable(owner, routed, callback);
    }
    Producer<K, V> producer;
    try {
      producer = clients.get(owner);
    } catch (ClusterIdentity.ClusterIdMismatchException e) {
      breaker.release();
      return refuse(new OwnershipAmbiguousException(Reason.CLUSTER_ID_MISMATCH, routed.topic(), route.epoch(),
          e.getMessage()), routed, callback);
    } catch (TimeoutException e) {
      breaker.record(e);
      return fail(e, routed, callback);
    } catch (RuntimeException e) {
      breaker.release();
      throw e;
    }
    Completion completion = new Completion(callback, events[owner], idSequence(routed));
    Future<RecordMetadata> future;
    try {
      future = producer.send(routed, completion);
    } catch (RuntimeException e) {
      // KafkaProducer throws (rather than calling back) for errors outside the Kafka API: the permit taken
      // above still needs its outcome, unless the completion already recorded it (a caller's callback can
      // throw out of send when the client fails the record at once).
      if (!completion.recorded) {
        breaker.record(e);
      }
      throw e;
    }
    metrics.routed(route);
    return future;
  }

  /** The sequence of the {@code turnout.id} this producer stamped on a routed copy. */
  private static long idSequence(ProducerRecord<?, ?> routed) {
    Header id = routed.headers().lastHeader(ProvenanceHeaders.ID);
    return id == null ? -1 : RecordIds.sequenceOf(id.value());
  }

  private ProducerRecord<K, V> routedCopy(ProducerRecord<K, V> record, Route route) {
    return ProvenanceHeaders.stampedCopy(record, route.routeHeader(), ids.next());
  }

  /**
   * The decision for a record under {@code map}: a routable {@link Route}, or a refusal ({@code NO_MATCHING_RULE},
   * {@code NULL_KEY_NOT_ROUTABLE}). Only sliced rules serialize the key.
   */
  private Route resolve(AuthorityMap map, ProducerRecord<K, V> record) {
    Rule rule = map.ruleFor(record.topic());
    if (rule == null) {
      return map.route(record.topic(), null);
    }
    Route route = rule.unslicedRoute();
    if (route != null) {
      return route;
    }
    int bucket = bucket(record);
    return bucket == NULL_KEY_BUCKET ? rule.nullKeyRoute() : rule.routeForBucket(bucket);
  }

  /**
   * The bucket a pending cutover needs to place this record, or {@link #NO_BUCKET} when it needs none. Only
   * called while a cutover is unsettled (the key is then serialized a second time for a moved sliced topic).
   */
  private int barrierBucket(View view, AuthorityMap map, ProducerRecord<K, V> record) {
    return view.needsBucket(record.topic(), map.epoch()) ? bucket(record) : NO_BUCKET;
  }

  /** The key bucket of a record, or {@link #NULL_KEY_BUCKET}. */
  private int bucket(ProducerRecord<K, V> record) {
    byte[] key = record.key() == null ? null : routingKeySerializer.serialize(record.topic(), record.key());
    return key == null ? NULL_KEY_BUCKET : AuthorityMap.bucket(key);
  }

  /** Estimated bytes of a waiting record: serialized key and value, headers, and a fixed overhead. */
  private long estimateSize(ProducerRecord<K, V> routed) {
    long size = RECORD_OVERHEAD_BYTES;
    if (routed.key() != null) {
      byte[] key = routingKeySerializer.serialize(routed.topic(), routed.key());
      size += key == null ? 0 : key.length;
    }
    if (routed.value() != null) {
      byte[] value = sizingValueSerializer.serialize(routed.topic(), routed.value());
      size += value == null ? 0 : value.length;
    }
    for (Header h : routed.headers()) {
      size += h.key().length() + (h.value() == null ? 0 : h.value().length) + 8;
    }
    return size;
  }

  private OwnershipAmbiguousException checkFresh(AuthorityMap map, String topic) {
    if (map == null) {
      return new OwnershipAmbiguousException(Reason.NO_AUTHORITY_MAP, topic, -1,
          "No valid authority map has been loaded from " + refresher.source().description() + " yet; refusing the "
              + "write to topic '" + topic + "'." + AuthorityChecks.reason(refresher));
    }
    if (refresher.isStale()) {
      return new OwnershipAmbiguousException(Reason.STALE_AUTHORITY_MAP, topic, map.epoch(),
          "The authority map (epoch " + map.epoch() + ") is stale: no refresh from "
              + refresher.source().description() + " has succeeded for " + refresher.ageMillis() + " ms ("
              + TurnoutConfig.AUTHORITY_MAX_STALENESS_MS + "=" + settings.maxStalenessMillis + "). Refusing the write "
              + "to topic '" + topic + "' until the source is readable and valid again."
              + AuthorityChecks.staleReason(refresher));
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

  private static OwnershipAmbiguousException barrierRefusal(BarrierFailure failure, String topic) {
    return new OwnershipAmbiguousException(Reason.CUTOVER_BARRIER_TIMEOUT, topic, failure.epoch(), failure.message());
  }

  private Future<RecordMetadata> refuse(OwnershipAmbiguousException refusal, ProducerRecord<K, V> record,
      Callback callback) {
    metrics.refused(refusal.reason());
    lastRefusals.get(refusal.reason()).set(new RecentRefusal(Instant.now(), refusal));
    AtomicLong last = lastRefusalLog.get(refusal.reason());
    long now = System.nanoTime();
    long previous = last.get();
    if (now - previous >= REFUSAL_LOG_INTERVAL_NANOS && last.compareAndSet(previous, now)) {
      log.warn("[{}] Refused a write ({}; {} refusal(s) for this reason so far): {}", settings.clientId,
          refusal.reason(), metrics.refusedCount(refusal.reason()), refusal.getMessage());
    }
    return fail(refusal, record, callback);
  }

  private Future<RecordMetadata> unavailable(int owner, ProducerRecord<K, V> record, Callback callback) {
    metrics.refusedUnavailable();
    String alias = clients.alias(owner);
    ClusterUnavailableException error = new ClusterUnavailableException(alias, "The circuit breaker of cluster '"
        + alias + "' is " + breakers[owner].state() + ": recent sends to it failed, so the send to topic '"
        + record.topic() + "' fails at once. It was not written anywhere (never rerouted: '" + alias
        + "' owns it). Trial sends are let through " + settings.breaker.openWait().toMillis() + " ms after it opened.");
    AtomicLong last = lastUnavailableLog[owner];
    long now = System.nanoTime();
    long previous = last.get();
    if (now - previous >= REFUSAL_LOG_INTERVAL_NANOS && last.compareAndSet(previous, now)) {
      log.warn("[{}] {}", settings.clientId, error.getMessage());
    }
    return fail(error, record, callback);
  }

  /** Completes a send that was not made: the callback receives the error, the future fails with it. */
  private Future<RecordMetadata> fail(KafkaException error, ProducerRecord<K, V> record, Callback callback) {
    if (callback != null) {
      RecordMetadata metadata = new RecordMetadata(
          new TopicPartition(record.topic(), record.partition() == null ? RecordMetadata.UNKNOWN_PARTITION
              : record.partition()), -1, -1, RecordBatch.NO_TIMESTAMP, -1, -1);
      try {
        callback.onCompletion(metadata, error);
      } catch (RuntimeException e) {
        log.error("[{}] Error executing user-provided callback on a record that was not sent", settings.clientId, e);
      }
    }
    return CompletableFuture.failedFuture(error);
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
   * {@code beginTransaction}, and a transaction in flight completes on the cluster where it began (a cutover
   * waits for it to end before it checks the old owner). A send of the transaction for a slice whose cutover
   * barrier is not open waits in {@code send}, up to {@code max.block.ms}.
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
      // Entering the view makes a cutover's grace period wait until this transaction is visible to it.
      View view = cutover.enter();
      try {
        transaction.map = view.map();
        transaction.bound = -1;
        transaction.activeEpoch = view.map() == null ? -1 : view.map().epoch();
        transaction.active = true;
      } finally {
        view.exit();
      }
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
      transaction.activeEpoch = Long.MAX_VALUE;
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

  /**
   * Waits until every record queued at a cutover barrier before the call has been sent (or refused), then
   * flushes the client of every cluster created so far.
   */
  @Override
  public void flush() {
    ensureOpen();
    try {
      cutover.awaitQueued(Duration.ofMillis(Long.MAX_VALUE));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
    clients.forEachExisting((alias, producer) -> producer.flush());
  }

  /**
   * Partitions of a topic, from its owner cluster. Refused with an {@link OwnershipAmbiguousException} when
   * the map is missing or stale, no rule governs the topic, or its writes are split between clusters.
   */
  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    ensureOpen();
    AuthorityMap map = cutover.view().map();
    OwnershipAmbiguousException refusal = checkFresh(map, topic);
    if (refusal == null) {
      Rule rule = map.ruleFor(topic);
      if (rule == null) {
        refusal = refusalFor(map.route(topic, null), topic);
      } else {
        Set<String> owners = rule.writeOwners();
        if (owners.size() == 1) {
          int owner = settings.clusters.indexOf(owners.iterator().next());
          String mismatch = identities[owner].mismatch();
          if (mismatch == null) {
            try {
              return clients.get(owner).partitionsFor(topic);
            } catch (ClusterIdentity.ClusterIdMismatchException e) {
              mismatch = e.getMessage();
            }
          }
          refusal = new OwnershipAmbiguousException(Reason.CLUSTER_ID_MISMATCH, topic, map.epoch(), mismatch);
          metrics.refused(refusal.reason());
          throw refusal;
        }
        refusal = new OwnershipAmbiguousException(Reason.OWNER_SPLIT_ACROSS_CLUSTERS, topic, map.epoch(),
            "Writes to topic '" + topic + "' are split between clusters " + owners + " by rule '" + rule.name()
                + "' at epoch " + map.epoch() + ": its partition metadata is ambiguous.");
      }
    }
    metrics.refused(refusal.reason());
    lastRefusals.get(refusal.reason()).set(new RecentRefusal(Instant.now(), refusal));
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

  /** The epoch of the authority map sends are routed by, or -1 when none has been loaded. */
  public long epoch() {
    AuthorityMap map = cutover.view().map();
    return map == null ? -1 : map.epoch();
  }

  /**
   * The authority map in force, or {@code null} when none has been loaded. For monitoring: a send routes by
   * the map in force when it is made (inside a transaction, by the map captured at {@code beginTransaction}).
   */
  public AuthorityMap authorityMap() {
    return refresher.map();
  }

  /**
   * Whether every routing decision is refused now because no valid map has been loaded or no refresh has
   * succeeded for {@code turnout.authority.max.staleness.ms}.
   */
  public boolean failingClosed() {
    return refresher.map() == null || refresher.isStale();
  }

  /** The most recent refusal of each reason that occurred, newest first. Refusal messages hold no secrets. */
  public List<RecentRefusal> recentRefusals() {
    List<RecentRefusal> recent = new ArrayList<>();
    lastRefusals.values().forEach(ref -> {
      RecentRefusal r = ref.get();
      if (r != null) {
        recent.add(r);
      }
    });
    recent.sort((a, b) -> b.at().compareTo(a.at()));
    return recent;
  }

  /** A refusal and when it happened, as returned by {@link #recentRefusals()}. */
  public record RecentRefusal(Instant at, OwnershipAmbiguousException refusal) {}

  /** Closes the clients of every cluster, waiting for outstanding sends, and stops refreshing. */
  @Override
  public void close() {
    close(Duration.ofMillis(Long.MAX_VALUE));
  }

  /**
   * Closes the clients of every cluster within {@code timeout} in total, and stops refreshing. Records
   * waiting at a cutover barrier are sent if the barrier opens within the timeout; the rest fail with a
   * {@link KafkaException} and are written nowhere.
   */
  @Override
  public void close(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    refresher.close();
    Duration budget = timeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365) : timeout;
    long deadline = System.nanoTime() + Math.max(0, budget.toNanos());
    cutover.close(budget);
    if (identityChecks != null) {
      identityChecks.shutdownNow();
    }
    closeIdentities();
    try {
      Duration remaining = timeout.compareTo(Duration.ofDays(365)) > 0 ? timeout
          : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      clients.close(remaining, Producer::close);
    } catch (RuntimeException e) {
      failures.add(e);
    }
    metrics.close();
    closeOwnedKeySerializer();
    closeOwnedValueSerializer();
    log.info("[{}] RoutingProducer closed", settings.clientId);
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private void closeOwnedKeySerializer() {
    if (ownsKeySerializer) {
      Utils.closeQuietly(routingKeySerializer, "routing key serializer");
    }
  }

  private void closeOwnedValueSerializer() {
    if (ownsValueSerializer) {
      Utils.closeQuietly(sizingValueSerializer, "value serializer used to size waiting records");
    }
  }

  private void closeIdentities() {
    for (ClusterIdentity identity : identities) {
      try {
        identity.close();
      } catch (RuntimeException e) {
        log.warn("[{}] Error closing the cluster id check", settings.clientId, e);
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Cannot perform operation after producer has been closed");
    }
  }

  /** A send waiting at a cutover barrier; its future completes when the real send does. */
  private final class Queued implements QueuedSend {
    final Route route;
    final ProducerRecord<K, V> routed;
    final Callback callback;
    final long size;
    final QueuedFuture future = new QueuedFuture();

    Queued(Route route, ProducerRecord<K, V> routed, Callback callback, long size) {
      this.route = route;
      this.routed = routed;
      this.callback = callback;
      this.size = size;
    }

    @Override
    public long sizeInBytes() {
      return size;
    }

    @Override
    public void release() {
      Callback completion = (metadata, error) -> {
        if (error == null) {
          future.done(metadata);
        } else {
          future.failed(error);
        }
        if (callback != null) {
          try {
            callback.onCompletion(metadata, error);
          } catch (RuntimeException e) {
            log.error("[{}] Error executing user-provided callback on a record released at a cutover barrier",
                settings.clientId, e);
          }
        }
      };
      try {
        Future<RecordMetadata> sent = dispatch(route, routed, completion);
        if (sent.isDone() && !future.isDone()) {
          // Failed before reaching a client without calling back (never for KafkaProducer's own errors).
          try {
            future.done(sent.get());
          } catch (Exception e) {
            future.failed(e.getCause() != null ? e.getCause() : e);
          }
        }
      } catch (RuntimeException e) {
        completion.onCompletion(null, e);
      }
    }

    @Override
    public void refuse(BarrierFailure failure) {
      KafkaException error;
      if (failure.kind() == BarrierFailure.Kind.TIMEOUT) {
        OwnershipAmbiguousException refusal = barrierRefusal(failure, routed.topic());
        metrics.refused(refusal.reason());
        error = refusal;
      } else {
        error = new KafkaException(failure.message());
      }
      fail(error, routed, callback);
      future.failed(error);
    }
  }

  /** The future of a queued send: completed by the real send; cannot be cancelled (like KafkaProducer's). */
  private static final class QueuedFuture extends CompletableFuture<RecordMetadata> {
    void done(RecordMetadata metadata) {
      super.complete(metadata);
    }

    void failed(Throwable error) {
      super.completeExceptionally(error);
    }

    @Override
    public boolean complete(RecordMetadata value) {
      return false;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      return false;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }
  }

  /** What one cluster's client reports (sends and its cluster id) and the state its completions update. */
  private static final class Events implements ClientEvents {
    final AckLedger ledger;
    final ClusterBreaker breaker;
    private final ClusterIdentity identity;

    Events(AckLedger ledger, ClusterBreaker breaker, ClusterIdentity identity) {
      this.ledger = ledger;
      this.breaker = breaker;
      this.identity = identity;
    }

    @Override
    public void sending(String topic) {
      ledger.sent(topic);
    }

    @Override
    public void clusterId(String clusterId) {
      identity.observed(clusterId);
    }
  }

  /**
   * The callback a routed record is handed to its cluster's client with: notes the acknowledgement in the
   * cutover ledger and the outcome in the cluster's breaker, then calls the caller's callback. It carries the
   * record's id sequence, so the client's I/O thread reads nothing back from the record (its headers were
   * written by the sending thread, on another core: reading them back was about half of Turnout's cost on
   * that thread).
   */
  private static final class Completion implements Callback {
    private final Callback callback;
    private final Events cluster;
    private final long sequence;
    /** Whether the outcome reached the breaker; read only by the thread that called {@code send}. */
    boolean recorded;

    Completion(Callback callback, Events cluster, long sequence) {
      this.callback = callback;
      this.cluster = cluster;
      this.sequence = sequence;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
      try {
        if (exception == null && metadata != null) {
          cluster.ledger.acknowledged(metadata.topic(), metadata.partition(), metadata.timestamp(), sequence);
        }
        cluster.breaker.record(exception);
        recorded = true;
      } finally {
        // The caller hears of every outcome, whatever the bookkeeping above did.
        if (callback != null) {
          callback.onCompletion(metadata, exception);
        }
      }
    }
  }

  /** What the cutover machinery may do with the clusters. */
  private final class Access implements ClusterAccess {
    @Override
    public void flush(int cluster) {
      Producer<K, V> producer = clients.existing(cluster);
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
      return transaction.activeEpoch;
    }
  }

  /** Transaction state; guarded by its own monitor. */
  private final class Transaction {
    boolean initialized;
    volatile boolean active;
    /** Epoch of the map routing the open transaction; {@link Long#MAX_VALUE} when none is open. */
    volatile long activeEpoch = Long.MAX_VALUE;
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
