package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.authority.Rule;
import dev.turnout.internal.cluster.ClusterClients;
import dev.turnout.internal.consumer.CommitStamp;
import dev.turnout.internal.consumer.RecordIdentity;
import dev.turnout.internal.consumer.Resolution;
import dev.turnout.internal.consumer.SwitchListener;
import dev.turnout.internal.consumer.SwitchWorker;
import dev.turnout.internal.source.AuthorityRefresher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Sensor;
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
 */
public class RoutingConsumer<K, V> implements Consumer<K, V> {

  private static final Logger log = LoggerFactory.getLogger(RoutingConsumer.class);
  private static final AtomicInteger CLIENT_SEQUENCE = new AtomicInteger();
  private static final long NO_CURRENT_THREAD = -1L;
  private static final long SLICE_MILLIS = 50;
  private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
  private static final long MAX_WAIT_NANOS = TimeUnit.DAYS.toNanos(365);
  private static final ConsumerRebalanceListener NO_LISTENER = new ConsumerRebalanceListener() {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
  };

  private enum Mode { NONE, TOPICS, PATTERN, ASSIGN }

  private record Pending(int cluster, SwitchWorker.Ticket ticket) {}

  private final TurnoutSettings settings;
  private final TurnoutSettings.ConsumerOptions options;
  private final AuthorityRefresher refresher;
  private final ClusterClients<Consumer<K, V>> clients;
  private final ClientMetrics metrics;
  private final SwitchWorker worker;
  private final String group;
  private final boolean autoCommit;
  private final long autoCommitIntervalNanos;
  private final long patternRefreshNanos;
  private final Duration apiTimeout;
  private final Set<KafkaMetric> subscribedMetrics = new CopyOnWriteArraySet<>();

  // Subscription, as the application asked for it.
  private Mode mode = Mode.NONE;
  private Set<String> topics = Set.of();
  private Pattern pattern;
  private ConsumerRebalanceListener userListener = NO_LISTENER;
  private Set<TopicPartition> userAssignment = Set.of();
  private Set<String> patternTopics = Set.of();
  private long nextPatternRefreshNanos;
  private boolean dirty;

  // What each cluster's client is subscribed to (subscribe modes) or assigned (assign mode).
  private final List<Set<String>> subscribedTopics = new ArrayList<>();
  private final List<Set<TopicPartition>> assignedPartitions = new ArrayList<>();
  private final List<InternalListener> listeners = new ArrayList<>();

  // Routing state, applied on the polling thread.
  private AuthorityMap applied;
  private volatile long appliedEpoch = -1;
  private boolean halted;
  private final Map<String, Integer> topicCluster = new HashMap<>();
  private final Map<TopicPartition, Integer> ownedBy = new HashMap<>();
  private final Map<TopicPartition, Pending> pending = new HashMap<>();
  private final Map<TopicPartition, Resolution> blocked = new HashMap<>();
  private final Map<TopicPartition, Resolution> suppressions = new HashMap<>();
  private final Map<TopicPartition, SwitchWorker.Ticket> watches = new HashMap<>();
  private final Set<TopicPartition> userPaused = new HashSet<>();
  // Partitions the application was told about (onPartitionsAssigned), and those to tell it about at the next poll.
  private final Set<TopicPartition> announced = new HashSet<>();
  private final Set<TopicPartition> toAnnounce = new java.util.LinkedHashSet<>();
  private final Map<TopicPartition, OffsetAndMetadata> requestedCommits = new HashMap<>();
  private final Map<TopicPartition, long[]> localHandovers = new HashMap<>();
  private final Set<String> refusedTopics = new HashSet<>();
  // Topics another member committed under a newer epoch than this consumer's: not read until the map catches up.
  private final Map<String, Long> fencedTopics = new HashMap<>();
  private final Map<Integer, java.util.concurrent.CompletableFuture<Map<String, Long>>> fenceChecks = new HashMap<>();
  private long nextFenceCheckNanos;
  private final ConcurrentLinkedDeque<RuntimeException> reports = new ConcurrentLinkedDeque<>();
  private long nextAutoCommitNanos;
  private int pollStart;

  // Metrics.
  private final LongAdder switches = new LongAdder();
  private final LongAdder duplicatesAvoided = new LongAdder();
  private final LongAdder duplicatesAdmitted = new LongAdder();
  private final Map<Resolution.Outcome, LongAdder> outcomes = new EnumMap<>(Resolution.Outcome.class);
  private final Sensor switchDuration;
  private final Set<String> readClusterGauges = new HashSet<>();
  private volatile int pendingCount;
  private volatile int blockedCount;
  private volatile int fencedCount;

  private final AtomicLong currentThread = new AtomicLong(NO_CURRENT_THREAD);
  private final AtomicInteger refcount = new AtomicInteger();
  private volatile boolean wakeupRequested;
  private volatile Consumer<K, V> blocking;
  private volatile boolean closed;
  private volatile boolean closing;

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
    Objects.requireNonNull(configs, "configs");
    this.settings = TurnoutSettings.parse(configs, "turnout-consumer-" + CLIENT_SEQUENCE.incrementAndGet());
    this.options = settings.consumerOptions();
    requireDeserializer(keyDeserializer, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
    requireDeserializer(valueDeserializer, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
    Object configuredGroup = settings.base.get(ConsumerConfig.GROUP_ID_CONFIG);
    String baseGroup = configuredGroup == null || configuredGroup.toString().isBlank() ? null : configuredGroup.toString();
    this.group = baseGroup == null ? null
        : options.validation() ? baseGroup + TurnoutConfig.VALIDATION_GROUP_SUFFIX : baseGroup;
    this.autoCommit = group != null && bool(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
    this.autoCommitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(longSetting(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 5_000));
    this.patternRefreshNanos = TimeUnit.MILLISECONDS.toNanos(longSetting(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 300_000));
    this.apiTimeout = Duration.ofMillis(longSetting(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));

    List<Map<String, Object>> delegateConfigs = new ArrayList<>();
    for (Map<String, Object> clusterConfig : settings.clusterConfigs) {
      Map<String, Object> config = new HashMap<>(clusterConfig);
      if (group == null) {
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
      } else {
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      }
      // Turnout commits itself, so that every commit carries its stamp.
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      delegateConfigs.add(config);
    }
    for (int i = 0; i < settings.clusters.size(); i++) {
      subscribedTopics.add(Set.of());
      assignedPartitions.add(Set.of());
      listeners.add(new InternalListener(i));
    }
    this.clients = new ClusterClients<>(settings.clusters, delegateConfigs,
        config -> new KafkaConsumer<>(config, keyDeserializer, valueDeserializer));
    this.clients.onCreate((alias, consumer) -> subscribedMetrics.forEach(consumer::registerMetricForSubscription));
    this.refresher = new AuthorityRefresher(settings.createSource(), settings.clusters, settings.refreshMillis,
        settings.maxStalenessMillis, settings.clientId);
    this.metrics = new ClientMetrics(settings.clientId, settings.clusters, refresher, "records-consumed-total",
        "Records delivered to the application from that cluster");
    this.switchDuration = registerMetrics();
    this.worker = new SwitchWorker(settings.clientId, new SwitchWorker.Settings(group, options.boundaryTimeoutMillis(),
        options.rewind(), options.translation(), options.mm2SourceAlias()),
        alias -> clients.config(settings.clusters.indexOf(alias)), () -> appliedEpoch, refresher::refresh,
        new WorkerEvents());
    try {
      AuthorityChecks.start(refresher, settings.authorityRequired, settings.clientId, "RoutingConsumer");
    } catch (RuntimeException e) {
      refresher.close();
      metrics.close();
      throw e;
    }
    log.info("[{}] RoutingConsumer started for clusters {} (group {}, role {}, translation {}, unverified boundary: {}) "
        + "with authority from {}", settings.clientId, settings.clusters, group,
        options.validation() ? TurnoutConfig.CONSUMER_ROLE_VALIDATION : TurnoutConfig.CONSUMER_ROLE_PRODUCTION,
        options.translation().configValue(), options.rewind() ? "rewind" : "fail", refresher.source().description());
  }

  private void requireDeserializer(Deserializer<?> instance, String key) {
    if (instance == null && settings.base.get(key) == null) {
      throw new ConfigException(key, null, "Missing required configuration \"" + key + "\" which has no default value.");
    }
  }

  private boolean bool(String key, boolean defaultValue) {
    Object v = settings.base.get(key);
    return v == null ? defaultValue : Boolean.parseBoolean(v.toString().trim());
  }

  private long longSetting(String key, long defaultValue) {
    Object v = settings.base.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v, "must be a number");
    }
  }

  private Sensor registerMetrics() {
    metrics.gauge("read-switches-total", "Topics whose reads this consumer moved to another cluster", Map.of(),
        switches::sum);
    for (Resolution.Outcome outcome : Resolution.Outcome.values()) {
      LongAdder adder = new LongAdder();
      outcomes.put(outcome, adder);
      metrics.gauge("boundary-verifications-total", "Partitions whose read position was established after "
          + "assignment, by outcome", Map.of("outcome", outcomeTag(outcome)), adder::sum);
    }
    metrics.gauge("duplicates-avoided-total", "Records between the translated offset and the verified boundary: "
        + "what trusting the translation would have delivered twice", Map.of(), duplicatesAvoided::sum);
    metrics.gauge("duplicates-admitted-total", "Records delivered twice after a rewind, counted once the last "
        + "processed record appeared on the new cluster", Map.of(), duplicatesAdmitted::sum);
    metrics.gauge("partitions-pending", "Assigned partitions whose read position is still being established",
        Map.of(), () -> pendingCount);
    metrics.gauge("partitions-blocked", "Assigned partitions blocked because their boundary was not verified",
        Map.of(), () -> blockedCount);
    metrics.gauge("topics-fenced", "Topics not read because the group committed them under a newer authority map "
        + "than this consumer's", Map.of(), () -> fencedCount);
    return metrics.avgMax("switch-duration-ms", "milliseconds from a partition's handover on the old cluster to "
        + "its resumption on the new one");
  }

  static String outcomeTag(Resolution.Outcome outcome) {
    return outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  // ----------------------------------------------------------------------------------------------------------
  // Subscription

  /** Subscribes to topics; each is read from the cluster its rule names. See {@link #subscribe(Collection, ConsumerRebalanceListener)}. */
  @Override
  public void subscribe(Collection<String> topics) {
    subscribe(topics, NO_LISTENER);
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
    acquireAndEnsureOpen();
    try {
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
      if (mode == Mode.ASSIGN || mode == Mode.PATTERN) {
        throw new IllegalStateException("Subscription to topics, partitions and pattern are mutually exclusive");
      }
      mode = Mode.TOPICS;
      this.topics = Set.copyOf(topics);
      this.userListener = listener;
      dirty = true;
      applyAuthority();
    } finally {
      release();
    }
  }

  /** Subscribes to the topics matching a pattern. See {@link #subscribe(Pattern, ConsumerRebalanceListener)}. */
  @Override
  public void subscribe(Pattern pattern) {
    subscribe(pattern, NO_LISTENER);
  }

  /**
   * Subscribes to the topics matching a pattern on any declared cluster (topics whose name starts with
   * {@code __} excluded), re-evaluated every {@code metadata.max.age.ms}. Each matching topic is then read
   * from the cluster its rule names; matching topics no rule governs fail closed as for a list.
   */
  @Override
  public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
    acquireAndEnsureOpen();
    try {
      if (pattern == null || pattern.toString().isEmpty()) {
        throw new IllegalArgumentException("Topic pattern to subscribe to cannot be " + (pattern == null ? "null" : "empty"));
      }
      if (listener == null) {
        throw new IllegalArgumentException("RebalanceListener cannot be null");
      }
      if (mode == Mode.ASSIGN || mode == Mode.TOPICS) {
        throw new IllegalStateException("Subscription to topics, partitions and pattern are mutually exclusive");
      }
      mode = Mode.PATTERN;
      this.pattern = pattern;
      this.userListener = listener;
      nextPatternRefreshNanos = System.nanoTime();
      dirty = true;
      applyAuthority();
    } finally {
      release();
    }
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
    acquireAndEnsureOpen();
    try {
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
      if (mode == Mode.TOPICS || mode == Mode.PATTERN) {
        throw new IllegalStateException("Subscription to topics, partitions and pattern are mutually exclusive");
      }
      mode = Mode.ASSIGN;
      userAssignment = Set.copyOf(partitions);
      dirty = true;
      applyAuthority();
    } finally {
      release();
    }
  }

  /** Leaves every cluster's group (revoking through the listener) and forgets the subscription or assignment. */
  @Override
  public void unsubscribe() {
    acquireAndEnsureOpen();
    try {
      unsubscribeInternal();
    } finally {
      release();
    }
  }

  private void unsubscribeInternal() {
    mode = Mode.NONE;
    topics = Set.of();
    pattern = null;
    patternTopics = Set.of();
    userAssignment = Set.of();
    for (int c = 0; c < clients.aliases().size(); c++) {
      Consumer<K, V> d = clients.existing(c);
      if (d != null && (!subscribedTopics.get(c).isEmpty() || !assignedPartitions.get(c).isEmpty())) {
        Consumer<K, V> consumer = d;
        onDelegate(d, () -> {
          consumer.unsubscribe();
          return null;
        });
      }
      subscribedTopics.set(c, Set.of());
      assignedPartitions.set(c, Set.of());
    }
    pending.values().forEach(p -> p.ticket().cancel());
    watches.values().forEach(SwitchWorker.Ticket::cancel);
    pending.clear();
    watches.clear();
    blocked.clear();
    suppressions.clear();
    ownedBy.clear();
    userPaused.clear();
    fencedTopics.clear();
    fenceChecks.clear();
    announced.clear();
    toAnnounce.clear();
    requestedCommits.clear();
    localHandovers.clear();
    topicCluster.clear();
    userListener = NO_LISTENER;
    updateGauges();
  }

  /** The partitions assigned to this consumer on every cluster (including those whose position is being established). */
  @Override
  public Set<TopicPartition> assignment() {
    acquireAndEnsureOpen();
    try {
      Set<TopicPartition> all = new HashSet<>();
      for (int c = 0; c < clients.aliases().size(); c++) {
        Consumer<K, V> d = clients.existing(c);
        if (d != null) {
          all.addAll(d.assignment());
        }
      }
      return Set.copyOf(all);
    } finally {
      release();
    }
  }

  /** The subscribed topics (for a pattern, the topics it currently matches); empty for a manual assignment. */
  @Override
  public Set<String> subscription() {
    acquireAndEnsureOpen();
    try {
      return switch (mode) {
        case TOPICS -> topics;
        case PATTERN -> patternTopics;
        default -> Set.of();
      };
    } finally {
      release();
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // Authority

  private void applyAuthority() {
    if (mode == Mode.NONE) {
      return;
    }
    AuthorityMap map = refresher.map();
    boolean stale = map == null || refresher.isStale();
    if (stale) {
      if (!halted) {
        halted = true;
        pauseEverything();
        OwnershipAmbiguousException refusal = map == null
            ? new OwnershipAmbiguousException(Reason.NO_AUTHORITY_MAP, null, -1, "No valid authority map has been "
                + "loaded from " + refresher.source().description() + ": this consumer reads nothing until one is."
                + AuthorityChecks.reason(refresher))
            : new OwnershipAmbiguousException(Reason.STALE_AUTHORITY_MAP, null, map.epoch(), "The authority map "
                + "(epoch " + map.epoch() + ") is stale: no refresh from " + refresher.source().description()
                + " has succeeded for " + refresher.ageMillis() + " ms (" + TurnoutConfig.AUTHORITY_MAX_STALENESS_MS
                + "). Every partition is paused until the source is readable and valid again."
                + AuthorityChecks.reason(refresher));
        metrics.refused(refusal.reason());
        log.error("[{}] {}", settings.clientId, refusal.getMessage());
        reports.add(refusal);
      }
      return;
    }
    if (halted) {
      halted = false;
      log.info("[{}] Authority map epoch {} is fresh again; resuming", settings.clientId, map.epoch());
      new ArrayList<>(ownedBy.keySet()).forEach(this::resumeIfFree);
    }
    boolean patternDue = mode == Mode.PATTERN && System.nanoTime() - nextPatternRefreshNanos >= 0;
    if (map == applied && !dirty && !patternDue) {
      return;
    }
    if (patternDue) {
      refreshPatternTopics();
    }
    reconcile(map);
    dirty = false;
  }

  /**
   * Fencing: every {@code turnout.authority.refresh.ms}, reads the newest epoch stamped on the group's commits of
   * each topic this consumer reads. A newer epoch than its own means another member moved the topic: this member
   * stops reading it (and re-reads the authority source) until its map catches up, instead of reading on while
   * the others wait for its handover.
   */
  private void checkFences() {
    if (group == null || mode == Mode.ASSIGN || halted) {
      return;
    }
    for (var it = fenceChecks.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().isDone()) {
        continue;
      }
      it.remove();
      Map<String, Long> newest;
      try {
        newest = e.getValue().join();
      } catch (RuntimeException failure) {
        log.debug("[{}] Fence check on '{}' failed", settings.clientId, clients.alias(e.getKey()), failure);
        continue;
      }
      int cluster = e.getKey();
      newest.forEach((topic, epoch) -> {
        if (epoch > appliedEpoch && Objects.equals(topicCluster.get(topic), cluster)) {
          fence(topic, epoch, cluster);
        }
      });
    }
    if (System.nanoTime() - nextFenceCheckNanos >= 0) {
      nextFenceCheckNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.refreshMillis);
      for (int c : activeClusters()) {
        if (!fenceChecks.containsKey(c) && !subscribedTopics.get(c).isEmpty()) {
          fenceChecks.put(c, worker.newestEpochs(clients.alias(c), Set.copyOf(subscribedTopics.get(c))));
        }
      }
    }
  }

  private void fence(String topic, long epoch, int cluster) {
    Long previous = fencedTopics.put(topic, Math.max(epoch, fencedTopics.getOrDefault(topic, -1L)));
    if (previous != null) {
      return;
    }
    List<TopicPartition> held = new ArrayList<>();
    ownedBy.forEach((tp, c) -> {
      if (c == cluster && tp.topic().equals(topic)) {
        held.add(tp);
      }
    });
    clients.get(cluster).pause(held);
    updateGauges();
    log.warn("[{}] Group '{}' committed topic '{}' on '{}' under authority map epoch {}, newer than epoch {} in force "
        + "here: another member moved it. This consumer stops reading {} until its map catches up (check {}).",
        settings.clientId, group, topic, clients.alias(cluster), epoch, appliedEpoch, held,
        refresher.source().description());
  }

  private void releaseFences() {
    if (fencedTopics.isEmpty()) {
      return;
    }
    List<String> released = new ArrayList<>();
    fencedTopics.forEach((topic, epoch) -> {
      if (epoch <= appliedEpoch || !topicCluster.containsKey(topic)) {
        released.add(topic);
      }
    });
    for (String topic : released) {
      fencedTopics.remove(topic);
      log.info("[{}] Topic '{}' is no longer fenced (epoch {} in force)", settings.clientId, topic, appliedEpoch);
      for (TopicPartition tp : new ArrayList<>(ownedBy.keySet())) {
        if (tp.topic().equals(topic)) {
          resumeIfFree(tp);
        }
      }
    }
    updateGauges();
  }

  private void refreshPatternTopics() {
    Set<String> matched = new HashSet<>();
    long deadline = System.nanoTime() + apiTimeout.toNanos();
    try {
      for (int c = 0; c < clients.aliases().size(); c++) {
        Consumer<K, V> d = clients.get(c);
        Duration remaining = remaining(deadline);
        for (String topic : onDelegate(d, () -> d.listTopics(remaining)).keySet()) {
          if (!topic.startsWith("__") && pattern.matcher(topic).matches()) {
            matched.add(topic);
          }
        }
      }
      patternTopics = Set.copyOf(matched);
    } catch (KafkaException e) {
      log.warn("[{}] Cannot list topics to match pattern '{}' ({}); keeping {}", settings.clientId, pattern, e.toString(),
          patternTopics);
    }
    nextPatternRefreshNanos = System.nanoTime() + patternRefreshNanos;
  }

  private String readAlias(Rule rule) {
    return options.validation() && rule.state() == MigrationState.DUAL_READ ? rule.target() : rule.readCluster();
  }

  private Set<String> wantedTopics() {
    return switch (mode) {
      case TOPICS -> topics;
      case PATTERN -> patternTopics;
      case ASSIGN -> {
        Set<String> t = new HashSet<>();
        userAssignment.forEach(tp -> t.add(tp.topic()));
        yield t;
      }
      default -> Set.of();
    };
  }

  private void reconcile(AuthorityMap map) {
    long epoch = map.epoch();
    Map<String, Integer> desired = new HashMap<>();
    for (String topic : wantedTopics()) {
      Rule rule = map.ruleFor(topic);
      if (rule == null) {
        refuseTopic(topic, epoch);
        continue;
      }
      desired.put(topic, settings.clusters.indexOf(readAlias(rule)));
    }
    for (Map.Entry<String, Integer> e : new ArrayList<>(topicCluster.entrySet())) {
      Integer to = desired.get(e.getKey());
      if (to != null && !to.equals(e.getValue())) {
        switchOut(e.getKey(), e.getValue(), to, epoch);
      }
    }
    topicCluster.clear();
    topicCluster.putAll(desired);
    applied = map;
    appliedEpoch = epoch;
    updateDelegates(desired);
    updateReadClusterGauges();
  }

  private void refuseTopic(String topic, long epoch) {
    if (refusedTopics.add(topic + "@" + epoch)) {
      OwnershipAmbiguousException refusal = new OwnershipAmbiguousException(Reason.NO_MATCHING_RULE, topic, epoch,
          "No rule of authority map epoch " + epoch + " governs topic '" + topic + "': it is read from no cluster. "
              + "Add it to a rule (rule.<name>.topics or rule.<name>.topic-prefix) in a document with a higher epoch.");
      metrics.refused(Reason.NO_MATCHING_RULE);
      log.warn("[{}] {}", settings.clientId, refusal.getMessage());
      reports.add(refusal);
    }
  }

  /** Stops reading a topic on one cluster because a new epoch moves its reads to another: the handover. */
  private void switchOut(String topic, int from, int to, long epoch) {
    Consumer<K, V> d = clients.existing(from);
    String fromAlias = clients.alias(from);
    String toAlias = clients.alias(to);
    switches.increment();
    if (d == null) {
      log.info("[{}] Epoch {} moves reads of topic '{}' from '{}' to '{}'", settings.clientId, epoch, topic, fromAlias,
          toAlias);
      return;
    }
    long started = System.nanoTime();
    List<TopicPartition> held = new ArrayList<>();
    for (TopicPartition tp : d.assignment()) {
      if (tp.topic().equals(topic)) {
        held.add(tp);
      }
    }
    d.pause(held);
    List<TopicPartition> owned = new ArrayList<>();
    List<TopicPartition> consumed = new ArrayList<>();
    for (TopicPartition tp : held) {
      if (Objects.equals(ownedBy.get(tp), from)) {
        owned.add(tp);
        if (!pending.containsKey(tp) && !blocked.containsKey(tp)) {
          consumed.add(tp);
        }
      }
    }
    List<TopicPartition> visible = owned.stream().filter(announced::contains).toList();
    if (mode != Mode.ASSIGN && !visible.isEmpty()) {
      try {
        userListener.onPartitionsRevoked(visible);
      } catch (RuntimeException e) {
        log.error("[{}] The rebalance listener failed on the revocation of {} for the switch to '{}'", settings.clientId,
            visible, toAlias, e);
        reports.add(new KafkaException("User rebalance callback throws an error", e));
      }
    }
    long now = System.currentTimeMillis();
    Map<TopicPartition, OffsetAndMetadata> handover = new HashMap<>();
    for (TopicPartition tp : consumed) {
      OptionalLong offset = handoverOffset(d, tp);
      if (offset.isEmpty()) {
        continue;
      }
      OffsetAndMetadata requested = requestedCommits.get(tp);
      String appMetadata = requested == null ? "" : CommitStamp.applicationMetadata(requested.metadata());
      handover.put(tp, new OffsetAndMetadata(offset.getAsLong(), CommitStamp.handover(epoch, now, appMetadata)));
      if (mode == Mode.ASSIGN) {
        localHandovers.put(tp, new long[] {offset.getAsLong(), now});
      }
    }
    if (group != null && !handover.isEmpty()) {
      try {
        onDelegate(d, () -> {
          d.commitSync(handover, apiTimeout);
          return null;
        });
      } catch (KafkaException e) {
        log.warn("[{}] The handover commit of {} on '{}' failed ({}). The group on '{}' will wait until no member of "
            + "the group on '{}' holds these partitions, then continue from their last commit.", settings.clientId,
            handover.keySet(), fromAlias, e.toString(), toAlias, fromAlias);
      }
    }
    for (TopicPartition tp : owned) {
      ownedBy.remove(tp);
      forget(tp);
    }
    log.info("[{}] Epoch {} moves reads of topic '{}' from '{}' to '{}': stopped fetching and handed over {} in {} ms",
        settings.clientId, epoch, topic, fromAlias, toAlias, offsetsText(handover),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /** The position handed over: what the application processed (auto-commit: consumed) on the old cluster. */
  private OptionalLong handoverOffset(Consumer<K, V> d, TopicPartition tp) {
    try {
      if (!autoCommit) {
        OffsetAndMetadata requested = requestedCommits.get(tp);
        if (requested != null) {
          return OptionalLong.of(requested.offset());
        }
        if (group != null) {
          OffsetAndMetadata committed = onDelegate(d, () -> d.committed(Set.of(tp), apiTimeout)).get(tp);
          if (committed != null) {
            return OptionalLong.of(committed.offset());
          }
        }
      }
      return OptionalLong.of(onDelegate(d, () -> d.position(tp, apiTimeout)));
    } catch (KafkaException e) {
      log.warn("[{}] No position to hand over for {} ({}); the new cluster decides from the group's last commit",
          settings.clientId, tp, e.toString());
      return OptionalLong.empty();
    }
  }

  private void updateDelegates(Map<String, Integer> desired) {
    for (int c = 0; c < clients.aliases().size(); c++) {
      int cluster = c;
      if (mode == Mode.TOPICS || mode == Mode.PATTERN) {
        Set<String> want = new HashSet<>();
        desired.forEach((topic, idx) -> {
          if (idx == cluster) {
            want.add(topic);
          }
        });
        if (want.equals(subscribedTopics.get(c))) {
          continue;
        }
        subscribedTopics.set(c, Set.copyOf(want));
        Consumer<K, V> d = want.isEmpty() ? clients.existing(c) : clients.get(c);
        if (d == null) {
          continue;
        }
        onDelegate(d, () -> {
          if (want.isEmpty()) {
            d.unsubscribe();
          } else {
            d.subscribe(want, listeners.get(cluster));
          }
          return null;
        });
      } else if (mode == Mode.ASSIGN) {
        Set<TopicPartition> want = new HashSet<>();
        for (TopicPartition tp : userAssignment) {
          if (Objects.equals(desired.get(tp.topic()), cluster)) {
            want.add(tp);
          }
        }
        Set<TopicPartition> before = assignedPartitions.get(c);
        if (want.equals(before)) {
          continue;
        }
        assignedPartitions.set(c, Set.copyOf(want));
        Consumer<K, V> d = want.isEmpty() ? clients.existing(c) : clients.get(c);
        for (TopicPartition tp : before) {
          if (!want.contains(tp) && Objects.equals(ownedBy.get(tp), cluster)) {
            ownedBy.remove(tp);
            forget(tp);
          }
        }
        if (d == null) {
          continue;
        }
        onDelegate(d, () -> {
          if (want.isEmpty()) {
            d.unsubscribe();
          } else {
            d.assign(want);
          }
          return null;
        });
        for (TopicPartition tp : want) {
          if (before.contains(tp)) {
            continue;
          }
          ownedBy.put(tp, cluster);
          long[] handover = localHandovers.remove(tp);
          if (handover != null) {
            startResolution(cluster, tp, handover[0], handover[1]);
          } else if (group != null) {
            startResolution(cluster, tp, -1, 0);
          } else if (halted) {
            d.pause(List.of(tp));
          }
        }
      }
    }
    updateGauges();
  }

  private void updateReadClusterGauges() {
    Set<String> current = new HashSet<>(topicCluster.keySet());
    for (String topic : readClusterGauges) {
      if (!current.contains(topic)) {
        metrics.remove("read-cluster", Map.of("topic", topic));
      }
    }
    for (String topic : current) {
      String alias = clients.alias(topicCluster.get(topic));
      metrics.gaugeOf("read-cluster", "The cluster this consumer reads the topic from", Map.of("topic", topic),
          () -> alias);
    }
    readClusterGauges.clear();
    readClusterGauges.addAll(current);
  }

  private void startResolution(int cluster, TopicPartition tp, long localOffset, long localMillis) {
    Rule rule = applied.ruleFor(tp.topic());
    String read = clients.alias(cluster);
    String other = read.equals(rule.source()) ? rule.target() : rule.source();
    Consumer<K, V> d = clients.get(cluster);
    d.pause(List.of(tp));
    SwitchWorker.Ticket ticket = worker.submit(new SwitchWorker.Request(tp, read, other, read.equals(rule.source()),
        localOffset, localMillis));
    Pending previous = pending.put(tp, new Pending(cluster, ticket));
    if (previous != null) {
      previous.ticket().cancel();
    }
    updateGauges();
  }

  /** Drops every piece of per-partition state (not the ownership). */
  private void forget(TopicPartition tp) {
    Pending p = pending.remove(tp);
    if (p != null) {
      p.ticket().cancel();
    }
    SwitchWorker.Ticket watch = watches.remove(tp);
    if (watch != null) {
      watch.cancel();
    }
    blocked.remove(tp);
    suppressions.remove(tp);
    userPaused.remove(tp);
    requestedCommits.remove(tp);
    announced.remove(tp);
    toAnnounce.remove(tp);
    updateGauges();
  }

  private void updateGauges() {
    pendingCount = pending.size();
    blockedCount = blocked.size();
    fencedCount = fencedTopics.size();
  }

  private void pauseEverything() {
    for (int c = 0; c < clients.aliases().size(); c++) {
      Consumer<K, V> d = clients.existing(c);
      if (d != null) {
        d.pause(d.assignment());
      }
    }
  }

  private void resumeIfFree(TopicPartition tp) {
    Integer cluster = ownedBy.get(tp);
    if (cluster == null || halted || pending.containsKey(tp) || blocked.containsKey(tp) || userPaused.contains(tp)
        || fencedTopics.containsKey(tp.topic())) {
      return;
    }
    Consumer<K, V> d = clients.get(cluster);
    if (d.assignment().contains(tp)) {
      d.resume(List.of(tp));
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // Positions established by the switch worker

  private void applyResolutions() {
    List<Map.Entry<TopicPartition, Pending>> done = new ArrayList<>();
    for (Map.Entry<TopicPartition, Pending> e : pending.entrySet()) {
      if (e.getValue().ticket().result().isDone()) {
        done.add(e);
      }
    }
    for (Map.Entry<TopicPartition, Pending> e : done) {
      Pending p = e.getValue();
      if (pending.get(e.getKey()) != p) {
        continue;
      }
      pending.remove(e.getKey());
      apply(p, p.ticket().result().getNow(null));
    }
    updateGauges();
  }

  private void apply(Pending p, Resolution r) {
    TopicPartition tp = r.tp();
    if (!Objects.equals(ownedBy.get(tp), p.cluster())) {
      p.ticket().cancel();
      return;
    }
    Consumer<K, V> d = clients.get(p.cluster());
    String alias = clients.alias(p.cluster());
    outcomes.get(r.outcome()).increment();
    switch (r.kind()) {
      case CONTINUE -> {
        log.debug("[{}] {} continues on '{}': {}", settings.clientId, tp, alias, r.detail());
        resumeIfFree(tp);
        toAnnounce.add(tp);
      }
      case SEEK -> {
        d.seek(tp, r.offset());
        if (group != null) {
          Map<TopicPartition, OffsetAndMetadata> boundary =
              Map.of(tp, new OffsetAndMetadata(r.offset(), CommitStamp.commit(appliedEpoch, "")));
          try {
            onDelegate(d, () -> {
              d.commitSync(boundary, apiTimeout);
              return null;
            });
          } catch (KafkaException e) {
            log.warn("[{}] Could not commit the boundary {} of {} on '{}' ({}); the next owner searches it again",
                settings.clientId, r.offset(), tp, alias, e.toString());
          }
        }
        if (r.suppressBelow() >= 0) {
          suppressions.put(tp, r);
        }
        duplicatesAvoided.add(r.duplicatesAvoided());
        long duration = Math.max(0, System.currentTimeMillis() - r.handoverMillis());
        switchDuration.record(duration);
        if (r.outcome() == Resolution.Outcome.REWOUND) {
          log.warn("[{}] {} resumes on '{}' at the translated offset {} without a verified boundary ({}): records may "
              + "be delivered twice. {}", settings.clientId, tp, alias, r.offset(), r.problem(), r.detail());
          watches.put(tp, p.ticket());
        } else {
          log.info("[{}] {} resumes on '{}' {} ms after its handover on '{}': {}", settings.clientId, tp, alias, duration,
              r.fromAlias(), r.detail());
        }
        resumeIfFree(tp);
        toAnnounce.add(tp);
      }
      case BLOCKED -> {
        blocked.put(tp, r);
        BoundaryNotVerifiedException e = blockedException(r, alias);
        log.warn("[{}] {}", settings.clientId, e.getMessage());
        reports.add(e);
      }
      default -> throw new IllegalStateException(r.toString());
    }
  }

  private BoundaryNotVerifiedException blockedException(Resolution r, String alias) {
    return new BoundaryNotVerifiedException(r.tp(), BoundaryNotVerifiedException.Reason.valueOf(r.problem().name()),
        r.fromAlias(), alias, true, "Partition " + r.tp() + " is blocked on '" + alias + "' (fail closed): its boundary "
            + "with '" + r.fromAlias() + "' could not be verified: " + r.detail() + ". No record of it is delivered. "
            + "Seek it to decide where to resume, or set " + TurnoutConfig.CONSUMER_UNVERIFIED + "="
            + TurnoutConfig.CONSUMER_UNVERIFIED_REWIND + " to accept duplicates.");
  }

  private final class WorkerEvents implements SwitchListener {
    @Override
    public void stillPending(TopicPartition tp, Resolution.Problem problem, String detail) {
      String message = "Partition " + tp + " is not consumed yet: " + detail + " (waiting for more than "
          + options.boundaryTimeoutMillis() + " ms; it resumes by itself once resolved)";
      log.warn("[{}] {}", settings.clientId, message);
      reports.add(new BoundaryNotVerifiedException(tp, BoundaryNotVerifiedException.Reason.valueOf(problem.name()), null,
          null, false, message));
    }

    @Override
    public void duplicatesAdmitted(TopicPartition tp, long count) {
      duplicatesAdmitted.add(count);
    }
  }

  private RuntimeException nextReport() {
    RuntimeException report;
    while ((report = reports.poll()) != null) {
      if (report instanceof BoundaryNotVerifiedException b && !b.blocked() && !pending.containsKey(b.partition())) {
        continue; // resolved or revoked since
      }
      return report;
    }
    return null;
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
    acquireAndEnsureOpen();
    try {
      if (mode == Mode.NONE) {
        throw new IllegalStateException("Consumer is not subscribed to any topics or assigned any partitions");
      }
      long deadline = System.nanoTime() + Math.min(timeout.toNanos(), MAX_WAIT_NANOS);
      while (true) {
        checkWakeup();
        applyAuthority();
        releaseFences();
        checkFences();
        applyResolutions();
        announce();
        maybeAutoCommit();
        RuntimeException report = nextReport();
        if (report != null) {
          throw report;
        }
        List<Integer> active = activeClusters();
        long remaining = Math.max(0, deadline - System.nanoTime());
        if (active.isEmpty()) {
          sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(remaining), SLICE_MILLIS));
        } else {
          ConsumerRecords<K, V> records = pollClusters(active, TimeUnit.NANOSECONDS.toMillis(remaining));
          if (!records.isEmpty()) {
            return records;
          }
        }
        if (System.nanoTime() - deadline >= 0) {
          return ConsumerRecords.empty();
        }
      }
    } finally {
      release();
    }
  }

  private List<Integer> activeClusters() {
    List<Integer> active = new ArrayList<>();
    for (int c = 0; c < clients.aliases().size(); c++) {
      if (!subscribedTopics.get(c).isEmpty() || !assignedPartitions.get(c).isEmpty()) {
        active.add(c);
      }
    }
    return active;
  }

  private ConsumerRecords<K, V> pollClusters(List<Integer> active, long remainingMillis) {
    boolean single = active.size() == 1 && pending.isEmpty();
    long slice = single ? Math.min(remainingMillis, settings.refreshMillis) : Math.min(remainingMillis, SLICE_MILLIS);
    if (single) {
      // The steady state: one cluster, nothing switching. Hand over the delegate's batch as it is when every
      // partition in it is owned here and nothing is blocked, fenced or suppressed.
      int c = active.get(0);
      ConsumerRecords<K, V> records = pollDelegate(clients.get(c), Duration.ofMillis(slice));
      if (records.isEmpty() || deliverableAsIs(c, records)) {
        metrics.routed(c, records.count());
        return records;
      }
      Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
      Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
      collect(c, records, out, next);
      return out.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(out, next);
    }
    Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    int start = pollStart++;
    for (int i = 0; i < active.size(); i++) {
      int c = active.get(Math.floorMod(start + i, active.size()));
      Consumer<K, V> d = clients.get(c);
      Duration wait = Duration.ofMillis(out.isEmpty() ? slice : 0);
      ConsumerRecords<K, V> records = pollDelegate(d, wait);
      if (!records.isEmpty()) {
        collect(c, records, out, next);
      }
    }
    return out.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(out, next);
  }

  private boolean deliverableAsIs(int cluster, ConsumerRecords<K, V> records) {
    if (!blocked.isEmpty() || !suppressions.isEmpty() || !fencedTopics.isEmpty()) {
      return false;
    }
    for (TopicPartition tp : records.partitions()) {
      Integer owner = ownedBy.get(tp);
      if (owner == null || owner != cluster) {
        return false;
      }
    }
    return true;
  }

  private ConsumerRecords<K, V> pollDelegate(Consumer<K, V> d, Duration wait) {
    Consumer<K, V> previous = blocking;
    blocking = d;
    try {
      if (wakeupRequested) {
        checkWakeup();
      }
      return d.poll(wait);
    } catch (WakeupException e) {
      if (wakeupRequested) {
        wakeupRequested = false;
        throw e;
      }
      return ConsumerRecords.empty(); // a wakeup already delivered left this client armed
    } finally {
      blocking = previous;
    }
  }

  private void collect(int cluster, ConsumerRecords<K, V> records, Map<TopicPartition, List<ConsumerRecord<K, V>>> out,
      Map<TopicPartition, OffsetAndMetadata> next) {
    int delivered = 0;
    for (TopicPartition tp : records.partitions()) {
      if (!Objects.equals(ownedBy.get(tp), cluster) || pending.containsKey(tp) || blocked.containsKey(tp)
          || fencedTopics.containsKey(tp.topic())) {
        continue;
      }
      List<ConsumerRecord<K, V>> list = records.records(tp);
      Resolution suppression = suppressions.get(tp);
      if (suppression != null) {
        List<ConsumerRecord<K, V>> kept = new ArrayList<>(list.size());
        for (ConsumerRecord<K, V> r : list) {
          if (suppression == null || r.offset() >= suppression.suppressBelow()) {
            if (suppression != null) {
              suppressions.remove(tp);
              suppression = null;
            }
            kept.add(r);
          } else if (suppression.keepOrigin().equals(RecordIdentity.originOf(r.headers()))) {
            kept.add(r);
          }
        }
        list = kept;
      }
      if (!list.isEmpty()) {
        out.put(tp, list);
        delivered += list.size();
      }
      OffsetAndMetadata nextOffset = records.nextOffsets().get(tp);
      if (nextOffset != null) {
        next.put(tp, nextOffset);
      }
    }
    metrics.routed(cluster, delivered);
  }

  private void maybeAutoCommit() {
    if (!autoCommit || halted || System.nanoTime() - nextAutoCommitNanos < 0) {
      return;
    }
    nextAutoCommitNanos = System.nanoTime() + autoCommitIntervalNanos;
    for (int c : activeClusters()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = consumedPositions(c, null);
      if (!offsets.isEmpty()) {
        Consumer<K, V> d = clients.get(c);
        String alias = clients.alias(c);
        d.commitAsync(stamp(offsets), (committed, e) -> {
          if (e != null) {
            log.warn("[{}] Auto-commit of {} on '{}' failed: {}", settings.clientId, committed.keySet(), alias, e.toString());
          }
        });
      }
    }
  }

  /** Positions of the partitions consumed from a cluster (not those still being established or blocked). */
  private Map<TopicPartition, OffsetAndMetadata> consumedPositions(int cluster, Collection<TopicPartition> only) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Consumer<K, V> d = clients.existing(cluster);
    if (d == null) {
      return offsets;
    }
    for (Map.Entry<TopicPartition, Integer> e : ownedBy.entrySet()) {
      TopicPartition tp = e.getKey();
      if (e.getValue() != cluster || pending.containsKey(tp) || blocked.containsKey(tp)
          || (only != null && !only.contains(tp))) {
        continue;
      }
      try {
        long position = d.position(tp, Duration.ZERO);
        offsets.put(tp, new OffsetAndMetadata(position));
      } catch (TimeoutException | IllegalStateException e2) {
        // no position yet: nothing consumed to commit
      }
    }
    return offsets;
  }

  private Map<TopicPartition, OffsetAndMetadata> stamp(Map<TopicPartition, OffsetAndMetadata> offsets) {
    long epoch = appliedEpoch;
    if (epoch < 0) {
      throw new OwnershipAmbiguousException(Reason.NO_AUTHORITY_MAP, null, -1, "No authority map has been applied "
          + "yet: a commit cannot be attributed to a cluster." + AuthorityChecks.reason(refresher));
    }
    Map<TopicPartition, OffsetAndMetadata> stamped = new HashMap<>();
    offsets.forEach((tp, o) -> stamped.put(tp, new OffsetAndMetadata(o.offset(), o.leaderEpoch(),
        CommitStamp.commit(epoch, CommitStamp.applicationMetadata(o.metadata())))));
    return stamped;
  }

  // ----------------------------------------------------------------------------------------------------------
  // Rebalances of each cluster's client

  private final class InternalListener implements ConsumerRebalanceListener {
    private final int cluster;

    InternalListener(int cluster) {
      this.cluster = cluster;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      revoked(cluster, partitions, false);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      revoked(cluster, partitions, true);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      assigned(cluster, partitions);
    }
  }

  private void revoked(int cluster, Collection<TopicPartition> partitions, boolean lost) {
    List<TopicPartition> mine = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      if (Objects.equals(ownedBy.get(tp), cluster)) {
        mine.add(tp);
      }
    }
    if (!lost && autoCommit && !closing && !halted && !mine.isEmpty()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = consumedPositions(cluster, mine);
      if (!offsets.isEmpty()) {
        try {
          clients.get(cluster).commitSync(stamp(offsets), apiTimeout);
        } catch (KafkaException e) {
          log.warn("[{}] Auto-commit before revoking {} on '{}' failed: {}", settings.clientId, offsets.keySet(),
              clients.alias(cluster), e.toString());
        }
      }
    }
    List<TopicPartition> visible = mine.stream().filter(announced::contains).toList();
    try {
      if (!visible.isEmpty() && mode != Mode.ASSIGN) {
        // Called while the partitions still count as owned here, so that commits in the callback reach this cluster.
        if (lost) {
          userListener.onPartitionsLost(visible);
        } else {
          userListener.onPartitionsRevoked(visible);
        }
      }
    } finally {
      for (TopicPartition tp : mine) {
        ownedBy.remove(tp);
        forget(tp);
      }
    }
  }

  private void assigned(int cluster, Collection<TopicPartition> partitions) {
    Consumer<K, V> d = clients.get(cluster);
    List<TopicPartition> mine = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      if (!Objects.equals(topicCluster.get(tp.topic()), cluster)) {
        // Assigned under a subscription this consumer has just changed: never fetched, revoked at the next rebalance.
        d.pause(List.of(tp));
        continue;
      }
      ownedBy.put(tp, cluster);
      requestedCommits.remove(tp);
      if (group != null) {
        startResolution(cluster, tp, -1, 0);
      } else {
        mine.add(tp);
        if (halted) {
          d.pause(List.of(tp));
        }
      }
    }
    // Partitions whose position is still being established are announced once they can be consumed, so that no
    // two members ever hold a partition at once from the application's point of view, across clusters too.
    announced.addAll(mine);
    userListener.onPartitionsAssigned(mine);
  }

  /** Tells the application about partitions that became consumable since the last call. */
  private void announce() {
    if (toAnnounce.isEmpty()) {
      return;
    }
    List<TopicPartition> ready = new ArrayList<>();
    for (TopicPartition tp : toAnnounce) {
      if (ownedBy.containsKey(tp) && !pending.containsKey(tp) && !blocked.containsKey(tp) && announced.add(tp)) {
        ready.add(tp);
      }
    }
    toAnnounce.clear();
    if (!ready.isEmpty() && mode != Mode.ASSIGN) {
      userListener.onPartitionsAssigned(ready);
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // Commits

  /** Commits the positions of every consumed partition on each cluster, stamped. Blocks up to {@code default.api.timeout.ms}. */
  @Override
  public void commitSync() {
    commitSync(apiTimeout);
  }

  /** Commits the positions of every consumed partition, on the cluster each is read from, within {@code timeout}. */
  @Override
  public void commitSync(Duration timeout) {
    acquireAndEnsureOpen();
    try {
      long deadline = deadline(timeout);
      for (int c : activeClusters()) {
        Map<TopicPartition, OffsetAndMetadata> offsets = consumedPositions(c, null);
        if (!offsets.isEmpty()) {
          requestedCommits.putAll(offsets);
          Consumer<K, V> d = clients.get(c);
          Map<TopicPartition, OffsetAndMetadata> stamped = stamp(offsets);
          onDelegate(d, () -> {
            d.commitSync(stamped, remaining(deadline));
            return null;
          });
        }
      }
    } finally {
      release();
    }
  }

  /** Commits the given offsets, each on the cluster its partition is read from. See {@link #commitSync(Map, Duration)}. */
  @Override
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    commitSync(offsets, apiTimeout);
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
    acquireAndEnsureOpen();
    try {
      long deadline = deadline(timeout);
      for (Map.Entry<Integer, Map<TopicPartition, OffsetAndMetadata>> e : byCluster(offsets).entrySet()) {
        Consumer<K, V> d = clients.get(e.getKey());
        Map<TopicPartition, OffsetAndMetadata> stamped = stamp(e.getValue());
        requestedCommits.putAll(e.getValue());
        onDelegate(d, () -> {
          d.commitSync(stamped, remaining(deadline));
          return null;
        });
        e.getValue().keySet().forEach(this::takeOver);
      }
    } finally {
      release();
    }
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
    acquireAndEnsureOpen();
    try {
      Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster = new HashMap<>();
      for (int c : activeClusters()) {
        Map<TopicPartition, OffsetAndMetadata> offsets = consumedPositions(c, null);
        if (!offsets.isEmpty()) {
          byCluster.put(c, offsets);
        }
      }
      commitAsyncByCluster(byCluster, callback);
    } finally {
      release();
    }
  }

  /** Commits the given offsets asynchronously, each on its partition's cluster; see {@link #commitSync(Map, Duration)}. */
  @Override
  public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
    acquireAndEnsureOpen();
    try {
      Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster = byCluster(offsets);
      byCluster.values().forEach(m -> m.keySet().forEach(this::takeOver));
      commitAsyncByCluster(byCluster, callback);
    } finally {
      release();
    }
  }

  private void commitAsyncByCluster(Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster,
      OffsetCommitCallback callback) {
    if (byCluster.isEmpty()) {
      if (callback != null) {
        callback.onComplete(Map.of(), null);
      }
      return;
    }
    AsyncCommit aggregate = new AsyncCommit(byCluster.size(), callback);
    for (Map.Entry<Integer, Map<TopicPartition, OffsetAndMetadata>> e : byCluster.entrySet()) {
      requestedCommits.putAll(e.getValue());
      Map<TopicPartition, OffsetAndMetadata> original = e.getValue();
      clients.get(e.getKey()).commitAsync(stamp(original), (committed, error) -> aggregate.done(original, error));
    }
  }

  private static final class AsyncCommit {
    private final OffsetCommitCallback callback;
    private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    private int outstanding;
    private Exception error;

    AsyncCommit(int outstanding, OffsetCommitCallback callback) {
      this.outstanding = outstanding;
      this.callback = callback;
    }

    synchronized void done(Map<TopicPartition, OffsetAndMetadata> committed, Exception e) {
      offsets.putAll(committed);
      if (e != null && error == null) {
        error = e;
      }
      if (--outstanding == 0 && callback != null) {
        callback.onComplete(Map.copyOf(offsets), error);
      }
    }
  }

  private Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster(Map<TopicPartition, OffsetAndMetadata> offsets) {
    Objects.requireNonNull(offsets, "offsets");
    Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster = new HashMap<>();
    offsets.forEach((tp, o) -> byCluster.computeIfAbsent(clusterOf(tp), k -> new HashMap<>()).put(tp, o));
    return byCluster;
  }

  /** The cluster a partition is assigned on here, else the read cluster of its topic. */
  private int clusterOf(TopicPartition tp) {
    Integer owner = ownedBy.get(tp);
    if (owner != null) {
      return owner;
    }
    Integer cluster = topicCluster.get(tp.topic());
    if (cluster != null) {
      return cluster;
    }
    return settings.clusters.indexOf(readAlias(ruleOf(tp.topic())));
  }

  /** The rule of a topic in the map in force, refusing when there is none, it is stale, or no rule governs it. */
  private Rule ruleOf(String topic) {
    AuthorityMap map = applied != null ? applied : refresher.map();
    if (map == null) {
      throw refusal(new OwnershipAmbiguousException(Reason.NO_AUTHORITY_MAP, topic, -1, "No valid authority map has "
          + "been loaded from " + refresher.source().description() + ": the cluster of topic '" + topic + "' is unknown."
          + AuthorityChecks.reason(refresher)));
    }
    if (refresher.isStale()) {
      throw refusal(new OwnershipAmbiguousException(Reason.STALE_AUTHORITY_MAP, topic, map.epoch(), "The authority map "
          + "(epoch " + map.epoch() + ") is stale: the cluster of topic '" + topic + "' is not known for certain."
          + AuthorityChecks.staleReason(refresher)));
    }
    Rule rule = map.ruleFor(topic);
    if (rule == null) {
      throw refusal(new OwnershipAmbiguousException(Reason.NO_MATCHING_RULE, topic, map.epoch(), "No rule of authority "
          + "map epoch " + map.epoch() + " governs topic '" + topic + "': it belongs to no cluster."));
    }
    return rule;
  }

  private OwnershipAmbiguousException refusal(OwnershipAmbiguousException e) {
    metrics.refused(e.reason());
    return e;
  }

  /** The application decided the position of a partition: stop establishing it or unblock it. */
  private void takeOver(TopicPartition tp) {
    Pending p = pending.remove(tp);
    Resolution wasBlocked = blocked.remove(tp);
    suppressions.remove(tp);
    if (p != null || wasBlocked != null) {
      if (p != null) {
        p.ticket().cancel();
      }
      log.info("[{}] The application set the position of {} explicitly; Turnout stops {} it", settings.clientId, tp,
          p != null ? "establishing" : "blocking");
      resumeIfFree(tp);
      toAnnounce.add(tp);
      updateGauges();
    }
  }

  /**
   * The last committed offsets, each read from the cluster its partition is assigned on (or its topic's read
   * cluster), with the application's metadata (the Turnout stamp removed).
   */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
    return committed(partitions, apiTimeout);
  }

  /** See {@link #committed(Set)}. */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
    acquireAndEnsureOpen();
    try {
      long deadline = deadline(timeout);
      Map<Integer, Set<TopicPartition>> byCluster = new HashMap<>();
      for (TopicPartition tp : partitions) {
        byCluster.computeIfAbsent(clusterOf(tp), k -> new HashSet<>()).add(tp);
      }
      Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
      for (Map.Entry<Integer, Set<TopicPartition>> e : byCluster.entrySet()) {
        Consumer<K, V> d = clients.get(e.getKey());
        onDelegate(d, () -> d.committed(e.getValue(), remaining(deadline))).forEach((tp, o) -> out.put(tp, o == null ? null
            : new OffsetAndMetadata(o.offset(), o.leaderEpoch(), CommitStamp.applicationMetadata(o.metadata()))));
      }
      return out;
    } finally {
      release();
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // Positions

  /**
   * Seeks a partition on the cluster it is assigned on. An explicit position overrides one being established
   * and unblocks a blocked partition.
   */
  @Override
  public void seek(TopicPartition partition, long offset) {
    acquireAndEnsureOpen();
    try {
      Consumer<K, V> d = holder(partition, "seek");
      d.seek(partition, offset);
      takeOver(partition);
    } finally {
      release();
    }
  }

  /** See {@link #seek(TopicPartition, long)}. */
  @Override
  public void seek(TopicPartition partition, OffsetAndMetadata offsetAndMetadata) {
    acquireAndEnsureOpen();
    try {
      Consumer<K, V> d = holder(partition, "seek");
      d.seek(partition, offsetAndMetadata);
      takeOver(partition);
    } finally {
      release();
    }
  }

  /** Seeks to the beginning on each partition's cluster; see {@link #seek(TopicPartition, long)}. */
  @Override
  public void seekToBeginning(Collection<TopicPartition> partitions) {
    acquireAndEnsureOpen();
    try {
      Collection<TopicPartition> targets = partitions.isEmpty() ? assignedHere() : partitions;
      byHolder(targets).forEach((d, parts) -> d.seekToBeginning(parts));
      targets.forEach(this::takeOver);
    } finally {
      release();
    }
  }

  /** Seeks to the end on each partition's cluster; see {@link #seek(TopicPartition, long)}. */
  @Override
  public void seekToEnd(Collection<TopicPartition> partitions) {
    acquireAndEnsureOpen();
    try {
      Collection<TopicPartition> targets = partitions.isEmpty() ? assignedHere() : partitions;
      byHolder(targets).forEach((d, parts) -> d.seekToEnd(parts));
      targets.forEach(this::takeOver);
    } finally {
      release();
    }
  }

  /** See {@link #position(TopicPartition, Duration)}. */
  @Override
  public long position(TopicPartition partition) {
    return position(partition, apiTimeout);
  }

  /**
   * The position on the cluster the partition is assigned on. For a partition whose position is still being
   * established this waits for it, up to {@code timeout} ({@link TimeoutException} if it is not done).
   *
   * @throws BoundaryNotVerifiedException for a blocked partition
   */
  @Override
  public long position(TopicPartition partition, Duration timeout) {
    acquireAndEnsureOpen();
    try {
      long deadline = deadline(timeout);
      Consumer<K, V> d = holder(partition, "check the position of");
      Pending p = pending.get(partition);
      if (p != null) {
        while (!p.ticket().result().isDone()) {
          checkWakeup();
          long left = remaining(deadline).toMillis();
          if (left <= 0) {
            throw new TimeoutException("Timeout of " + timeout.toMillis() + "ms expired before the position for "
                + "partition " + partition + " could be determined: Turnout is still establishing it after a change "
                + "of read cluster (see the log)");
          }
          try {
            p.ticket().result().get(Math.min(left, SLICE_MILLIS), TimeUnit.MILLISECONDS);
          } catch (java.util.concurrent.TimeoutException e) {
            // keep waiting
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
          } catch (ExecutionException e) {
            throw new KafkaException(e.getCause());
          }
        }
        applyResolutions();
      }
      Resolution b = blocked.get(partition);
      if (b != null) {
        throw blockedException(b, clients.alias(ownedBy.get(partition)));
      }
      return onDelegate(d, () -> d.position(partition, remaining(deadline)));
    } finally {
      release();
    }
  }

  private Consumer<K, V> holder(TopicPartition tp, String action) {
    Integer cluster = ownedBy.get(tp);
    if (cluster == null) {
      throw new IllegalStateException("No current assignment for partition " + tp + ": cannot " + action + " it");
    }
    return clients.get(cluster);
  }

  private Map<Consumer<K, V>, List<TopicPartition>> byHolder(Collection<TopicPartition> partitions) {
    Map<Consumer<K, V>, List<TopicPartition>> out = new LinkedHashMap<>();
    for (TopicPartition tp : partitions) {
      out.computeIfAbsent(holder(tp, "seek"), k -> new ArrayList<>()).add(tp);
    }
    return out;
  }

  private Set<TopicPartition> assignedHere() {
    return new HashSet<>(ownedBy.keySet());
  }

  /** The partitions the application paused. */
  @Override
  public Set<TopicPartition> paused() {
    acquireAndEnsureOpen();
    try {
      return Set.copyOf(userPaused);
    } finally {
      release();
    }
  }

  /**
   * Pauses partitions on the cluster each is assigned on. Independent of Turnout's own pausing: a partition
   * resumes only when neither the application nor Turnout holds it.
   */
  @Override
  public void pause(Collection<TopicPartition> partitions) {
    acquireAndEnsureOpen();
    try {
      byHolder(partitions).forEach(Consumer::pause);
      userPaused.addAll(partitions);
    } finally {
      release();
    }
  }

  /** Resumes partitions the application paused (those Turnout holds stay paused until it releases them). */
  @Override
  public void resume(Collection<TopicPartition> partitions) {
    acquireAndEnsureOpen();
    try {
      for (TopicPartition tp : partitions) {
        holder(tp, "resume");
        userPaused.remove(tp);
        resumeIfFree(tp);
      }
    } finally {
      release();
    }
  }

  /** The lag of a partition on the cluster it is assigned on; empty if not assigned or unknown. */
  @Override
  public OptionalLong currentLag(TopicPartition topicPartition) {
    acquireAndEnsureOpen();
    try {
      Integer cluster = ownedBy.get(topicPartition);
      return cluster == null ? OptionalLong.empty() : clients.get(cluster).currentLag(topicPartition);
    } finally {
      release();
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // Metadata, from each topic's read cluster

  /** Partitions of a topic on its read cluster; refused when no rule governs it or the map is missing or stale. */
  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return partitionsFor(topic, apiTimeout);
  }

  /** See {@link #partitionsFor(String)}. */
  @Override
  public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
    acquireAndEnsureOpen();
    try {
      Consumer<K, V> d = clients.get(settings.clusters.indexOf(readAlias(ruleOf(topic))));
      return onDelegate(d, () -> d.partitionsFor(topic, timeout));
    } finally {
      release();
    }
  }

  /** Topics governed by a rule, each with its partitions on its read cluster (topics no rule governs are left out). */
  @Override
  public Map<String, List<PartitionInfo>> listTopics() {
    return listTopics(apiTimeout);
  }

  /** See {@link #listTopics()}. */
  @Override
  public Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
    acquireAndEnsureOpen();
    try {
      long deadline = deadline(timeout);
      ruleOfAnyTopic();
      AuthorityMap map = applied != null ? applied : refresher.map();
      Map<String, List<PartitionInfo>> out = new HashMap<>();
      for (int c = 0; c < clients.aliases().size(); c++) {
        Consumer<K, V> d = clients.get(c);
        String alias = clients.alias(c);
        onDelegate(d, () -> d.listTopics(remaining(deadline))).forEach((topic, partitions) -> {
          Rule rule = map.ruleFor(topic);
          if (rule != null && readAlias(rule).equals(alias)) {
            out.put(topic, partitions);
          }
        });
      }
      return out;
    } finally {
      release();
    }
  }

  private void ruleOfAnyTopic() {
    AuthorityMap map = applied != null ? applied : refresher.map();
    if (map == null || refresher.isStale()) {
      ruleOf("*");
    }
  }

  /** Offsets for timestamps, each from its topic's read cluster. */
  @Override
  public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch) {
    return offsetsForTimes(timestampsToSearch, apiTimeout);
  }

  /** See {@link #offsetsForTimes(Map)}. */
  @Override
  public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch,
      Duration timeout) {
    acquireAndEnsureOpen();
    try {
      long deadline = deadline(timeout);
      Map<Integer, Map<TopicPartition, Long>> byCluster = new HashMap<>();
      timestampsToSearch.forEach((tp, ts) -> byCluster.computeIfAbsent(readClusterOf(tp), k -> new HashMap<>()).put(tp, ts));
      Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
      byCluster.forEach((c, query) -> {
        Consumer<K, V> d = clients.get(c);
        out.putAll(onDelegate(d, () -> d.offsetsForTimes(query, remaining(deadline))));
      });
      return out;
    } finally {
      release();
    }
  }

  /** First offsets, each from its topic's read cluster. */
  @Override
  public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
    return beginningOffsets(partitions, apiTimeout);
  }

  /** See {@link #beginningOffsets(Collection)}. */
  @Override
  public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions, Duration timeout) {
    return offsets(partitions, timeout, true);
  }

  /** End offsets, each from its topic's read cluster. */
  @Override
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
    return endOffsets(partitions, apiTimeout);
  }

  /** See {@link #endOffsets(Collection)}. */
  @Override
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
    return offsets(partitions, timeout, false);
  }

  private Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, Duration timeout, boolean beginning) {
    acquireAndEnsureOpen();
    try {
      long deadline = deadline(timeout);
      Map<Integer, List<TopicPartition>> byCluster = new HashMap<>();
      partitions.forEach(tp -> byCluster.computeIfAbsent(readClusterOf(tp), k -> new ArrayList<>()).add(tp));
      Map<TopicPartition, Long> out = new HashMap<>();
      byCluster.forEach((c, list) -> {
        Consumer<K, V> d = clients.get(c);
        out.putAll(onDelegate(d, () -> beginning ? d.beginningOffsets(list, remaining(deadline))
            : d.endOffsets(list, remaining(deadline))));
      });
      return out;
    } finally {
      release();
    }
  }

  private int readClusterOf(TopicPartition tp) {
    Integer owner = ownedBy.get(tp);
    return owner != null ? owner : settings.clusters.indexOf(readAlias(ruleOf(tp.topic())));
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
    acquireAndEnsureOpen();
    try {
      if (group == null) {
        throw new InvalidGroupIdException("To use the group management or offset commit APIs, you must provide a "
            + "valid group.id in the consumer configuration.");
      }
      List<Integer> active = activeClusters();
      if (active.isEmpty()) {
        return new ConsumerGroupMetadata(group);
      }
      if (active.size() > 1) {
        List<String> aliases = active.stream().map(clients::alias).toList();
        throw refusal(new OwnershipAmbiguousException(Reason.OWNER_SPLIT_ACROSS_CLUSTERS, null, appliedEpoch,
            "This consumer reads from clusters " + aliases + ": its group metadata is ambiguous. Consume the topics "
                + "of each cluster with a consumer of its own for exactly-once processing."));
      }
      return clients.get(active.get(0)).groupMetadata();
    } finally {
      release();
    }
  }

  /** Triggers a rebalance on the client of every cluster this consumer reads from. */
  @Override
  public void enforceRebalance() {
    enforceRebalance(null);
  }

  /** See {@link #enforceRebalance()}. */
  @Override
  public void enforceRebalance(String reason) {
    acquireAndEnsureOpen();
    try {
      for (int c : activeClusters()) {
        clients.get(c).enforceRebalance(reason);
      }
    } finally {
      release();
    }
  }

  /**
   * Turnout's metrics (group {@code turnout}) and the metrics of every cluster's client, each tagged with
   * {@code cluster=<alias>}.
   */
  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    Map<MetricName, Metric> all = metrics.own();
    clients.forEachExisting((alias, consumer) -> ClientMetrics.addTagged(all, alias, consumer.metrics()));
    return all;
  }

  /** Registers the metric with the client of every cluster, including clients created later. */
  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    subscribedMetrics.add(metric);
    clients.forEachExisting((alias, consumer) -> consumer.registerMetricForSubscription(metric));
  }

  /** Unregisters the metric from the client of every cluster. */
  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    subscribedMetrics.remove(metric);
    clients.forEachExisting((alias, consumer) -> consumer.unregisterMetricFromSubscription(metric));
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
    acquireAndEnsureOpen();
    try {
      int index = settings.clusters.indexOf(alias);
      if (index < 0) {
        throw new IllegalArgumentException("Unknown cluster alias '" + alias + "'; declared: " + settings.clusters);
      }
      return clients.get(index).clientInstanceId(timeout);
    } finally {
      release();
    }
  }

  /** The epoch of the authority map this consumer routes by, or -1 before the first one is applied. */
  public long epoch() {
    return appliedEpoch;
  }

  /** The alias of the cluster a subscribed or assigned topic is read from now, or {@code null} if none. */
  public String readCluster(String topic) {
    acquireAndEnsureOpen();
    try {
      Integer cluster = topicCluster.get(topic);
      return cluster == null ? null : clients.alias(cluster);
    } finally {
      release();
    }
  }

  /**
   * Interrupts a blocking call of this consumer from another thread: the call (or the next one) throws
   * {@link WakeupException}.
   */
  @Override
  public void wakeup() {
    wakeupRequested = true;
    Consumer<K, V> d = blocking;
    if (d != null) {
      d.wakeup();
    }
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
    if (closed || closing) {
      return;
    }
    acquire();
    try {
      // Like KafkaConsumer, usable from rebalance callbacks until the clients are closed.
      closing = true;
      long deadline = deadline(options.timeout().orElse(DEFAULT_CLOSE_TIMEOUT));
      List<RuntimeException> failures = new ArrayList<>();
      if (autoCommit && !halted && appliedEpoch >= 0) {
        for (int c : activeClusters()) {
          Map<TopicPartition, OffsetAndMetadata> offsets = consumedPositions(c, null);
          if (!offsets.isEmpty()) {
            try {
              clients.get(c).commitSync(stamp(offsets), remaining(deadline));
            } catch (RuntimeException e) {
              log.warn("[{}] Auto-commit on close failed on '{}': {}", settings.clientId, clients.alias(c), e.toString());
            }
          }
        }
      }
      pending.values().forEach(p -> p.ticket().cancel());
      watches.values().forEach(SwitchWorker.Ticket::cancel);
      worker.close();
      // Each client stays reachable while it closes: its revocation callbacks may commit through this consumer.
      for (int c = 0; c < clients.aliases().size(); c++) {
        Consumer<K, V> d = clients.existing(c);
        if (d == null) {
          continue;
        }
        try {
          d.close(CloseOptions.timeout(remaining(deadline))
              .withGroupMembershipOperation(options.groupMembershipOperation()));
        } catch (RuntimeException e) {
          log.warn("[{}] Error closing the client of cluster '{}'", settings.clientId, clients.alias(c), e);
          failures.add(e);
        }
      }
      clients.close(Duration.ZERO, (d, remaining) -> { });
      refresher.close();
      metrics.close();
      log.info("[{}] RoutingConsumer closed", settings.clientId);
      if (!failures.isEmpty()) {
        throw failures.get(0);
      }
    } finally {
      closed = true;
      release();
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // Helpers

  private <T> T onDelegate(Consumer<K, V> d, Supplier<T> call) {
    Consumer<K, V> previous = blocking;
    blocking = d;
    try {
      if (wakeupRequested) {
        checkWakeup();
      }
      return call.get();
    } catch (WakeupException e) {
      if (wakeupRequested) {
        wakeupRequested = false;
        throw e;
      }
      return call.get(); // a wakeup already delivered left this client armed: retry once
    } finally {
      blocking = previous;
    }
  }

  private void checkWakeup() {
    if (wakeupRequested) {
      wakeupRequested = false;
      throw new WakeupException();
    }
  }

  private void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new org.apache.kafka.common.errors.InterruptException(e);
    }
  }

  private static long deadline(Duration timeout) {
    return System.nanoTime() + Math.min(Math.max(0, timeout.toNanos()), MAX_WAIT_NANOS);
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private static String offsetsText(Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<String, Long> text = new java.util.TreeMap<>();
    offsets.forEach((tp, o) -> text.put(tp.toString(), o.offset()));
    return text.toString();
  }

  private void acquireAndEnsureOpen() {
    acquire();
    if (closed) {
      release();
      throw new IllegalStateException("This consumer has already been closed.");
    }
  }

  private void acquire() {
    long threadId = Thread.currentThread().getId();
    if (threadId != currentThread.get() && !currentThread.compareAndSet(NO_CURRENT_THREAD, threadId)) {
      throw new java.util.ConcurrentModificationException("RoutingConsumer is not safe for multi-threaded access");
    }
    refcount.incrementAndGet();
  }

  private void release() {
    if (refcount.decrementAndGet() == 0) {
      currentThread.set(NO_CURRENT_THREAD);
    }
  }
}
