package dev.turnout;

import dev.turnout.internal.cluster.BreakerSettings;
import dev.turnout.internal.cluster.Redaction;
import dev.turnout.internal.cutover.BarrierMode;
import dev.turnout.internal.consumer.OffsetTranslation;
import dev.turnout.source.AuthoritySource;
import dev.turnout.source.FileAuthoritySource;
import dev.turnout.source.KafkaTopicAuthoritySource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parsed and validated {@code turnout.*} settings (declared in {@link TurnoutConfigDef}), the Kafka producer
 * settings Turnout reads ({@link ProducerKeys}), and the Kafka configuration of each cluster's client. Turns
 * the public configuration values ({@link TurnoutConfig.CutoverBarrier}...) into what the internal code takes.
 */
final class TurnoutSettings {

  private static final Logger log = LoggerFactory.getLogger(TurnoutSettings.class);
  private static final String PREFIX = "turnout.";

  final List<String> clusters;
  final Map<String, Object> base;
  final List<Map<String, Object>> clusterConfigs;
  final String clientId;
  final long refreshMillis;
  final long maxStalenessMillis;
  /** {@code turnout.authority.required}: fail construction when no valid document can be read at start. */
  final boolean authorityRequired;
  /** {@code turnout.authority.cache.file}, or {@code null}: no last-known-good cache. */
  final Path authorityCacheFile;
  /** {@code turnout.authority.trusted.keys}: one of them must sign a document; empty: signatures not required. */
  final List<java.security.PublicKey> trustedKeys;
  /** Expected cluster id per alias (in the order of {@link #clusters}); {@code null} when not pinned. */
  final List<String> expectedClusterIds;
  final BarrierMode barrierMode;
  final long maxPauseMillis;
  final long cutoverBufferBytes;
  /** {@code turnout.rollback.reconcile}: whether the producer reconciles rolled-back slices itself. */
  final boolean rollbackAutoReconcile;
  /** {@code turnout.rollback.max.pause.ms}. */
  final long rollbackMaxPauseMillis;
  final long maxBlockMillis;
  final BreakerSettings breaker;
  /** {@code transactional.id}, or {@code null}: read through {@code ProducerConfig}. */
  final String transactionalId;
  /** {@code key.serializer} ({@code ProducerConfig}), or {@code null} when unset. */
  final Class<?> keySerializerClass;
  /** {@code value.serializer} ({@code ProducerConfig}), or {@code null} when unset. */
  final Class<?> valueSerializerClass;
  private final ParsedTurnoutConfig turnout;
  private final Object sourceInstance;
  private final Map<String, Object> originals;

  private TurnoutSettings(ParsedTurnoutConfig turnout, ProducerKeys producer, Map<String, Object> base,
      List<Map<String, Object>> clusterConfigs, String clientId, List<String> expectedClusterIds,
      Object sourceInstance, Map<String, Object> originals) {
    this.turnout = turnout;
    this.clusters = turnout.clusters();
    this.base = base;
    this.clusterConfigs = clusterConfigs;
    this.clientId = clientId;
    this.refreshMillis = turnout.getLong(TurnoutConfig.AUTHORITY_REFRESH_MS);
    this.maxStalenessMillis = turnout.getLong(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS);
    this.authorityRequired = turnout.getBoolean(TurnoutConfig.AUTHORITY_REQUIRED);
    this.authorityCacheFile = AuthorityCacheSetting.parse(turnout.getString(TurnoutConfig.AUTHORITY_CACHE_FILE),
        turnout.getString(TurnoutConfig.AUTHORITY_FILE));
    this.trustedKeys = TrustedKeys.read(turnout.getList(TurnoutConfig.AUTHORITY_TRUSTED_KEYS));
    this.expectedClusterIds = expectedClusterIds;
    this.barrierMode = switch (TurnoutConfigDef.choice(TurnoutConfig.CutoverBarrier.class,
        turnout.getString(TurnoutConfig.CUTOVER_BARRIER))) {
      case REPLICATED -> BarrierMode.REPLICATED;
      case DRAINED -> BarrierMode.DRAINED;
    };
    this.maxPauseMillis = turnout.getLong(TurnoutConfig.CUTOVER_MAX_PAUSE_MS);
    this.cutoverBufferBytes = turnout.getLong(TurnoutConfig.CUTOVER_BUFFER_BYTES);
    this.rollbackAutoReconcile = TurnoutConfigDef.choice(TurnoutConfig.RollbackReconcile.class,
        turnout.getString(TurnoutConfig.ROLLBACK_RECONCILE)) == TurnoutConfig.RollbackReconcile.AUTO;
    this.rollbackMaxPauseMillis = turnout.getLong(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS);
    this.maxBlockMillis = producer.maxBlockMillis();
    this.breaker = new BreakerSettings(turnout.getBoolean(TurnoutConfig.BREAKER_ENABLED),
        turnout.getInt(TurnoutConfig.BREAKER_FAILURE_RATE_THRESHOLD), turnout.getInt(TurnoutConfig.BREAKER_WINDOW_SIZE),
        turnout.getInt(TurnoutConfig.BREAKER_MINIMUM_CALLS),
        Duration.ofMillis(turnout.getLong(TurnoutConfig.BREAKER_OPEN_WAIT_MS)),
        turnout.getInt(TurnoutConfig.BREAKER_HALF_OPEN_CALLS));
    this.transactionalId = producer.transactionalId();
    this.keySerializerClass = producer.keySerializer();
    this.valueSerializerClass = producer.valueSerializer();
    this.sourceInstance = sourceInstance;
    this.originals = originals;
  }

  /**
   * @param defaultClientId client.id base used when the configuration has none
   * @throws TurnoutConfigException for an invalid or unknown {@code turnout.*} setting
   * @throws ConfigException for an invalid Kafka producer setting Turnout reads
   */
  static TurnoutSettings parse(Map<?, ?> raw, String defaultClientId) {
    return parse(raw, defaultClientId, Set.of());
  }

  /**
   * @param suppliedClients aliases whose client the application supplies: they need no bootstrap servers
   */
  static TurnoutSettings parse(Map<?, ?> raw, String defaultClientId, Set<String> suppliedClients) {
    Map<String, Object> originals = new HashMap<>();
    raw.forEach((k, v) -> {
      if (!(k instanceof String)) {
        throw new ConfigException("Configuration keys must be strings; got " + k + " ("
            + (k == null ? "null" : k.getClass().getName()) + ")");
      }
      originals.put((String) k, v);
    });

    Map<String, Object> defined = new HashMap<>();
    Map<String, Object> base = new HashMap<>();
    List<String> undefined = new ArrayList<>();
    originals.forEach((key, value) -> {
      if (!key.startsWith(PREFIX)) {
        base.put(key, value);
      } else if (TurnoutConfigDef.DEFINITION.configKeys().containsKey(key)) {
        defined.put(key, value);
      } else {
        undefined.add(key);
      }
    });
    ParsedTurnoutConfig turnout = ParsedTurnoutConfig.parse(defined);
    List<String> clusters = turnout.clusters();
    Map<String, Map<String, Object>> perCluster = new HashMap<>();
    Map<String, String> expectedIds = new HashMap<>();
    for (String alias : clusters) {
      perCluster.put(alias, new HashMap<>());
    }
    undefined.sort(null);
    for (String key : undefined) {
      if (!SideClusterSettings.isSideKey(key)) {
        putPerClusterKey(key, originals.get(key), clusters, perCluster, expectedIds);
      }
    }

    ProducerKeys producer = ProducerKeys.parse(base);
    String clientId = producer.clientId() != null ? producer.clientId() : defaultClientId;
    List<Map<String, Object>> clusterConfigs = clusterConfigs(clusters, base, perCluster, clientId, suppliedClients);

    Object file = defined.get(TurnoutConfig.AUTHORITY_FILE);
    Object source = defined.get(TurnoutConfig.AUTHORITY_SOURCE);
    Object topic = defined.get(TurnoutConfig.AUTHORITY_TOPIC);
    if (topic != null && (file != null || source != null)) {
      throw TurnoutConfigException.invalid(TurnoutConfig.AUTHORITY_TOPIC, topic, "set only one authority source: "
          + (file != null ? TurnoutConfig.AUTHORITY_FILE : TurnoutConfig.AUTHORITY_SOURCE) + " is set too; remove it "
          + "or " + TurnoutConfig.AUTHORITY_TOPIC);
    }
    if (topic == null && (file != null) == (source != null)) {
      throw TurnoutConfigException.invalid(TurnoutConfig.AUTHORITY_FILE, file,
          file != null ? "set only one of " + TurnoutConfig.AUTHORITY_FILE + " and " + TurnoutConfig.AUTHORITY_SOURCE
              : "no authority source: set " + TurnoutConfig.AUTHORITY_FILE + " (a properties file), "
                  + TurnoutConfig.AUTHORITY_TOPIC + " (a Kafka control topic) or " + TurnoutConfig.AUTHORITY_SOURCE);
    }
    long refresh = turnout.getLong(TurnoutConfig.AUTHORITY_REFRESH_MS);
    long staleness = turnout.getLong(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS);
    if (staleness <= refresh) {
      throw TurnoutConfigException.invalid(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, staleness,
          "must be greater than " + TurnoutConfig.AUTHORITY_REFRESH_MS + " (" + refresh + ")");
    }
    List<String> expected = new ArrayList<>();
    for (String alias : clusters) {
      expected.add(expectedIds.get(alias));
    }
    TurnoutSettings settings = new TurnoutSettings(turnout, producer, Collections.unmodifiableMap(base),
        List.copyOf(clusterConfigs), clientId, Collections.unmodifiableList(expected),
        source instanceof AuthoritySource ? source : null, originals);
    checkAuthorityTopic(settings, topic != null);
    return settings;
  }

  /** The control topic's cluster must resolve when the topic is set; its settings must not be set without it. */
  private static void checkAuthorityTopic(TurnoutSettings settings, boolean topicSet) {
    if (topicSet) {
      SideClusterSettings.resolve(settings, TurnoutConfig.AUTHORITY_TOPIC_PREFIX);
      return;
    }
    settings.originals.keySet().stream().filter(k -> k.startsWith(TurnoutConfig.AUTHORITY_TOPIC_PREFIX)).sorted()
        .findFirst().ifPresent(k -> {
          throw TurnoutConfigException.invalid(k, null, "the cluster of the control topic is set but "
              + TurnoutConfig.AUTHORITY_TOPIC + " is not: set the topic, or remove " + k);
        });
  }

  /** The configuration as given (may hold secrets: never log it unredacted). */
  Map<String, Object> originals() {
    return originals;
  }

  /** Files a {@code turnout.cluster.<alias>.<setting>} key; any other undefined {@code turnout.*} key is unknown. */
  private static void putPerClusterKey(String key, Object value, List<String> clusters,
      Map<String, Map<String, Object>> perCluster, Map<String, String> expectedIds) {
    if (!key.startsWith(TurnoutConfig.CLUSTER_PREFIX)) {
      throw TurnoutConfigDef.unknownKey(key, clusters);
    }
    String rest = key.substring(TurnoutConfig.CLUSTER_PREFIX.length());
    int dot = rest.indexOf('.');
    if (dot <= 0 || dot == rest.length() - 1) {
      throw TurnoutConfigException.invalid(key, null,
          "per-cluster settings are " + TurnoutConfig.CLUSTER_PREFIX + "<alias>.<Kafka client setting>");
    }
    String alias = rest.substring(0, dot);
    Map<String, Object> target = perCluster.get(alias);
    if (target == null) {
      throw TurnoutConfigException.invalid(key, null, "cluster '" + alias + "' is not declared in "
          + TurnoutConfig.CLUSTERS + " " + clusters);
    }
    String setting = rest.substring(dot + 1);
    if (setting.equals(TurnoutConfig.EXPECTED_CLUSTER_ID)) {
      if (value == null || value.toString().isBlank()) {
        throw TurnoutConfigException.invalid(key, null, "must be the cluster id the alias is expected to report");
      }
      expectedIds.put(alias, value.toString().trim());
      return;
    }
    target.put(setting, value);
  }

  private static List<Map<String, Object>> clusterConfigs(List<String> clusters, Map<String, Object> base,
      Map<String, Map<String, Object>> perCluster, String clientId, Set<String> suppliedClients) {
    boolean baseBootstrap = base.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    List<Map<String, Object>> clusterConfigs = new ArrayList<>();
    for (String alias : clusters) {
      Map<String, Object> own = perCluster.get(alias);
      Object bootstrap = own.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
      if ((bootstrap == null || bootstrap.toString().isBlank()) && !suppliedClients.contains(alias)) {
        throw TurnoutConfigException.invalid(
            TurnoutConfig.CLUSTER_PREFIX + alias + "." + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, null,
            "every cluster in " + TurnoutConfig.CLUSTERS + " needs its own bootstrap servers"
                + (baseBootstrap ? " (a top-level bootstrap.servers is not used: it cannot name two clusters)" : ""));
      }
      Map<String, Object> merged = new HashMap<>(base);
      merged.putAll(own);
      merged.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-" + alias);
      clusterConfigs.add(merged);
    }
    if (baseBootstrap) {
      log.info("Top-level bootstrap.servers is ignored: each cluster uses {}<alias>.bootstrap.servers",
          TurnoutConfig.CLUSTER_PREFIX);
    }
    return clusterConfigs;
  }

  /**
   * The consumer settings ({@code turnout.consumer.*}).
   *
   * @param validation whether the role is {@code validation}
   * @param translation the first offset translation
   * @param mm2SourceAlias MirrorMaker's alias of the source cluster, {@code null} for the Turnout alias
   * @param boundaryTimeoutMillis how long a boundary search waits for replication
   * @param rewind whether an unverified boundary resumes at the translated offset
   */
  record ConsumerOptions(boolean validation, OffsetTranslation translation, String mm2SourceAlias,
      long boundaryTimeoutMillis, boolean rewind, int dedupeWindow) {}

  /**
   * Validates and returns the consumer settings.
   *
   * @throws ConfigException naming the key of an invalid value, or a per-cluster setting a consumer cannot
   *     take per cluster
   */
  ConsumerOptions consumerOptions() {
    boolean validation = TurnoutConfigDef.choice(TurnoutConfig.ConsumerRole.class,
        turnout.getString(TurnoutConfig.CONSUMER_ROLE)) == TurnoutConfig.ConsumerRole.VALIDATION;
    TurnoutConfig.OffsetTranslation publicTranslation = TurnoutConfigDef.choice(TurnoutConfig.OffsetTranslation.class,
        turnout.getString(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION));
    OffsetTranslation translation = switch (publicTranslation) {
      case TIMESTAMP -> OffsetTranslation.TIMESTAMP;
      case IDENTITY -> OffsetTranslation.IDENTITY;
      case MIRRORMAKER2 -> OffsetTranslation.MIRRORMAKER2;
    };
    if (translation == OffsetTranslation.MIRRORMAKER2) {
      try {
        Class.forName(TurnoutConfig.OffsetTranslation.MIRROR_CLIENT_CLASS, false, TurnoutSettings.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw TurnoutConfigException.invalid(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION,
            publicTranslation.configValue(), "mirrormaker2 translation reads MirrorMaker 2 checkpoints with "
                + TurnoutConfig.OffsetTranslation.MIRROR_CLIENT_CLASS + ": add the dependency "
                + "org.apache.kafka:connect-mirror-client (same version as kafka-clients)");
      }
    }
    String alias = turnout.getString(TurnoutConfig.CONSUMER_MM2_SOURCE_ALIAS);
    String mm2Alias = alias == null || alias.isBlank() ? null : alias.trim();
    long timeout = turnout.getLong(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS);
    boolean rewind = TurnoutConfigDef.choice(TurnoutConfig.UnverifiedBoundary.class,
        turnout.getString(TurnoutConfig.CONSUMER_UNVERIFIED)) == TurnoutConfig.UnverifiedBoundary.REWIND;
    for (String alias2 : clusters) {
      for (String key : PER_GROUP_KEYS) {
        String perCluster = TurnoutConfig.CLUSTER_PREFIX + alias2 + "." + key;
        if (originals.containsKey(perCluster)) {
          throw TurnoutConfigException.invalid(perCluster, Redaction.shown(key, originals.get(perCluster)), key
              + " must be the same on every cluster: the group moves between them. Set it once, without the "
              + TurnoutConfig.CLUSTER_PREFIX + "<alias>. prefix");
        }
      }
    }
    int dedupeWindow = turnout.getInt(TurnoutConfig.CONSUMER_DEDUPE_WINDOW);
    return new ConsumerOptions(validation, translation, mm2Alias, timeout, rewind, dedupeWindow);
  }

  private static final List<String> PER_GROUP_KEYS = List.of("group.id", "enable.auto.commit", "group.protocol");

  /** The parsed {@code turnout.*} keys (for settings read by one part only, such as {@code turnout.status.*}). */
  ParsedTurnoutConfig turnout() {
    return turnout;
  }

  AuthoritySource createSource() {
    String file = turnout.getString(TurnoutConfig.AUTHORITY_FILE);
    if (file != null) {
      return new FileAuthoritySource(Path.of(file.trim()));
    }
    if (sourceInstance != null) {
      return (AuthoritySource) sourceInstance;
    }
    String topic = turnout.getString(TurnoutConfig.AUTHORITY_TOPIC);
    if (topic != null) {
      String prefix = TurnoutConfig.AUTHORITY_TOPIC_PREFIX;
      return new KafkaTopicAuthoritySource(topic.trim(), SideClusterSettings.clusterName(this, prefix),
          SideClusterSettings.resolve(this, prefix), clusters, trustedKeys, clientId);
    }
    Class<?> type = turnout.getClass(TurnoutConfig.AUTHORITY_SOURCE);
    AuthoritySource source;
    try {
      source = Utils.newInstance(type.asSubclass(AuthoritySource.class));
    } catch (ClassCastException | org.apache.kafka.common.KafkaException e) {
      throw TurnoutConfigException.invalid(TurnoutConfig.AUTHORITY_SOURCE, type.getName(), "must name a class "
          + "implementing " + AuthoritySource.class.getName() + " with a public no-argument constructor: "
          + e.getMessage());
    }
    if (source instanceof Configurable c) {
      c.configure(originals);
    }
    return source;
  }
}
