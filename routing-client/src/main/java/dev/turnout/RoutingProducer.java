package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.cutover.SliceReconciliation;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.TurnoutListener;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
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
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;

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
 * <p>For tests without a broker, {@link #builder(Map)} builds a routing producer over clients you supply per
 * cluster, such as kafka-clients' {@code MockProducer}: routing, refusals, headers and barriers work the same.
 *
 * <p>Thread-safe, like {@code KafkaProducer}.
 */
public final class RoutingProducer<K, V> implements Producer<K, V> {

  private static final AtomicInteger CLIENT_SEQUENCE = new AtomicInteger();

  private final ProducerWiring<K, V> parts;
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
    this(configs, keySerializer, valueSerializer, Map.of(), ProducerWiring.DEFAULT_RECONCILIATION);
  }

  private RoutingProducer(Map<String, ?> configs, Serializer<K> keySerializer, Serializer<V> valueSerializer,
      Map<String, Producer<K, V>> supplied, SliceReconciliation.Factory reconciliation) {
    Objects.requireNonNull(configs, "configs");
    TurnoutSettings settings = TurnoutSettings.parse(configs, "turnout-producer-" + CLIENT_SEQUENCE.incrementAndGet());
    this.parts = new ProducerWiring<>(settings, keySerializer, valueSerializer, supplied, reconciliation);
    parts.start();
  }

  /**
   * A builder of a routing producer whose clusters may use clients you supply instead of the
   * {@code KafkaProducer} it would create, e.g. kafka-clients' {@code MockProducer} in a unit test.
   *
   * @param configs the same settings as for the constructors; a cluster with a supplied client needs no
   *     {@code bootstrap.servers}
   */
  public static <K, V> Builder<K, V> builder(Map<String, ?> configs) {
    return new Builder<>(configs);
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
   * fails and {@code callback} receives an {@link OwnershipAmbiguousException}. An interceptor that rewrites the
   * topic to one with another owner gets the record refused ({@code TOPIC_REWRITTEN_TO_OTHER_OWNER}).
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
    if (parts.transactions.active()) {
      Future<RecordMetadata> sent = parts.transactions.send(record, callback);
      if (sent != null) {
        return sent;
      }
    }
    return parts.sendPath.send(record, callback);
  }

  /**
   * Sends like {@link #send(ProducerRecord)} (routing, refusals, cutover barriers and transactions alike) and
   * completes with the metadata <em>and the cluster</em> that took the record: {@link RoutedMetadata#cluster()}
   * is the alias, since Kafka's {@code RecordMetadata} names no cluster and the same partition and offset exist
   * on both. The future fails with the same exception as {@code send}'s would, and this method throws what
   * {@code send} throws. It costs one callback adapter, one future and one {@code RoutedMetadata} per send more
   * than {@code send}; a {@link RoutedCallback} passed to {@code send} gives the same in a callback.
   */
  public CompletableFuture<RoutedMetadata> sendRouted(ProducerRecord<K, V> record) {
    CompletableFuture<RoutedMetadata> result = new CompletableFuture<>();
    Future<RecordMetadata> sent = send(record, (RoutedCallback) (metadata, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
      } else {
        result.complete(metadata);
      }
    });
    if (sent.isDone() && !result.isDone()) {
      // Completed without calling back (a supplied client may do so): no cluster is known then.
      try {
        RecordMetadata metadata = sent.get();
        result.complete(metadata == null ? null : new RoutedMetadata(metadata, null));
      } catch (java.util.concurrent.ExecutionException e) {
        result.completeExceptionally(e.getCause() != null ? e.getCause() : e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result.completeExceptionally(e);
      }
    }
    return result;
  }

  /**
   * Enables transactions ({@code transactional.id} must be set). The clients of each cluster are
   * initialized lazily, when a transaction first binds to that cluster.
   */
  @Override
  public void initTransactions() {
    ensureOpen();
    parts.transactions.init();
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
    parts.transactions.begin();
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
    parts.transactions.sendOffsets(offsets, groupMetadata);
  }

  /**
   * Commits the transaction on the cluster it is bound to; a transaction that sent nothing just ends. If the
   * commit throws, the transaction stays open, as with {@code KafkaProducer}: retry the commit or abort it.
   */
  @Override
  public void commitTransaction() throws ProducerFencedException {
    ensureOpen();
    parts.transactions.commit();
  }

  /** Aborts the transaction on the cluster it is bound to; a transaction that sent nothing just ends. */
  @Override
  public void abortTransaction() throws ProducerFencedException {
    ensureOpen();
    parts.transactions.abort();
  }

  /**
   * Waits until every record queued at a cutover barrier before the call has been sent (or refused), then
   * flushes the client of every cluster created so far.
   */
  @Override
  public void flush() {
    ensureOpen();
    try {
      parts.cutover.awaitQueued(Duration.ofMillis(Long.MAX_VALUE));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
    parts.clusters.forEachExisting((alias, producer) -> producer.flush());
  }

  /**
   * Partitions of a topic, from its owner cluster. Refused with an {@link OwnershipAmbiguousException} when
   * the map is missing or stale, no rule governs the topic, or its writes are split between clusters.
   */
  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    ensureOpen();
    return parts.sendPath.partitionsFor(topic);
  }

  /**
   * Turnout's metrics (group {@code turnout}) and the metrics of every cluster's client, each tagged with
   * {@code cluster=<alias>}.
   */
  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    Map<String, Map<MetricName, ? extends Metric>> byAlias = new LinkedHashMap<>();
    parts.clusters.forEachExisting((alias, producer) -> byAlias.put(alias, producer.metrics()));
    return ClientCore.mergedMetrics(parts.metrics, byAlias);
  }

  /** Registers the metric with the client of every cluster, including clients created later. */
  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    parts.clusters.subscribe(metric);
  }

  /** Unregisters the metric from the client of every cluster. */
  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    parts.clusters.unsubscribe(metric);
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
    int index = parts.clusters.aliases().indexOf(alias);
    if (index < 0) {
      throw new IllegalArgumentException("Unknown cluster alias '" + alias + "'; declared: "
          + parts.clusters.aliases());
    }
    return parts.clusters.get(index).clientInstanceId(timeout);
  }

  /** The epoch of the authority map sends are routed by, or -1 when none has been loaded. */
  public long epoch() {
    AuthorityMap map = parts.cutover.view().map();
    return map == null ? -1 : map.epoch();
  }

  /**
   * The authority map in force, or {@code null} when none has been loaded. For monitoring: a send routes by
   * the map in force when it is made (inside a transaction, by the map captured at {@code beginTransaction}).
   */
  public AuthorityMap authorityMap() {
    return parts.core.map();
  }

  /**
   * Whether every routing decision is refused now because no valid map has been loaded or no refresh has
   * succeeded for {@code turnout.authority.max.staleness.ms}.
   */
  public boolean failingClosed() {
    return parts.core.failingClosed();
  }

  /** The most recent refusal of each reason that occurred, newest first. Refusal messages hold no secrets. */
  public List<RecentRefusal> recentRefusals() {
    return parts.refusals.recent();
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
   * waiting at a cutover barrier are sent if the barrier opens within the timeout; the rest, and any sent
   * while the producer closes, fail with a {@link KafkaException} saying the producer was closed, and are
   * written nowhere. Supplied clients ({@link #builder}) are closed too.
   */
  @Override
  public void close(Duration timeout) {
    synchronized (parts) {
      if (closed) {
        return;
      }
      closed = true;
    }
    parts.listeners.closing();
    try {
      parts.close(timeout);
    } finally {
      parts.listeners.closed();
    }
  }

  /** A snapshot of this producer's state (docs/status.md); safe from any thread, holds no secret. */
  public ClientStatus status() {
    return parts.status.snapshot();
  }

  /** Adds a listener of this producer's epochs, refusals and closing (docs/status.md). */
  public void addListener(TurnoutListener listener) {
    parts.listeners.add(listener);
  }

  /** Removes a listener added with {@link #addListener}. */
  public void removeListener(TurnoutListener listener) {
    parts.listeners.remove(listener);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Cannot perform operation after producer has been closed");
    }
  }

  /**
   * Builds a {@link RoutingProducer} over clients supplied per cluster alias, for instance kafka-clients'
   * {@code MockProducer} in a unit test of a service's routing:
   *
   * <pre>{@code
   * MockProducer<String, String> onprem = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
   * MockProducer<String, String> cloud = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
   * RoutingProducer<String, String> producer = RoutingProducer.<String, String>builder(configs)
   *     .serializers(new StringSerializer(), new StringSerializer())
   *     .client("onprem", onprem)
   *     .client("cloud", cloud)
   *     .build();
   * }</pre>
   *
   * <p>The settings are those of the constructors ({@code turnout.clusters}, the authority source, ...). A
   * cluster with a supplied client needs no {@code bootstrap.servers}, and its cluster id is not checked.
   * Routing, refusals, provenance headers, cutover barriers, breakers, transactions and metrics work as with
   * the clients the producer creates itself; the replicated barrier
   * ({@code turnout.cutover.barrier=replicated}, the default) reads the new owner's partitions, so with a
   * supplied client that has no bootstrap servers set {@code turnout.cutover.barrier=drained}. The supplied
   * clients are closed when the producer is.
   */
  public static final class Builder<K, V> {
    private static final String UNUSED_BOOTSTRAP = "unused.supplied-client.invalid:9092";

    private final Map<String, Object> configs;
    private final Map<String, Producer<K, V>> clients = new LinkedHashMap<>();
    private Serializer<K> keySerializer;
    private Serializer<V> valueSerializer;
    private SliceReconciliation.Factory reconciliation = ProducerWiring.DEFAULT_RECONCILIATION;

    private Builder(Map<String, ?> configs) {
      this.configs = new HashMap<>(Objects.requireNonNull(configs, "configs"));
    }

    /**
     * Serializer instances for routing by key slice and sizing waiting records (and for the clients the
     * producer creates); without them, {@code key.serializer}/{@code value.serializer} are instantiated.
     */
    public Builder<K, V> serializers(Serializer<K> keySerializer, Serializer<V> valueSerializer) {
      this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
      this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
      return this;
    }

    /** Uses {@code client} for every send to cluster {@code alias} (declared in {@code turnout.clusters}). */
    public Builder<K, V> client(String alias, Producer<K, V> client) {
      Objects.requireNonNull(alias, "alias");
      Objects.requireNonNull(client, "client");
      if (client instanceof RoutingProducer) {
        throw new IllegalArgumentException("The client of cluster '" + alias + "' is itself a RoutingProducer: "
            + "supply the producer of that one cluster");
      }
      if (clients.putIfAbsent(alias, client) != null) {
        throw new IllegalArgumentException("A client was already supplied for cluster '" + alias + "'");
      }
      return this;
    }

    /**
     * The reconciliation of slices moved back from the target to the source (package-private: for the
     * reconciliation adapter and tests); default {@link ProducerWiring#DEFAULT_RECONCILIATION}.
     */
    Builder<K, V> reconciliation(SliceReconciliation.Factory factory) {
      this.reconciliation = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** The routing producer; it loads its first authority map before returning, as the constructors do. */
    public RoutingProducer<K, V> build() {
      Map<String, Object> withPlaceholders = new HashMap<>(configs);
      boolean placeholder = false;
      for (String alias : clients.keySet()) {
        String key = TurnoutConfig.CLUSTER_PREFIX + alias + ".bootstrap.servers";
        if (withPlaceholders.get(key) == null) {
          withPlaceholders.put(key, UNUSED_BOOTSTRAP); // never contacted: the supplied client is used
          placeholder = true;
        }
      }
      Object barrier = withPlaceholders.get(TurnoutConfig.CUTOVER_BARRIER);
      if (placeholder && (barrier == null || "replicated".equalsIgnoreCase(barrier.toString().trim()))) {
        throw new ConfigException(TurnoutConfig.CUTOVER_BARRIER, barrier, "the replicated cutover barrier reads the "
            + "new owner's partitions, which a supplied client without bootstrap servers cannot: set "
            + TurnoutConfig.CUTOVER_BARRIER + "=drained, or give that cluster its bootstrap.servers");
      }
      return new RoutingProducer<>(withPlaceholders, keySerializer, valueSerializer, Map.copyOf(clients),
          reconciliation);
    }
  }
}
