package dev.turnout;

import dev.turnout.internal.cluster.BreakerSettings;
import dev.turnout.internal.cutover.BarrierMode;
import dev.turnout.internal.consumer.OffsetTranslation;
import dev.turnout.source.AuthoritySource;
import dev.turnout.source.FileAuthoritySource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Parsed and validated {@code turnout.*} settings, and the Kafka configuration of each cluster's client. */
final class TurnoutSettings {

  private static final Logger log = LoggerFactory.getLogger(TurnoutSettings.class);
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_-]+");
  private static final String PREFIX = "turnout.";
  private static final Set<String> KNOWN = Set.of(
      TurnoutConfig.CLUSTERS,
      TurnoutConfig.AUTHORITY_FILE,
      TurnoutConfig.AUTHORITY_SOURCE,
      TurnoutConfig.AUTHORITY_REFRESH_MS,
      TurnoutConfig.AUTHORITY_MAX_STALENESS_MS,
      TurnoutConfig.AUTHORITY_REQUIRED,
      TurnoutConfig.CUTOVER_BARRIER,
      TurnoutConfig.CUTOVER_MAX_PAUSE_MS,
      TurnoutConfig.CUTOVER_BUFFER_BYTES,
      TurnoutConfig.BREAKER_ENABLED,
      TurnoutConfig.BREAKER_FAILURE_RATE_THRESHOLD,
      TurnoutConfig.BREAKER_WINDOW_SIZE,
      TurnoutConfig.BREAKER_MINIMUM_CALLS,
      TurnoutConfig.BREAKER_OPEN_WAIT_MS,
      TurnoutConfig.BREAKER_HALF_OPEN_CALLS,
      TurnoutConfig.CONSUMER_ROLE,
      TurnoutConfig.CONSUMER_OFFSET_TRANSLATION,
      TurnoutConfig.CONSUMER_MM2_SOURCE_ALIAS,
      TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS,
      TurnoutConfig.CONSUMER_UNVERIFIED);
  private static final long DEFAULT_MAX_BLOCK_MS = 60_000;

  final List<String> clusters;
  final Map<String, Object> base;
  final List<Map<String, Object>> clusterConfigs;
  final String clientId;
  final long refreshMillis;
  final long maxStalenessMillis;
  /** {@link TurnoutConfig#AUTHORITY_REQUIRED}. */
  final boolean authorityRequired;
  /** Expected cluster id per alias (in the order of {@link #clusters}); {@code null} when not pinned. */
  final List<String> expectedClusterIds;
  final BarrierMode barrierMode;
  final long maxPauseMillis;
  final long cutoverBufferBytes;
  final long maxBlockMillis;
  final BreakerSettings breaker;
  private final Map<String, Object> originals;

  private TurnoutSettings(List<String> clusters, Map<String, Object> base, List<Map<String, Object>> clusterConfigs,
      String clientId, long refreshMillis, long maxStalenessMillis, List<String> expectedClusterIds,
      BarrierMode barrierMode, long maxPauseMillis, long cutoverBufferBytes, long maxBlockMillis, BreakerSettings breaker,
      Map<String, Object> originals, boolean authorityRequired) {
    this.clusters = clusters;
    this.authorityRequired = authorityRequired;
    this.base = base;
    this.clusterConfigs = clusterConfigs;
    this.clientId = clientId;
    this.refreshMillis = refreshMillis;
    this.maxStalenessMillis = maxStalenessMillis;
    this.expectedClusterIds = expectedClusterIds;
    this.barrierMode = barrierMode;
    this.maxPauseMillis = maxPauseMillis;
    this.cutoverBufferBytes = cutoverBufferBytes;
    this.maxBlockMillis = maxBlockMillis;
    this.breaker = breaker;
    this.originals = originals;
  }

  /**
   * @param defaultClientId client.id base used when the configuration has none
   */
  static TurnoutSettings parse(Map<?, ?> raw, String defaultClientId) {
    Map<String, Object> originals = new HashMap<>();
    raw.forEach((k, v) -> {
      if (!(k instanceof String)) {
        throw new ConfigException(String.valueOf(k), null, "configuration keys must be strings");
      }
      originals.put((String) k, v);
    });

    List<String> clusters = parseClusters(originals.get(TurnoutConfig.CLUSTERS));
    Map<String, Object> base = new HashMap<>();
    Map<String, Map<String, Object>> perCluster = new HashMap<>();
    Map<String, String> expectedIds = new HashMap<>();
    for (String alias : clusters) {
      perCluster.put(alias, new HashMap<>());
    }
    for (Map.Entry<String, Object> e : originals.entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(PREFIX)) {
        base.put(key, e.getValue());
        continue;
      }
      if (KNOWN.contains(key)) {
        continue;
      }
      if (key.startsWith(TurnoutConfig.CLUSTER_PREFIX)) {
        String rest = key.substring(TurnoutConfig.CLUSTER_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) {
          throw new ConfigException(key, null, "per-cluster settings are turnout.cluster.<alias>.<kafka setting>");
        }
        String alias = rest.substring(0, dot);
        Map<String, Object> target = perCluster.get(alias);
        if (target == null) {
          throw new ConfigException(key, null, "cluster '" + alias + "' is not declared in "
              + TurnoutConfig.CLUSTERS + " " + clusters);
        }
        String setting = rest.substring(dot + 1);
        if (setting.equals(TurnoutConfig.EXPECTED_CLUSTER_ID)) {
          Object id = e.getValue();
          if (id == null || id.toString().isBlank()) {
            throw new ConfigException(key, id, "must be the cluster id the alias is expected to report");
          }
          expectedIds.put(alias, id.toString().trim());
          continue;
        }
        target.put(setting, e.getValue());
        continue;
      }
      throw new ConfigException(key, null, "unknown Turnout setting; known settings are " + KNOWN
          + " and " + TurnoutConfig.CLUSTER_PREFIX + "<alias>.*");
    }

    String clientId = base.get(CommonClientConfigs.CLIENT_ID_CONFIG) instanceof String s && !s.isBlank()
        ? s : defaultClientId;
    boolean baseBootstrap = base.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    List<Map<String, Object>> clusterConfigs = new ArrayList<>();
    for (String alias : clusters) {
      Map<String, Object> own = perCluster.get(alias);
      Object bootstrap = own.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
      if (bootstrap == null || bootstrap.toString().isBlank()) {
        throw new ConfigException(TurnoutConfig.CLUSTER_PREFIX + alias + "." + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
            null, "every cluster in " + TurnoutConfig.CLUSTERS + " needs its own bootstrap servers"
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

    boolean hasFile = originals.get(TurnoutConfig.AUTHORITY_FILE) != null;
    boolean hasSource = originals.get(TurnoutConfig.AUTHORITY_SOURCE) != null;
    if (hasFile == hasSource) {
      throw new ConfigException(TurnoutConfig.AUTHORITY_FILE, originals.get(TurnoutConfig.AUTHORITY_FILE),
          hasFile ? "set only one of " + TurnoutConfig.AUTHORITY_FILE + " and " + TurnoutConfig.AUTHORITY_SOURCE
              : "no authority source: set " + TurnoutConfig.AUTHORITY_FILE + " (a properties file) or "
                  + TurnoutConfig.AUTHORITY_SOURCE);
    }
    long refresh = positiveLong(originals, TurnoutConfig.AUTHORITY_REFRESH_MS, TurnoutConfig.DEFAULT_AUTHORITY_REFRESH_MS);
    long staleness = positiveLong(originals, TurnoutConfig.AUTHORITY_MAX_STALENESS_MS,
        TurnoutConfig.DEFAULT_AUTHORITY_MAX_STALENESS_MS);
    if (staleness <= refresh) {
      throw new ConfigException(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, staleness,
          "must be greater than " + TurnoutConfig.AUTHORITY_REFRESH_MS + " (" + refresh + ")");
    }
    List<String> expected = new ArrayList<>();
    for (String alias : clusters) {
      expected.add(expectedIds.get(alias));
    }
    Object barrierValue = originals.get(TurnoutConfig.CUTOVER_BARRIER);
    BarrierMode barrier = barrierValue == null ? BarrierMode.parse(TurnoutConfig.DEFAULT_CUTOVER_BARRIER)
        : BarrierMode.parse(barrierValue.toString());
    if (barrier == null) {
      throw new ConfigException(TurnoutConfig.CUTOVER_BARRIER, barrierValue, "must be 'replicated' (wait until the records "
          + "sent to the old owner are visible on the new owner) or 'drained' (wait for their acknowledgements only)");
    }
    long maxPause = positiveLong(originals, TurnoutConfig.CUTOVER_MAX_PAUSE_MS, TurnoutConfig.DEFAULT_CUTOVER_MAX_PAUSE_MS);
    long bufferBytes = positiveLong(originals, TurnoutConfig.CUTOVER_BUFFER_BYTES, TurnoutConfig.DEFAULT_CUTOVER_BUFFER_BYTES,
        "bytes");
    long maxBlock = nonNegativeLong(base, ProducerConfig.MAX_BLOCK_MS_CONFIG, DEFAULT_MAX_BLOCK_MS);
    BreakerSettings breaker = new BreakerSettings(
        bool(originals, TurnoutConfig.BREAKER_ENABLED, TurnoutConfig.DEFAULT_BREAKER_ENABLED),
        (int) rangedLong(originals, TurnoutConfig.BREAKER_FAILURE_RATE_THRESHOLD,
            TurnoutConfig.DEFAULT_BREAKER_FAILURE_RATE_THRESHOLD, 1, 100, "a percentage from 1 to 100"),
        (int) rangedLong(originals, TurnoutConfig.BREAKER_WINDOW_SIZE, TurnoutConfig.DEFAULT_BREAKER_WINDOW_SIZE, 1,
            Integer.MAX_VALUE, "a positive number of sends"),
        (int) rangedLong(originals, TurnoutConfig.BREAKER_MINIMUM_CALLS, TurnoutConfig.DEFAULT_BREAKER_MINIMUM_CALLS, 1,
            Integer.MAX_VALUE, "a positive number of sends"),
        Duration.ofMillis(positiveLong(originals, TurnoutConfig.BREAKER_OPEN_WAIT_MS, TurnoutConfig.DEFAULT_BREAKER_OPEN_WAIT_MS)),
        (int) rangedLong(originals, TurnoutConfig.BREAKER_HALF_OPEN_CALLS, TurnoutConfig.DEFAULT_BREAKER_HALF_OPEN_CALLS, 1,
            Integer.MAX_VALUE, "a positive number of sends"));
    return new TurnoutSettings(List.copyOf(clusters), Collections.unmodifiableMap(base), List.copyOf(clusterConfigs), clientId,
        refresh, staleness, Collections.unmodifiableList(expected), barrier, maxPause, bufferBytes, maxBlock, breaker,
        originals, bool(originals, TurnoutConfig.AUTHORITY_REQUIRED, TurnoutConfig.DEFAULT_AUTHORITY_REQUIRED));
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
      long boundaryTimeoutMillis, boolean rewind) {}

  /**
   * Validates and returns the consumer settings.
   *
   * @throws ConfigException naming the key of an invalid value, or a per-cluster setting a consumer cannot
   *     take per cluster
   */
  ConsumerOptions consumerOptions() {
    String role = string(TurnoutConfig.CONSUMER_ROLE, TurnoutConfig.CONSUMER_ROLE_PRODUCTION);
    boolean validation;
    if (role.equals(TurnoutConfig.CONSUMER_ROLE_PRODUCTION)) {
      validation = false;
    } else if (role.equals(TurnoutConfig.CONSUMER_ROLE_VALIDATION)) {
      validation = true;
    } else {
      throw new ConfigException(TurnoutConfig.CONSUMER_ROLE, role, "must be "
          + TurnoutConfig.CONSUMER_ROLE_PRODUCTION + " or " + TurnoutConfig.CONSUMER_ROLE_VALIDATION);
    }
    String translationName = string(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION,
        TurnoutConfig.DEFAULT_CONSUMER_OFFSET_TRANSLATION);
    OffsetTranslation translation;
    try {
      translation = OffsetTranslation.parse(translationName);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, translationName, e.getMessage());
    }
    if (translation == OffsetTranslation.MIRRORMAKER2) {
      try {
        Class.forName(OffsetTranslation.MM2_CLIENT_CLASS, false, TurnoutSettings.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new ConfigException(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, translationName,
            "mirrormaker2 translation reads MirrorMaker 2 checkpoints with " + OffsetTranslation.MM2_CLIENT_CLASS
                + ": add the dependency org.apache.kafka:connect-mirror-client (same version as kafka-clients)");
      }
    }
    Object alias = originals.get(TurnoutConfig.CONSUMER_MM2_SOURCE_ALIAS);
    String mm2Alias = alias == null || alias.toString().isBlank() ? null : alias.toString().trim();
    long timeout = positiveLong(originals, TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS,
        TurnoutConfig.DEFAULT_CONSUMER_BOUNDARY_TIMEOUT_MS);
    String unverified = string(TurnoutConfig.CONSUMER_UNVERIFIED, TurnoutConfig.CONSUMER_UNVERIFIED_FAIL);
    if (!unverified.equals(TurnoutConfig.CONSUMER_UNVERIFIED_FAIL) && !unverified.equals(TurnoutConfig.CONSUMER_UNVERIFIED_REWIND)) {
      throw new ConfigException(TurnoutConfig.CONSUMER_UNVERIFIED, unverified, "must be "
          + TurnoutConfig.CONSUMER_UNVERIFIED_FAIL + " or " + TurnoutConfig.CONSUMER_UNVERIFIED_REWIND);
    }
    for (String alias2 : clusters) {
      for (String key : PER_GROUP_KEYS) {
        if (originals.containsKey(TurnoutConfig.CLUSTER_PREFIX + alias2 + "." + key)) {
          throw new ConfigException(TurnoutConfig.CLUSTER_PREFIX + alias2 + "." + key, null, key
              + " must be the same on every cluster: the group moves between them. Set it once, without the "
              + TurnoutConfig.CLUSTER_PREFIX + "<alias>. prefix");
        }
      }
    }
    return new ConsumerOptions(validation, translation, mm2Alias, timeout,
        unverified.equals(TurnoutConfig.CONSUMER_UNVERIFIED_REWIND));
  }

  private static final List<String> PER_GROUP_KEYS = List.of("group.id", "enable.auto.commit", "group.protocol");

  private String string(String key, String defaultValue) {
    Object value = originals.get(key);
    return value == null ? defaultValue : value.toString().trim().toLowerCase(java.util.Locale.ROOT);
  }

  AuthoritySource createSource() {
    Object file = originals.get(TurnoutConfig.AUTHORITY_FILE);
    if (file != null) {
      return new FileAuthoritySource(file instanceof Path p ? p : Path.of(file.toString().trim()));
    }
    Object spec = originals.get(TurnoutConfig.AUTHORITY_SOURCE);
    AuthoritySource source;
    try {
      if (spec instanceof AuthoritySource s) {
        return s;
      } else if (spec instanceof Class<?> c) {
        source = Utils.newInstance(c.asSubclass(AuthoritySource.class));
      } else {
        source = Utils.newInstance(spec.toString().trim(), AuthoritySource.class);
      }
    } catch (ClassNotFoundException | ClassCastException | org.apache.kafka.common.KafkaException e) {
      throw new ConfigException(TurnoutConfig.AUTHORITY_SOURCE, spec,
          "must name a class implementing " + AuthoritySource.class.getName() + " with a public no-argument constructor: " + e.getMessage());
    }
    if (source instanceof Configurable c) {
      c.configure(originals);
    }
    return source;
  }

  private static List<String> parseClusters(Object value) {
    Collection<?> items;
    if (value == null) {
      throw new ConfigException(TurnoutConfig.CLUSTERS, null,
          "required: the comma-separated aliases of the clusters this client may talk to");
    } else if (value instanceof Collection<?> c) {
      items = c;
    } else {
      items = List.of(value.toString().split(","));
    }
    Set<String> aliases = new LinkedHashSet<>();
    for (Object item : items) {
      String alias = String.valueOf(item).trim();
      if (!ALIAS.matcher(alias).matches()) {
        throw new ConfigException(TurnoutConfig.CLUSTERS, value, "alias '" + alias + "' must match [A-Za-z0-9_-]+");
      }
      if (!aliases.add(alias)) {
        throw new ConfigException(TurnoutConfig.CLUSTERS, value, "alias '" + alias + "' is declared twice");
      }
    }
    if (aliases.isEmpty()) {
      throw new ConfigException(TurnoutConfig.CLUSTERS, value, "declare at least one cluster alias");
    }
    return new ArrayList<>(aliases);
  }

  private static long positiveLong(Map<String, Object> originals, String key, long defaultValue) {
    return positiveLong(originals, key, defaultValue, "milliseconds");
  }

  private static long positiveLong(Map<String, Object> originals, String key, long defaultValue, String unit) {
    return rangedLong(originals, key, defaultValue, 1, Long.MAX_VALUE, "a positive number of " + unit);
  }

  private static long nonNegativeLong(Map<String, Object> config, String key, long defaultValue) {
    return rangedLong(config, key, defaultValue, 0, Long.MAX_VALUE, "a non-negative number of milliseconds");
  }

  private static long rangedLong(Map<String, Object> originals, String key, long defaultValue, long min, long max,
      String what) {
    Object value = originals.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      long parsed = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
      if (parsed < min || parsed > max) {
        throw new ConfigException(key, value, "must be " + what);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "must be " + what);
    }
  }

  private static boolean bool(Map<String, Object> originals, String key, boolean defaultValue) {
    Object value = originals.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = value.toString().trim();
    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(key, value, "must be true or false");
  }
}
