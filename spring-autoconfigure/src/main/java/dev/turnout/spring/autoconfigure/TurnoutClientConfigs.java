package dev.turnout.spring.autoconfigure;

import dev.turnout.TurnoutConfig;
import dev.turnout.source.AuthoritySource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Translates Spring Boot's {@code spring.kafka.*} client properties and {@code turnout.*} properties into a
 * Turnout client configuration: the common settings from {@code spring.kafka.*} (without its single
 * {@code bootstrap.servers}), {@code turnout.clusters}, {@code turnout.cluster.<alias>.*} from
 * {@code turnout.clusters.<alias>.*}, and the shared authority source with its intervals. Other
 * {@code turnout.*} client settings given in {@code spring.kafka.*.properties} (for example a consumer's
 * {@code turnout.consumer.*}) pass through to the client, which validates them.
 */
final class TurnoutClientConfigs {

  private TurnoutClientConfigs() {}

  /** The configuration of routing producers. */
  static Map<String, Object> producer(Map<String, Object> springProducerProperties, TurnoutProperties properties,
      AuthoritySource source) {
    return build(springProducerProperties, properties, source, true);
  }

  /** The configuration of routing consumers. */
  static Map<String, Object> consumer(Map<String, Object> springConsumerProperties, TurnoutProperties properties,
      AuthoritySource source) {
    return build(springConsumerProperties, properties, source, false);
  }

  private static Map<String, Object> build(Map<String, Object> spring, TurnoutProperties properties,
      AuthoritySource source, boolean producer) {
    Map<String, Object> config = new HashMap<>(spring);
    config.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    for (String key : config.keySet()) {
      if (key.equals(TurnoutConfig.CLUSTERS) || key.startsWith(TurnoutConfig.CLUSTER_PREFIX)
          || key.startsWith("turnout.authority.")) {
        throw new InvalidConfigurationPropertyValueException("spring.kafka.properties." + key, null,
            "clusters and the authority source are not read from spring.kafka.*: use turnout.clusters.<alias>.* "
                + "and turnout.authority.*.");
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
    return config;
  }

  static long positiveMillis(String name, Duration value) {
    if (value == null || value.toMillis() <= 0) {
      throw new InvalidConfigurationPropertyValueException(name, value, "must be a positive duration, e.g. 1s.");
    }
    return value.toMillis();
  }
}
