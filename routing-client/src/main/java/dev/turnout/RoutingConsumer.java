package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.internal.consumer.Deadlines;
import dev.turnout.internal.consumer.Subscription;
import dev.turnout.internal.consumer.Subscription.Mode;
import dev.turnout.internal.consumer.ThreadGuard;
import dev.turnout.internal.consumer.WakeupGuard;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.TurnoutListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drop-in {@link Consumer} whose reads follow the authority map: each subscribed topic is read from the
 * cluster its rule names ({@code MIRROR}, {@code DUAL_READ}: the source; {@code WRITE_PROMOTION},
 * {@code TARGET_AUTHORITY}: the target), and when that changes the consumer moves the topic's partitions
 * without losing records and, where the boundary can be verified, without delivering any record twice.
 *
 * <p>Replace {@code new KafkaConsumer<>(props)} with {@code new RoutingConsumer<>(props)} and add the
 * {@code turnout.*} settings ({@link TurnoutConfig}). Every other setting applies to the {@link KafkaConsumer}
 * of each cluster (one per cluster, created on first use, {@code client.id} {@code <client.id>-<alias>}, the
 * same {@code group.id} on every cluster).
 *
 * <p>A switch, when a new epoch moves the reads of a subscribed topic: the consumer stops fetching the
 * topic on the old cluster, calls {@link ConsumerRebalanceListener#onPartitionsRevoked}, commits the
 * processed positions there as a <em>handover</em>, leaves the topic on the old cluster and subscribes to it
 * on the new one. Whichever member is assigned a partition on the new cluster then establishes its position
 * off the polling thread: it compares the stamps of the group's commits on both clusters, waits while the
 * old cluster's group still consumes the partition, translates the handed-over offset
 * ({@code turnout.consumer.offset.translation}) and searches the new cluster for the first record after the
 * last processed one. Until then the partition is assigned but paused. A boundary that cannot be verified
 * within {@code turnout.consumer.boundary.timeout.ms} blocks the partition and makes {@link #poll} throw a
 * {@link BoundaryNotVerifiedException} (or, with {@code turnout.consumer.unverified=rewind}, resumes at the
 * translated offset and counts the duplicates). See docs/consumers.md for the protocol and its guarantees.
 *
 * <p>Every commit carries a stamp in its metadata ({@code turnout:<epoch>:...}); {@link #committed} returns
 * the application's metadata without it. Not thread-safe, like {@code KafkaConsumer}: use it from one thread,
 * except {@link #wakeup()}.
 *
 * <p>{@link #builder(Map)} builds one over clients the application supplies, such as kafka-clients'
 * {@code MockConsumer} in a unit test without a broker.
 */
public final class RoutingConsumer<K, V> implements Consumer<K, V> {

  private static final Logger log = LoggerFactory.getLogger(RoutingConsumer.class);
  private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final ThreadGuard guard;
  private final ConsumerContext<K, V> ctx;
  private final ReadRouting<K, V> routing;
  private final Resolutions<K, V> resolutions;
  private final Fencing<K, V> fencing;
  private final RebalanceBridge<K, V> bridge;
  private final StampedCommits<K, V> commits;
  private final RecordMerger<K, V> merger;
  private final ClusterMetadata<K, V> metadata;
  private final FleetStatus fleet;

  /** A consumer configured by properties, deserializers named by {@code key.deserializer}/{@code value.deserializer}. */
  public RoutingConsumer(Properties properties) {
    this(Utils.propsToMap(properties), null, null);
  }

  /** A consumer configured by properties, with deserializer instances (not configured by the consumer). */
  public RoutingConsumer(Properties properties, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
    this(Utils.propsToMap(properties), keyDeserializer, valueDeserializer);
  }

  /** A consumer configured by a map, deserializers named by {@code key.deserializer}/{@code value.deserializer}. */
  public RoutingConsumer(Map<String, Object> configs) {
    this(configs, null, null);
  }

  /**
   * A consumer configured by a map, with deserializer instances. As with {@code KafkaConsumer}, instances are
   * not configured by the consumer; they are shared by the clients of every cluster and closed with them.
   */
  public RoutingConsumer(Map<String, Object> configs, Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer) {
    this(new ConsumerParts<>(configs, keyDeserializer, valueDeserializer, Map.of()));
  }

  private RoutingConsumer(ConsumerParts<K, V> parts) {
    this.guard = parts.guard;
    this.ctx = parts.ctx;
    this.routing = parts.routing;
    this.resolutions = parts.resolutions;
    this.fencing = parts.fencing;
    this.bridge = parts.bridge;
    this.commits = parts.commits;
    this.merger = parts.merger;
    this.metadata = parts.metadata;
    this.fleet = parts.fleet;
    parts.start();
  }

  /**
   * A builder of a consumer over clients the application supplies for some or all clusters, for example
   * kafka-clients' {@code MockConsumer} in a unit test: a cluster with a supplied client needs no bootstrap
   * servers. See {@link Builder}.
   *
   * @param configs the same configuration as for the constructors
   */
  public static <K, V> Builder<K, V> builder(Map<String, Object> configs) {
    return new Builder<>(configs);
  }

  /**
   * Builds a {@link RoutingConsumer}; clusters without a supplied client get a {@code KafkaConsumer} as with the
   * constructors.
   *
   * <p>A supplied client is used as it is: Turnout does not configure it, and closes it on {@link #close()}. It
   * must not auto-commit (Turnout commits itself, stamped) and, for a group, must belong to the configured
   * {@code group.id}. Without bootstrap servers for its cluster, Turnout cannot read that cluster out of band:
   * a partition whose position depends on a handover there is blocked ({@link BoundaryNotVerifiedException})
   * instead of being searched.
   */
  public static final class Builder<K, V> {
    private final Map<String, Object> configs;
    private final Map<String, Consumer<K, V>> clients = new LinkedHashMap<>();
    private Deserializer<K> keyDeserializer;
    private Deserializer<V> valueDeserializer;

    private Builder(Map<String, Object> configs) {
      this.configs = Objects.requireNonNull(configs, "configs");
    }

    /** Deserializer instances for the clients Turnout creates (as in the constructors). */
    public Builder<K, V> deserializers(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
      this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer");
      this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer");
      return this;
    }

    /** The client of one declared cluster, used instead of a {@code KafkaConsumer}. */
    public Builder<K, V> client(String alias, Consumer<K, V> client) {
      Objects.requireNonNull(alias, "alias");
      Objects.requireNonNull(client, "client");
      if (clients.putIfAbsent(alias, client) != null) {
        throw new IllegalArgumentException("A client for cluster '" + alias + "' was already supplied");
      }
      return this;
    }

    /** Builds the consumer and starts reading the authority source, as the constructors do. */
    public RoutingConsumer<K, V> build() {
      return new RoutingConsumer<>(new ConsumerParts<>(configs, keyDeserializer, valueDeserializer, Map.copyOf(clients)));
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // Subscription

  /** Subscribes to topics; each is read from the cluster its rule names. See {@link #subscribe(Collection, ConsumerRebalanceListener)}. */
  @Override
  public void subscribe(Collection<String> topics) {
    subscribe(topics, Subscription.NO_LISTENER);
  }

  /**
   * Subscribes to topics. Each topic is subscribed on the client of its read cluster, under the same group id.
   * A topic no rule governs is read nowhere: {@link #poll} throws {@link OwnershipAmbiguousException}
   * ({@code NO_MATCHING_RULE}) once per topic and epoch. The listener sees a revocation when a topic's reads
   * move away from a cluster, and an assignment once a partition can be consumed: for a partition whose
   * position is still being established (after a switch, or while the old cluster's group still holds it),
   * only when that is done, so that no two members ever hold a partition at once across clusters.
   */
  @Override
  public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
    run(() -> {
      if (topics == null) {
        throw new IllegalArgumentException("Topic collection to subscribe to cannot be null");
      }
      if (listener == null) {
        throw new IllegalArgumentException("RebalanceListener cannot be null");
      }
      if (topics.isEmpty()) {
        unsubscribeInternal();
        return;
      }
      for (String topic : topics) {
        if (topic == null || topic.isBlank()) {
          throw new IllegalArgumentException("Topic collection to subscribe to cannot contain null or empty topic");
        }
      }
      ctx.subscription().topics(topics, listener);
      routing.apply();
    });
  }

  /** Subscribes to the topics matching a pattern. See {@link #subscribe(Pattern, ConsumerRebalanceListener)}. */
  @Override
  public void subscribe(Pattern pattern) {
    subscribe(pattern, Subscription.NO_LISTENER);
  }

  /**
   * Subscribes to the topics matching a pattern on any declared cluster (topics whose name starts with
   * {@code __} excluded), re-evaluated every {@code metadata.max.age.ms}. Each matching topic is then read
   * from the cluster its rule names; matching topics no rule governs fail closed as for a list.
   */
  @Override
  public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
    run(() -> {
      if (pattern == null || pattern.toString().isEmpty()) {
        throw new IllegalArgumentException("Topic pattern to subscribe to cannot be " + (pattern == null ? "null" : "empty"));
      }
      if (listener == null) {
        throw new IllegalArgumentException("RebalanceListener cannot be null");
      }
      ctx.subscription().pattern(pattern, listener);
      routing.apply();
    });
  }

  /**
   * Not supported: a broker-side regular expression cannot be split between clusters. Subscribe with a
   * {@link Pattern} instead.
   */
  @Override
  public void subscribe(SubscriptionPattern pattern) {
    throw new UnsupportedOperationException("A RoutingConsumer cannot split a broker-side SubscriptionPattern "
        + "between clusters: subscribe with a java.util.regex.Pattern");
  }

  /** Not supported; see {@link #subscribe(SubscriptionPattern)}. */
  @Override
  public void subscribe(SubscriptionPattern pattern, ConsumerRebalanceListener callback) {
    subscribe(pattern);
  }

  /**
   * Assigns partitions manually; each is assigned on the client of its topic's read cluster. When reads of a
   * topic move, its partitions are handed over (committed there if a group id is set) and reassigned on the new
   * cluster, where the boundary is searched from the handed-over position. No group coordination applies.
   */
  @Override
  public void assign(Collection<TopicPartition> partitions) {
    run(() -> {
      if (partitions == null) {
        throw new IllegalArgumentException("Topic partitions collection to assign to cannot be null");
      }
      if (partitions.isEmpty()) {
        unsubscribeInternal();
        return;
      }
      for (TopicPartition tp : partitions) {
        if (tp == null || tp.topic() == null || tp.topic().isBlank()) {
          throw new IllegalArgumentException("Topic partitions to assign to cannot have null or empty topic");
        }
      }
      ctx.subscription().assign(partitions);
      routing.apply();
    });
  }

  /** Leaves every cluster's group (revoking through the listener) and forgets the subscription or assignment. */
  @Override
  public void unsubscribe() {
    run(this::unsubscribeInternal);
  }

  private void unsubscribeInternal() {
    ctx.subscription().clear();
    ctx.delegates().unsubscribeAll();
    ctx.book().clear();
    fencing.clear();
    routing.clear();
    ctx.subscription().forgetListener();
  }

  /** The partitions assigned to this consumer on every cluster (including those whose position is being established). */
  @Override
  public Set<TopicPartition> assignment() {
    return call(() -> ctx.delegates().assignment());
  }

  /** The subscribed topics (for a pattern, the topics it currently matches); empty for a manual assignment. */
  @Override
  public Set<String> subscription() {
    return call(() -> ctx.subscription().subscription());
  }

  // ----------------------------------------------------------------------------------------------------------
  // Poll

  /**
   * Polls the client of every cluster that has a subscription or assignment, and returns their records
   * together. Before fetching it applies a new authority epoch (switching topics whose read cluster changed),
   * applies positions established since the last call, auto-commits when due, and throws one pending problem
   * if any: {@link OwnershipAmbiguousException} (no map, stale map, topic no rule governs) or
   * {@link BoundaryNotVerifiedException}. With clients on two clusters, each is polled in turn for slices of
   * at most 50 ms within {@code timeout}.
   *
   * @throws IllegalStateException if neither subscribed nor assigned
   */
  @Override
  public ConsumerRecords<K, V> poll(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("Timeout must not be negative");
    }
    guard.acquireOpen();
    try {
      if (ctx.subscription().mode() == Mode.NONE) {
        throw new IllegalStateException("Consumer is not subscribed to any topics or assigned any partitions");
      }
      long deadline = Deadlines.of(timeout);
      while (true) {
        ctx.wakeups().check();
        routing.apply();
        fencing.release();
        fencing.check();
        resolutions.applyCompleted();
        ctx.status().partitions(ctx.book().pendingPartitions(), ctx.book().blockedPartitions(),
            ctx.book().fencedTopics());
        bridge.announce();
        commits.maybeAutoCommit();
        RuntimeException report = resolutions.nextReport();
        if (report != null) {
          throw report;
        }
        List<Integer> active = ctx.delegates().active();
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime()));
        if (active.isEmpty()) {
          WakeupGuard.sleep(Math.min(remainingMillis, RecordMerger.SLICE_MILLIS));
        } else {
          ConsumerRecords<K, V> records = merger.poll(active, remainingMillis);
          if (!records.isEmpty()) {
            return records;
          }
        }
        if (System.nanoTime() - deadline >= 0) {
          return ConsumerRecords.empty();
        }
      }
    } finally {
      guard.release();
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // Commits

  /** Commits the positions of every consumed partition on each cluster, stamped. Blocks up to {@code default.api.timeout.ms}. */
  @Override
  public void commitSync() {
    commitSync(ctx.apiTimeout());
  }

  /** Commits the positions of every consumed partition, on the cluster each is read from, within {@code timeout}. */
  @Override
  public void commitSync(Duration timeout) {
    run(() -> commits.commitConsumed(timeout));
  }

  /** Commits the given offsets, each on the cluster its partition is read from. See {@link #commitSync(Map, Duration)}. */
  @Override
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    commitSync(offsets, ctx.apiTimeout());
  }

  /**
   * Commits the given offsets, each on the cluster its partition is assigned on (or, for a partition not
   * assigned here, the read cluster of its topic), with a stamp prepended to the metadata. Committing a
   * partition whose position is still being established or is blocked is an explicit decision: the
   * consumer stops establishing it and resumes it.
   *
   * @throws OwnershipAmbiguousException for a topic no rule governs, or before any map is loaded
   */
  @Override
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
    run(() -> commits.commit(offsets, timeout));
  }

  /** Commits the positions of every consumed partition asynchronously. */
  @Override
  public void commitAsync() {
    commitAsync(null);
  }

  /**
   * Commits the positions of every consumed partition asynchronously, on each cluster; the callback is called
   * once, on a later call of this consumer, when every cluster has answered, with the offsets as given (without
   * stamps) and the first error.
   */
  @Override
  public void commitAsync(OffsetCommitCallback callback) {
    run(() -> commits.commitConsumedAsync(callback));
  }

  /** Commits the given offsets asynchronously, each on its partition's cluster; see {@link #commitSync(Map, Duration)}. */
  @Override
  public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
    run(() -> commits.commitAsync(offsets, callback));
  }

  /**
   * The last committed offsets, each read from the cluster its partition is assigned on (or its topic's read
   * cluster), with the application's metadata (the Turnout stamp removed).
   */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
    return committed(partitions, ctx.apiTimeout());
  }

  /** See {@link #committed(Set)}. */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
    return call(() -> commits.committed(partitions, timeout));
  }

  // ----------------------------------------------------------------------------------------------------------
  // Positions

  /**
   * Seeks a partition on the cluster it is assigned on. An explicit position overrides one being established
   * and unblocks a blocked partition.
   */
  @Override
  public void seek(TopicPartition partition, long offset) {
    run(() -> {
      holder(partition, "seek").seek(partition, offset);
      commits.takeOver(partition);
    });
  }

  /** See {@link #seek(TopicPartition, long)}. */
  @Override
  public void seek(TopicPartition partition, OffsetAndMetadata offsetAndMetadata) {
    run(() -> {
      holder(partition, "seek").seek(partition, offsetAndMetadata);
      commits.takeOver(partition);
    });
  }

  /** Seeks to the beginning on each partition's cluster; see {@link #seek(TopicPartition, long)}. */
  @Override
  public void seekToBeginning(Collection<TopicPartition> partitions) {
    run(() -> {
      Collection<TopicPartition> targets = partitions.isEmpty() ? ctx.book().owned() : partitions;
      byHolder(targets).forEach(Consumer::seekToBeginning);
      targets.forEach(commits::takeOver);
    });
  }

  /** Seeks to the end on each partition's cluster; see {@link #seek(TopicPartition, long)}. */
  @Override
  public void seekToEnd(Collection<TopicPartition> partitions) {
    run(() -> {
      Collection<TopicPartition> targets = partitions.isEmpty() ? ctx.book().owned() : partitions;
      byHolder(targets).forEach(Consumer::seekToEnd);
      targets.forEach(commits::takeOver);
    });
  }

  /** See {@link #position(TopicPartition, Duration)}. */
  @Override
  public long position(TopicPartition partition) {
    return position(partition, ctx.apiTimeout());
  }

  /**
   * The position on the cluster the partition is assigned on. For a partition whose position is still being
   * established this waits for it, up to {@code timeout} ({@link org.apache.kafka.common.errors.TimeoutException}
   * if it is not done).
   *
   * @throws BoundaryNotVerifiedException for a blocked partition
   */
  @Override
  public long position(TopicPartition partition, Duration timeout) {
    return call(() -> {
      long deadline = Deadlines.of(timeout);
      Consumer<K, V> d = holder(partition, "check the position of");
      resolutions.awaitSettled(partition, deadline, timeout);
      return ctx.wakeups().call(d, () -> d.position(partition, Deadlines.remaining(deadline)));
    });
  }

  private Consumer<K, V> holder(TopicPartition tp, String action) {
    Integer cluster = ctx.book().owner(tp);
    if (cluster == null) {
      throw new IllegalStateException("No current assignment for partition " + tp + ": cannot " + action + " it");
    }
    return ctx.delegates().get(cluster);
  }

  private Map<Consumer<K, V>, List<TopicPartition>> byHolder(Collection<TopicPartition> partitions) {
    Map<Consumer<K, V>, List<TopicPartition>> out = new LinkedHashMap<>();
    for (TopicPartition tp : partitions) {
      out.computeIfAbsent(holder(tp, "seek"), k -> new ArrayList<>()).add(tp);
    }
    return out;
  }

  /** The partitions the application paused. */
  @Override
  public Set<TopicPartition> paused() {
    return call(() -> ctx.book().userPaused());
  }

  /**
   * Pauses partitions on the cluster each is assigned on. Independent of Turnout's own pausing: a partition
   * resumes only when neither the application nor Turnout holds it.
   */
  @Override
  public void pause(Collection<TopicPartition> partitions) {
    run(() -> {
      byHolder(partitions).forEach(Consumer::pause);
      ctx.book().userPause(partitions);
    });
  }

  /** Resumes partitions the application paused (those Turnout holds stay paused until it releases them). */
  @Override
  public void resume(Collection<TopicPartition> partitions) {
    run(() -> {
      for (TopicPartition tp : partitions) {
        holder(tp, "resume");
        ctx.book().userResume(tp);
        ctx.delegates().resumeIfFree(tp, ctx.book());
      }
    });
  }

  /** The lag of a partition on the cluster it is assigned on; empty if not assigned or unknown. */
  @Override
  public OptionalLong currentLag(TopicPartition topicPartition) {
    return call(() -> {
      Integer cluster = ctx.book().owner(topicPartition);
      return cluster == null ? OptionalLong.empty() : ctx.delegates().get(cluster).currentLag(topicPartition);
    });
  }

  // ----------------------------------------------------------------------------------------------------------
  // Metadata, from each topic's read cluster

  /** Partitions of a topic on its read cluster; refused when no rule governs it or the map is missing or stale. */
  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return partitionsFor(topic, ctx.apiTimeout());
  }

  /** See {@link #partitionsFor(String)}. */
  @Override
  public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
    return call(() -> metadata.partitionsFor(topic, timeout));
  }

  /** Topics governed by a rule, each with its partitions on its read cluster (topics no rule governs are left out). */
  @Override
  public Map<String, List<PartitionInfo>> listTopics() {
    return listTopics(ctx.apiTimeout());
  }

  /** See {@link #listTopics()}. */
  @Override
  public Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
    return call(() -> metadata.listTopics(timeout));
  }

  /** Offsets for timestamps, each from its topic's read cluster. */
  @Override
  public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch) {
    return offsetsForTimes(timestampsToSearch, ctx.apiTimeout());
  }

  /** See {@link #offsetsForTimes(Map)}. */
  @Override
  public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch,
      Duration timeout) {
    return call(() -> metadata.offsetsForTimes(timestampsToSearch, timeout));
  }

  /** First offsets, each from its topic's read cluster. */
  @Override
  public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
    return beginningOffsets(partitions, ctx.apiTimeout());
  }

  /** See {@link #beginningOffsets(Collection)}. */
  @Override
  public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions, Duration timeout) {
    return call(() -> metadata.offsets(partitions, timeout, true));
  }

  /** End offsets, each from its topic's read cluster. */
  @Override
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
    return endOffsets(partitions, ctx.apiTimeout());
  }

  /** See {@link #endOffsets(Collection)}. */
  @Override
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
    return call(() -> metadata.offsets(partitions, timeout, false));
  }

  // ----------------------------------------------------------------------------------------------------------
  // Group, metrics, lifecycle

  /**
   * The group metadata of the one cluster this consumer reads from (for
   * {@code Producer.sendOffsetsToTransaction}); refused with {@code OWNER_SPLIT_ACROSS_CLUSTERS} while it reads
   * from two. A validation consumer returns its derived group.
   */
  @Override
  public ConsumerGroupMetadata groupMetadata() {
    return call(() -> {
      if (ctx.group() == null) {
        throw new InvalidGroupIdException("To use the group management or offset commit APIs, you must provide a "
            + "valid group.id in the consumer configuration.");
      }
      List<Integer> active = ctx.delegates().active();
      if (active.isEmpty()) {
        return new ConsumerGroupMetadata(ctx.group());
      }
      if (active.size() > 1) {
        List<String> aliases = active.stream().map(ctx::alias).toList();
        throw ctx.core().refusal(new OwnershipAmbiguousException(Reason.OWNER_SPLIT_ACROSS_CLUSTERS, null,
            routing.epoch(), "This consumer reads from clusters " + aliases + ": its group metadata is ambiguous. "
                + "Consume the topics of each cluster with a consumer of its own for exactly-once processing."));
      }
      return ctx.delegates().get(active.get(0)).groupMetadata();
    });
  }

  /** Triggers a rebalance on the client of every cluster this consumer reads from. */
  @Override
  public void enforceRebalance() {
    enforceRebalance(null);
  }

  /** See {@link #enforceRebalance()}. */
  @Override
  public void enforceRebalance(String reason) {
    run(() -> ctx.delegates().active().forEach(c -> ctx.delegates().get(c).enforceRebalance(reason)));
  }

  /**
   * Turnout's metrics (group {@code turnout}) and the metrics of every cluster's client, each tagged with
   * {@code cluster=<alias>}.
   */
  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return ctx.core().allMetrics(ctx.delegates().clients());
  }

  /** Registers the metric with the client of every cluster, including clients created later. */
  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    ctx.delegates().registerMetric(metric);
  }

  /** Unregisters the metric from the client of every cluster. */
  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    ctx.delegates().unregisterMetric(metric);
  }

  /**
   * Not supported: a routing consumer has one client instance id per cluster. Use
   * {@link #clientInstanceId(String, Duration)}.
   */
  @Override
  public Uuid clientInstanceId(Duration timeout) {
    throw new UnsupportedOperationException("A RoutingConsumer has one client instance id per cluster: call "
        + "clientInstanceId(alias, timeout)");
  }

  /** The client instance id of one cluster's client (creating that client if needed). */
  public Uuid clientInstanceId(String alias, Duration timeout) {
    return call(() -> {
      int index = ctx.indexOf(alias);
      if (index < 0) {
        throw new IllegalArgumentException("Unknown cluster alias '" + alias + "'; declared: " + ctx.settings().clusters);
      }
      return ctx.delegates().get(index).clientInstanceId(timeout);
    });
  }

  /** The epoch of the authority map this consumer routes by, or -1 before the first one is applied. */
  public long epoch() {
    return routing.epoch();
  }

  /** The alias of the cluster a subscribed or assigned topic is read from now, or {@code null} if none. */
  public String readCluster(String topic) {
    return call(() -> {
      Integer cluster = routing.readCluster(topic);
      return cluster == null ? null : ctx.alias(cluster);
    });
  }

  /**
   * Interrupts a blocking call of this consumer from another thread: the call (or the next one) throws
   * {@link WakeupException}.
   */
  @Override
  public void wakeup() {
    ctx.wakeups().wakeup();
  }

  /** Closes within 30 seconds; see {@link #close(CloseOptions)}. */
  @Override
  public void close() {
    close(CloseOptions.timeout(DEFAULT_CLOSE_TIMEOUT));
  }

  /**
   * Closes within {@code timeout}; see {@link #close(CloseOptions)}.
   *
   * @deprecated like {@code KafkaConsumer.close(Duration)}: use {@link #close(CloseOptions)}
   */
  @Deprecated
  @Override
  public void close(Duration timeout) {
    close(CloseOptions.timeout(timeout));
  }

  /**
   * Auto-commits (when enabled) the consumed positions, then closes the switch worker and the client of every
   * cluster within the timeout in total (the group membership option applies to each), and stops refreshing
   * the authority map. Later calls of other methods throw {@link IllegalStateException}.
   */
  @Override
  public void close(CloseOptions options) {
    Objects.requireNonNull(options, "options");
    if (guard.closingOrClosed()) {
      return;
    }
    guard.acquire();
    try {
      // Like KafkaConsumer, usable from rebalance callbacks until the clients are closed.
      guard.startClosing();
      ctx.core().listeners().closing();
      long deadline = Deadlines.of(options.timeout().orElse(DEFAULT_CLOSE_TIMEOUT));
      if (fleet != null) {
        fleet.close(Deadlines.remaining(deadline)); // the tombstone first
      }
      commits.commitOnClose(deadline);
      ctx.book().cancelAll();
      resolutions.worker().close();
      RuntimeException failure = closeClients(options, deadline);
      ctx.core().close();
      log.info("[{}] RoutingConsumer closed", ctx.clientId());
      if (failure != null) {
        throw failure;
      }
    } finally {
      guard.markClosed();
      guard.release();
      ctx.core().listeners().closed();
    }
  }

  /** A snapshot of this consumer's state (docs/status.md); safe from any thread, holds no secret. */
  public ClientStatus status() {
    return ctx.status().snapshot();
  }

  /** Adds a listener of this consumer's epochs, refusals and closing (docs/status.md). */
  public void addListener(TurnoutListener listener) {
    ctx.core().listeners().add(listener);
  }

  /** Removes a listener added with {@link #addListener}. */
  public void removeListener(TurnoutListener listener) {
    ctx.core().listeners().remove(listener);
  }

  /** Closes each client (each stays reachable while it closes: its revocation callbacks may commit through here). */
  private RuntimeException closeClients(CloseOptions options, long deadline) {
    RuntimeException first = null;
    for (int c = 0; c < ctx.delegates().size(); c++) {
      Consumer<K, V> d = ctx.delegates().existing(c);
      if (d == null) {
        continue;
      }
      try {
        d.close(CloseOptions.timeout(Deadlines.remaining(deadline))
            .withGroupMembershipOperation(options.groupMembershipOperation()));
      } catch (RuntimeException e) {
        log.warn("[{}] Error closing the client of cluster '{}'", ctx.clientId(), ctx.alias(c), e);
        first = first == null ? e : first;
      }
    }
    ctx.delegates().clients().close(Duration.ZERO, (d, remaining) -> { });
    return first;
  }

  // ----------------------------------------------------------------------------------------------------------
  // Thread guard

  private void run(Runnable call) {
    guard.acquireOpen();
    try {
      call.run();
    } finally {
      guard.release();
    }
  }

  private <T> T call(Supplier<T> call) {
    guard.acquireOpen();
    try {
      return call.get();
    } finally {
      guard.release();
    }
  }
}
