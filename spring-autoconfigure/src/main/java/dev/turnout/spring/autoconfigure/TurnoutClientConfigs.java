package dev.turnout.spring.autoconfigure;

import dev.turnout.TurnoutConfig;
import dev.turnout.source.AuthoritySource;
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
 * property to use instead.
 */
final class TurnoutClientConfigs {

  /** The class of {@code org.apache.kafka:connect-mirror-client} that mirrormaker2 translation needs. */
  private static final String MM2_CLIENT_CLASS = "org.apache.kafka.connect.mirror.RemoteClusterUtils";

  /** The Spring property of each routing client key, for the error that a key in spring.kafka.* gets. */
  static final Map<String, String> SPRING_NAMES = Map.ofEntries(
      Map.entry(TurnoutConfig.CLUSTERS, "turnout.clusters.<alias>.bootstrap-servers"),
      Map.entry(TurnoutConfig.AUTHORITY_FILE, "turnout.authority.file"),
      Map.entry(TurnoutConfig.AUTHORITY_SOURCE, "an AuthoritySource bean"),
      Map.entry(TurnoutConfig.AUTHORITY_REFRESH_MS, "turnout.authority.refresh-interval"),
      Map.entry(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, "turnout.authority.max-staleness"),
      Map.entry(TurnoutConfig.CUTOVER_BARRIER, "turnout.cutover.barrier"),
      Map.entry(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, "turnout.cutover.max-pause"),
      Map.entry(TurnoutConfig.CUTOVER_BUFFER_BYTES, "turnout.cutover.buffer-size"),
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
      Map.entry(TurnoutConfig.CONSUMER_UNVERIFIED, "turnout.consumer.unverified"));

  private TurnoutClientConfigs() {}

  /** The configuration of routing producers. */
  static Map<String, Object> producer(KafkaProperties kafka, TurnoutProperties properties, AuthoritySource source) {
    return build(kafka.buildProducerProperties(), key -> kafka.getProducer().getProperties().containsKey(key)
        ? "spring.kafka.producer.properties." : "spring.kafka.properties.", properties, source, true, null);
  }

  /**
   * The configuration of routing consumers.
   *
   * @param classLoader the application's class loader, where an optional translation library is looked up
   */
  static Map<String, Object> consumer(KafkaProperties kafka, TurnoutProperties properties, AuthoritySource source,
      ClassLoader classLoader) {
    return build(kafka.buildConsumerProperties(), key -> kafka.getConsumer().getProperties().containsKey(key)
        ? "spring.kafka.consumer.properties." : "spring.kafka.properties.", properties, source, false, classLoader);
  }

  /**
   * @param springPrefix the Spring property prefix a client setting came from, for error messages
   * @param producer whether this is a producer configuration (else a consumer configuration)
   * @param classLoader the application's class loader (used for consumer configurations)
   */
  private static Map<String, Object> build(Map<String, Object> spring, Function<String, String> springPrefix,
      TurnoutProperties properties, AuthoritySource source, boolean producer, ClassLoader classLoader) {
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
    List<String> aliases = new ArrayList<>();
    clusters.forEach((alias, cluster) -> {
      aliases.add(alias);
      String prefix = TurnoutConfig.CLUSTER_PREFIX + alias + ".";
      Map<String, String> own = new HashMap<>(cluster.getProperties());
      own.putAll((producer ? cluster.getProducer() : cluster.getConsumer()).getProperties());
      if (own.containsKey(TurnoutConfig.EXPECTED_CLUSTER_ID)) {
        throw new InvalidConfigurationPropertyValueException("turnout.clusters." + alias + ".properties."
            + TurnoutConfig.EXPECTED_CLUSTER_ID, own.get(TurnoutConfig.EXPECTED_CLUSTER_ID),
            "the expected cluster id is not a Kafka setting: use turnout.clusters." + alias + ".expected-cluster-id.");
      }
      String bootstrap = String.join(",", cluster.getBootstrapServers()).trim();
      String fromProperties = own.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
      if (!bootstrap.isEmpty() && fromProperties != null) {
        throw new InvalidConfigurationPropertyValueException("turnout.clusters." + alias + ".bootstrap-servers",
            bootstrap, "bootstrap.servers is also set in the cluster's properties: set it in one place only.");
      }
      if (bootstrap.isEmpty()) {
        bootstrap = fromProperties == null ? "" : fromProperties.trim();
      }
      if (bootstrap.isEmpty()) {
        throw new InvalidConfigurationPropertyValueException("turnout.clusters." + alias + ".bootstrap-servers",
            null, "every cluster needs its own bootstrap servers (spring.kafka.bootstrap-servers is not used: it "
                + "cannot name two clusters).");
      }
      config.put(prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      own.forEach((key, value) -> config.put(prefix + key, value));
      String expectedId = cluster.getExpectedClusterId();
      if (expectedId != null && producer) {
        if (expectedId.isBlank()) {
          throw new InvalidConfigurationPropertyValueException("turnout.clusters." + alias + ".expected-cluster-id",
              expectedId, "must be the cluster id the alias is expected to report (or unset to not check it).");
        }
        config.put(prefix + TurnoutConfig.EXPECTED_CLUSTER_ID, expectedId.trim());
      }
    });
    config.put(TurnoutConfig.CLUSTERS, String.join(",", aliases));

    TurnoutProperties.Authority authority = properties.getAuthority();
    long refresh = positiveMillis("turnout.authority.refresh-interval", authority.getRefreshInterval());
    long staleness = positiveMillis("turnout.authority.max-staleness", authority.getMaxStaleness());
    if (staleness <= refresh) {
      throw new InvalidConfigurationPropertyValueException("turnout.authority.max-staleness",
          authority.getMaxStaleness(), "must be longer than turnout.authority.refresh-interval ("
              + authority.getRefreshInterval() + ").");
    }
    config.put(TurnoutConfig.AUTHORITY_SOURCE, source);
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, refresh);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, staleness);
    if (producer) {
      putProducerSettings(config, properties.getCutover(), properties.getBreaker());
    } else {
      putConsumerSettings(config, properties.getConsumer(), classLoader);
    }
    return config;
  }

  private static void putProducerSettings(Map<String, Object> config, TurnoutProperties.Cutover cutover,
      TurnoutProperties.Breaker breaker) {
    if (cutover.getBarrier() == null) {
      throw new InvalidConfigurationPropertyValueException("turnout.cutover.barrier", null,
          "must be replicated or drained.");
    }
    config.put(TurnoutConfig.CUTOVER_BARRIER, cutover.getBarrier().configValue());
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, positiveMillis("turnout.cutover.max-pause", cutover.getMaxPause()));
    if (cutover.getBufferSize() == null || cutover.getBufferSize().toBytes() <= 0) {
      throw new InvalidConfigurationPropertyValueException("turnout.cutover.buffer-size", cutover.getBufferSize(),
          "must be a positive size, e.g. 32MB.");
    }
    config.put(TurnoutConfig.CUTOVER_BUFFER_BYTES, cutover.getBufferSize().toBytes());
    config.put(TurnoutConfig.BREAKER_ENABLED, breaker.isEnabled());
    config.put(TurnoutConfig.BREAKER_FAILURE_RATE_THRESHOLD, ranged("turnout.breaker.failure-rate-threshold",
        breaker.getFailureRateThreshold(), 1, 100, "a percentage from 1 to 100"));
    config.put(TurnoutConfig.BREAKER_WINDOW_SIZE, ranged("turnout.breaker.window-size", breaker.getWindowSize(), 1,
        Integer.MAX_VALUE, "a positive number of sends"));
    config.put(TurnoutConfig.BREAKER_MINIMUM_CALLS, ranged("turnout.breaker.minimum-calls", breaker.getMinimumCalls(),
        1, Integer.MAX_VALUE, "a positive number of sends"));
    config.put(TurnoutConfig.BREAKER_OPEN_WAIT_MS, positiveMillis("turnout.breaker.open-wait", breaker.getOpenWait()));
    config.put(TurnoutConfig.BREAKER_HALF_OPEN_CALLS, ranged("turnout.breaker.half-open-calls",
        breaker.getHalfOpenCalls(), 1, Integer.MAX_VALUE, "a positive number of sends"));
  }

  private static void putConsumerSettings(Map<String, Object> config, TurnoutProperties.Consumer consumer,
      ClassLoader classLoader) {
    if (consumer.getRole() == null) {
      throw new InvalidConfigurationPropertyValueException("turnout.consumer.role", null,
          "must be production or validation.");
    }
    if (consumer.getOffsetTranslation() == null) {
      throw new InvalidConfigurationPropertyValueException("turnout.consumer.offset-translation", null,
          "must be timestamp, identity or mirrormaker2.");
    }
    if (consumer.getUnverified() == null) {
      throw new InvalidConfigurationPropertyValueException("turnout.consumer.unverified", null,
          "must be fail or rewind.");
    }
    if (consumer.getOffsetTranslation() == TurnoutProperties.Consumer.OffsetTranslation.MIRRORMAKER2
        && !ClassUtils.isPresent(MM2_CLIENT_CLASS, classLoader)) {
      throw new InvalidConfigurationPropertyValueException("turnout.consumer.offset-translation", "mirrormaker2",
          "mirrormaker2 translation reads MirrorMaker 2 checkpoints with " + MM2_CLIENT_CLASS
              + ": add the dependency org.apache.kafka:connect-mirror-client (the version of kafka-clients), or "
              + "use timestamp.");
    }
    config.put(TurnoutConfig.CONSUMER_ROLE, consumer.getRole().configValue());
    config.put(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, consumer.getOffsetTranslation().configValue());
    String mm2Alias = consumer.getOffsetTranslationMm2SourceAlias();
    if (mm2Alias != null && !mm2Alias.isBlank()) {
      config.put(TurnoutConfig.CONSUMER_MM2_SOURCE_ALIAS, mm2Alias.trim());
    }
    config.put(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS,
        positiveMillis("turnout.consumer.boundary-timeout", consumer.getBoundaryTimeout()));
    config.put(TurnoutConfig.CONSUMER_UNVERIFIED, consumer.getUnverified().configValue());
  }

  private static int ranged(String name, int value, int min, int max, String expected) {
    if (value < min || value > max) {
      throw new InvalidConfigurationPropertyValueException(name, value, "must be " + expected + ".");
    }
    return value;
  }

  static long positiveMillis(String name, Duration value) {
    if (value == null || value.toMillis() <= 0) {
      throw new InvalidConfigurationPropertyValueException(name, value, "must be a positive duration, e.g. 1s.");
    }
    return value.toMillis();
  }
}
