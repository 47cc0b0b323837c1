package dev.turnout.spring.autoconfigure;

import dev.turnout.TurnoutConfig;
import dev.turnout.TrustedKeys;
import dev.turnout.TurnoutConfigException;
import dev.turnout.source.AuthoritySource;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.CommonClientConfigs;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.util.ClassUtils;

/**
 * Translates Spring Boot's {@code spring.kafka.*} client properties and {@code turnout.*} properties into a
 * Turnout client configuration: the common settings from {@code spring.kafka.*} (without its single
 * {@code bootstrap.servers}), {@code turnout.clusters}, {@code turnout.cluster.<alias>.*} from
 * {@code turnout.clusters.<alias>.*}, the shared authority source with its intervals, and the cutover and
 * breaker settings (producers) or the consumer settings (consumers). Every routing client key comes from its
 * typed Spring property: a {@code turnout.*} key in {@code spring.kafka.*.properties} is an error naming the
 * property to use instead. The routing client validates the result ({@link TurnoutConfig#validateProducerConfig});
 * its {@link TurnoutConfigException} becomes an {@link InvalidConfigurationPropertyValueException} naming the
 * Spring property and its value.
 */
final class TurnoutClientConfigs {

  /** The Spring property of each routing client key, for the error that a key in spring.kafka.* gets. */
  static final Map<String, String> SPRING_NAMES = Map.ofEntries(
      Map.entry(TurnoutConfig.CLUSTERS, "turnout.clusters.<alias>.bootstrap-servers"),
      Map.entry(TurnoutConfig.AUTHORITY_FILE, "turnout.authority.file"),
      Map.entry(TurnoutConfig.AUTHORITY_SOURCE, "an AuthoritySource bean"),
      Map.entry(TurnoutConfig.AUTHORITY_REFRESH_MS, "turnout.authority.refresh-interval"),
      Map.entry(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, "turnout.authority.max-staleness"),
      Map.entry(TurnoutConfig.AUTHORITY_REQUIRED, "turnout.authority.required"),
      Map.entry(TurnoutConfig.AUTHORITY_CACHE_FILE, "turnout.authority.cache-file"),
      Map.entry(TurnoutConfig.AUTHORITY_TRUSTED_KEYS, "turnout.authority.trusted-keys"),
      Map.entry(TurnoutConfig.CUTOVER_BARRIER, "turnout.cutover.barrier"),
      Map.entry(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, "turnout.cutover.max-pause"),
      Map.entry(TurnoutConfig.CUTOVER_BUFFER_BYTES, "turnout.cutover.buffer-size"),
      Map.entry(TurnoutConfig.ROLLBACK_RECONCILE, "turnout.rollback.reconcile"),
      Map.entry(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, "turnout.rollback.max-pause"),
      Map.entry(TurnoutConfig.BREAKER_ENABLED, "turnout.breaker.enabled"),
      Map.entry(TurnoutConfig.BREAKER_FAILURE_RATE_THRESHOLD, "turnout.breaker.failure-rate-threshold"),
      Map.entry(TurnoutConfig.BREAKER_WINDOW_SIZE, "turnout.breaker.window-size"),
      Map.entry(TurnoutConfig.BREAKER_MINIMUM_CALLS, "turnout.breaker.minimum-calls"),
      Map.entry(TurnoutConfig.BREAKER_OPEN_WAIT_MS, "turnout.breaker.open-wait"),
      Map.entry(TurnoutConfig.BREAKER_HALF_OPEN_CALLS, "turnout.breaker.half-open-calls"),
      Map.entry(TurnoutConfig.CONSUMER_ROLE, "turnout.consumer.role"),
      Map.entry(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, "turnout.consumer.offset-translation"),
      Map.entry(TurnoutConfig.CONSUMER_MM2_SOURCE_ALIAS, "turnout.consumer.offset-translation-mm2-source-alias"),
      Map.entry(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, "turnout.consumer.boundary-timeout"),
      Map.entry(TurnoutConfig.CONSUMER_UNVERIFIED, "turnout.consumer.unverified"),
      Map.entry(TurnoutConfig.CONSUMER_DEDUPE_WINDOW, "turnout.consumer.dedupe-window"),
      Map.entry(TurnoutConfig.STATUS_TOPIC, "turnout.status.topic"),
      Map.entry(TurnoutConfig.STATUS_TOPIC_CLUSTER, "turnout.status.cluster"),
      Map.entry(TurnoutConfig.STATUS_INTERVAL_MS, "turnout.status.interval"),
      Map.entry(TurnoutConfig.SERVICE_NAME, "turnout.status.service-name"));

  private TurnoutClientConfigs() {}

  /**
   * The Spring property and value a routing client key came from, for errors.
   *
   * @param kafkaSetting whether it is a Kafka setting, whose value is shown only as the client shows it
   *     (secrets masked)
   */
  private record Origin(String property, Object value, boolean kafkaSetting) {

    Origin(String property, Object value) {
      this(property, value, false);
    }
  }

  /** The configuration of routing producers. */
  static Map<String, Object> producer(KafkaProperties kafka, TurnoutProperties properties, AuthoritySource source) {
    Map<String, Origin> origins = new HashMap<>();
    Map<String, Object> config = build(kafka.buildProducerProperties(), key -> kafka.getProducer().getProperties()
        .containsKey(key) ? "spring.kafka.producer.properties." : "spring.kafka.properties.", properties, source, true,
        origins);
    putProducerSettings(config, origins, properties.getCutover(), properties.getBreaker());
    putRollbackSettings(config, origins, properties.getRollback());
    validated(() -> TurnoutConfig.validateProducerConfig(config), origins);
    return config;
  }

  /**
   * The configuration of routing consumers.
   *
   * @param classLoader the application's class loader, where an optional translation library is looked up
   */
  static Map<String, Object> consumer(KafkaProperties kafka, TurnoutProperties properties, AuthoritySource source,
      ClassLoader classLoader) {
    Map<String, Origin> origins = new HashMap<>();
    Map<String, Object> config = build(kafka.buildConsumerProperties(), key -> kafka.getConsumer().getProperties()
        .containsKey(key) ? "spring.kafka.consumer.properties." : "spring.kafka.properties.", properties, source, false,
        origins);
    putConsumerSettings(config, origins, properties.getConsumer(), classLoader);
    validated(() -> TurnoutConfig.validateConsumerConfig(config), origins);
    return config;
  }

  /** Runs the routing client's validation, turning its error into one that names the Spring property. */
  private static void validated(Runnable validation, Map<String, Origin> origins) {
    try {
      validation.run();
    } catch (TurnoutConfigException e) {
      Origin origin = origins.get(e.key());
      String property = origin != null ? origin.property() : SPRING_NAMES.getOrDefault(e.key(), e.key());
      Object value = origin == null || origin.kafkaSetting() ? e.value() : origin.value();
      throw new InvalidConfigurationPropertyValueException(property, value,
          e.reason() + " (routing client key " + e.key() + ").");
    }
  }

  /**
   * @param springPrefix the Spring property prefix a client setting came from, for error messages
   * @param producer whether this is a producer configuration (else a consumer configuration)
   * @param origins receives the Spring property of each routing client key
   */
  private static Map<String, Object> build(Map<String, Object> spring, Function<String, String> springPrefix,
      TurnoutProperties properties, AuthoritySource source, boolean producer, Map<String, Origin> origins) {
    Map<String, Object> config = new HashMap<>(spring);
    config.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    for (String key : config.keySet()) {
      if (key.startsWith("turnout.")) {
        String instead = SPRING_NAMES.get(key);
        throw new InvalidConfigurationPropertyValueException(springPrefix.apply(key) + key, null,
            "Turnout settings are not read from spring.kafka.*: " + (instead != null ? "use " + instead + "."
                : "use turnout.clusters.<alias>.*, turnout.authority.*, turnout.cutover.*, turnout.breaker.* and "
                    + "turnout.consumer.* (see docs/spring-boot.md)."));
      }
    }
    Map<String, TurnoutProperties.Cluster> clusters = properties.getClusters();
    if (clusters.isEmpty()) {
      throw new InvalidConfigurationPropertyValueException("turnout.clusters", null,
          "Turnout is enabled but declares no cluster. Declare each cluster with "
              + "turnout.clusters.<alias>.bootstrap-servers, or set turnout.enabled=false.");
    }
    clusters.forEach((alias, cluster) -> putCluster(config, origins, alias, cluster, producer));
    put(config, origins, TurnoutConfig.CLUSTERS, "turnout.clusters", String.join(",", clusters.keySet()),
        clusters.keySet());

    TurnoutProperties.Authority authority = properties.getAuthority();
    config.put(TurnoutConfig.AUTHORITY_SOURCE, source);
    put(config, origins, TurnoutConfig.AUTHORITY_REFRESH_MS, "turnout.authority.refresh-interval",
        millis(authority.getRefreshInterval()), authority.getRefreshInterval());
    put(config, origins, TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, "turnout.authority.max-staleness",
        millis(authority.getMaxStaleness()), authority.getMaxStaleness());
    put(config, origins, TurnoutConfig.AUTHORITY_REQUIRED, "turnout.authority.required", authority.isRequired(),
        authority.isRequired());
    if (authority.getCacheFile() != null) {
      if (authority.getFile() != null && authority.getFile().toAbsolutePath().normalize()
          .equals(authority.getCacheFile().toAbsolutePath().normalize())) {
        throw new InvalidConfigurationPropertyValueException("turnout.authority.cache-file", authority.getCacheFile(),
            "it is turnout.authority.file itself: the cache must be a file of its own, or the clients would overwrite "
                + "their source.");
      }
      put(config, origins, TurnoutConfig.AUTHORITY_CACHE_FILE, "turnout.authority.cache-file",
          authority.getCacheFile().toString(), authority.getCacheFile());
    }
    if (authority.getTrustedKeys() != null && !authority.getTrustedKeys().isEmpty()) {
      put(config, origins, TurnoutConfig.AUTHORITY_TRUSTED_KEYS, "turnout.authority.trusted-keys",
          List.copyOf(authority.getTrustedKeys()), null);
    }
    putStatus(config, origins, properties.getStatus());
    return config;
  }

  /** {@code turnout.status.*}: set only when a topic is, so that the client's own validation names what is missing. */
  private static void putStatus(Map<String, Object> config, Map<String, Origin> origins,
      TurnoutProperties.Status status) {
    put(config, origins, TurnoutConfig.STATUS_INTERVAL_MS, "turnout.status.interval", millis(status.getInterval()),
        status.getInterval());
    if (status.getTopic() == null || status.getTopic().isBlank()) {
      return;
    }
    put(config, origins, TurnoutConfig.STATUS_TOPIC, "turnout.status.topic", status.getTopic().trim(),
        status.getTopic());
    if (status.getCluster() != null && !status.getCluster().isBlank()) {
      put(config, origins, TurnoutConfig.STATUS_TOPIC_CLUSTER, "turnout.status.cluster", status.getCluster().trim(),
          status.getCluster());
    }
    status.getProperties().forEach((key, value) -> {
      config.put(TurnoutConfig.STATUS_TOPIC_PREFIX + key, value);
      origins.put(TurnoutConfig.STATUS_TOPIC_PREFIX + key, new Origin("turnout.status.properties." + key, null, true));
    });
    if (status.getServiceName() != null && !status.getServiceName().isBlank()) {
      put(config, origins, TurnoutConfig.SERVICE_NAME, "turnout.status.service-name", status.getServiceName().trim(),
          status.getServiceName());
    }
  }

  private static void putCluster(Map<String, Object> config, Map<String, Origin> origins, String alias,
      TurnoutProperties.Cluster cluster, boolean producer) {
    String prefix = TurnoutConfig.CLUSTER_PREFIX + alias + ".";
    String property = "turnout.clusters." + alias + ".";
    TurnoutProperties.Client client = producer ? cluster.getProducer() : cluster.getConsumer();
    Map<String, String> own = new HashMap<>(cluster.getProperties());
    own.putAll(client.getProperties());
    if (own.containsKey(TurnoutConfig.EXPECTED_CLUSTER_ID)) {
      throw new InvalidConfigurationPropertyValueException(property + "properties." + TurnoutConfig.EXPECTED_CLUSTER_ID,
          own.get(TurnoutConfig.EXPECTED_CLUSTER_ID),
          "the expected cluster id is not a Kafka setting: use turnout.clusters." + alias + ".expected-cluster-id.");
    }
    String bootstrap = String.join(",", cluster.getBootstrapServers()).trim();
    String fromProperties = own.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    if (!bootstrap.isEmpty() && fromProperties != null) {
      throw new InvalidConfigurationPropertyValueException(property + "bootstrap-servers",
          bootstrap, "bootstrap.servers is also set in the cluster's properties: set it in one place only.");
    }
    if (bootstrap.isEmpty()) {
      bootstrap = fromProperties == null ? "" : fromProperties.trim();
    }
    if (bootstrap.isEmpty()) {
      throw new InvalidConfigurationPropertyValueException(property + "bootstrap-servers",
          null, "every cluster needs its own bootstrap servers (spring.kafka.bootstrap-servers is not used: it "
              + "cannot name two clusters).");
    }
    put(config, origins, prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, property + "bootstrap-servers",
        bootstrap, bootstrap);
    own.forEach((key, value) -> {
      boolean ownKind = client.getProperties().containsKey(key);
      config.put(prefix + key, value);
      origins.put(prefix + key, new Origin(property + (ownKind ? (producer ? "producer." : "consumer.") : "")
          + "properties." + key, null, true));
    });
    String expectedId = cluster.getExpectedClusterId();
    if (expectedId != null && producer) {
      put(config, origins, prefix + TurnoutConfig.EXPECTED_CLUSTER_ID, property + "expected-cluster-id",
          expectedId.trim(), expectedId);
    }
  }

  private static void putRollbackSettings(Map<String, Object> config, Map<String, Origin> origins,
      TurnoutProperties.Rollback rollback) {
    put(config, origins, TurnoutConfig.ROLLBACK_RECONCILE, "turnout.rollback.reconcile",
        rollback.getReconcile() == null ? "" : rollback.getReconcile().configValue(), rollback.getReconcile());
    put(config, origins, TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, "turnout.rollback.max-pause",
        millis(rollback.getMaxPause()), rollback.getMaxPause());
  }

  private static void putProducerSettings(Map<String, Object> config, Map<String, Origin> origins,
      TurnoutProperties.Cutover cutover, TurnoutProperties.Breaker breaker) {
    put(config, origins, TurnoutConfig.CUTOVER_BARRIER, "turnout.cutover.barrier",
        cutover.getBarrier() == null ? "" : cutover.getBarrier().configValue(), cutover.getBarrier());
    put(config, origins, TurnoutConfig.CUTOVER_MAX_PAUSE_MS, "turnout.cutover.max-pause",
        millis(cutover.getMaxPause()), cutover.getMaxPause());
    put(config, origins, TurnoutConfig.CUTOVER_BUFFER_BYTES, "turnout.cutover.buffer-size",
        cutover.getBufferSize() == null ? "" : cutover.getBufferSize().toBytes(), cutover.getBufferSize());
    put(config, origins, TurnoutConfig.BREAKER_ENABLED, "turnout.breaker.enabled", breaker.isEnabled(),
        breaker.isEnabled());
    put(config, origins, TurnoutConfig.BREAKER_FAILURE_RATE_THRESHOLD, "turnout.breaker.failure-rate-threshold",
        breaker.getFailureRateThreshold(), breaker.getFailureRateThreshold());
    put(config, origins, TurnoutConfig.BREAKER_WINDOW_SIZE, "turnout.breaker.window-size", breaker.getWindowSize(),
        breaker.getWindowSize());
    put(config, origins, TurnoutConfig.BREAKER_MINIMUM_CALLS, "turnout.breaker.minimum-calls",
        breaker.getMinimumCalls(), breaker.getMinimumCalls());
    put(config, origins, TurnoutConfig.BREAKER_OPEN_WAIT_MS, "turnout.breaker.open-wait", millis(breaker.getOpenWait()),
        breaker.getOpenWait());
    put(config, origins, TurnoutConfig.BREAKER_HALF_OPEN_CALLS, "turnout.breaker.half-open-calls",
        breaker.getHalfOpenCalls(), breaker.getHalfOpenCalls());
  }

  private static void putConsumerSettings(Map<String, Object> config, Map<String, Origin> origins,
      TurnoutProperties.Consumer consumer, ClassLoader classLoader) {
    String mirrorClient = TurnoutConfig.OffsetTranslation.MIRROR_CLIENT_CLASS;
    if (consumer.getOffsetTranslation() == TurnoutConfig.OffsetTranslation.MIRRORMAKER2
        && !ClassUtils.isPresent(mirrorClient, classLoader)) {
      throw new InvalidConfigurationPropertyValueException("turnout.consumer.offset-translation", "mirrormaker2",
          "mirrormaker2 translation reads MirrorMaker 2 checkpoints with " + mirrorClient
              + ": add the dependency org.apache.kafka:connect-mirror-client (the version of kafka-clients), or "
              + "use timestamp.");
    }
    put(config, origins, TurnoutConfig.CONSUMER_ROLE, "turnout.consumer.role",
        consumer.getRole() == null ? "" : consumer.getRole().configValue(), consumer.getRole());
    put(config, origins, TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, "turnout.consumer.offset-translation",
        consumer.getOffsetTranslation() == null ? "" : consumer.getOffsetTranslation().configValue(),
        consumer.getOffsetTranslation());
    String mm2Alias = consumer.getOffsetTranslationMm2SourceAlias();
    if (mm2Alias != null && !mm2Alias.isBlank()) {
      put(config, origins, TurnoutConfig.CONSUMER_MM2_SOURCE_ALIAS,
          "turnout.consumer.offset-translation-mm2-source-alias", mm2Alias.trim(), mm2Alias);
    }
    put(config, origins, TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, "turnout.consumer.boundary-timeout",
        millis(consumer.getBoundaryTimeout()), consumer.getBoundaryTimeout());
    put(config, origins, TurnoutConfig.CONSUMER_UNVERIFIED, "turnout.consumer.unverified",
        consumer.getUnverified() == null ? "" : consumer.getUnverified().configValue(), consumer.getUnverified());
    if (consumer.getDedupeWindow() != null) {
      put(config, origins, TurnoutConfig.CONSUMER_DEDUPE_WINDOW, "turnout.consumer.dedupe-window",
          consumer.getDedupeWindow(), consumer.getDedupeWindow());
    }
  }

  private static void put(Map<String, Object> config, Map<String, Origin> origins, String key, String property,
      Object value, Object propertyValue) {
    config.put(key, value);
    origins.put(key, new Origin(property, propertyValue));
  }

  /** A duration in milliseconds; an unset one is empty, which the routing client rejects as not a number. */
  private static Object millis(Duration value) {
    return value == null ? "" : value.toMillis();
  }

  /**
   * The keys of {@code turnout.authority.trusted-keys}, read as the routing clients read them, for the authority
   * monitor.
   *
   * @throws InvalidConfigurationPropertyValueException naming the property and the entry at fault
   */
  static List<PublicKey> trustedKeys(TurnoutProperties.Authority authority) {
    try {
      return TrustedKeys.read(authority.getTrustedKeys());
    } catch (TurnoutConfigException e) {
      throw new InvalidConfigurationPropertyValueException("turnout.authority.trusted-keys", null,
          e.reason() + ".");
    }
  }

  /**
   * A positive duration in milliseconds, for settings read outside the routing clients.
   *
   * @throws InvalidConfigurationPropertyValueException naming the property otherwise
   */
  static long positiveMillis(String name, Duration value) {
    if (value == null || value.toMillis() <= 0) {
      throw new InvalidConfigurationPropertyValueException(name, value, "must be a positive duration, e.g. 1s.");
    }
    return value.toMillis();
  }
}
