package dev.turnout;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The Kafka client configuration of a cluster used beside the routed traffic (a status or control topic),
 * chosen by keys under one prefix, e.g. {@code turnout.status.topic.}:
 *
 * <ul>
 *   <li>{@code <prefix>cluster=<alias>}: the client settings of that declared cluster (the top-level settings
 *       merged with {@code turnout.cluster.<alias>.*}, security included);
 *   <li>or {@code <prefix>bootstrap.servers} with any other {@code <prefix><Kafka client setting>}: a cluster of
 *       its own, with exactly those settings (nothing is inherited from the top level).
 * </ul>
 *
 * Fallbacks between prefixes are the caller's business ({@link #configured}).
 */
final class SideClusterSettings {

  /** The key suffix naming a declared cluster alias. */
  static final String CLUSTER = "cluster";

  private SideClusterSettings() {}

  /**
   * Whether {@code prefix} names a cluster: {@code <prefix>cluster} or {@code <prefix>bootstrap.servers} is set
   * in {@code raw} (the configuration as given, {@link TurnoutSettings#originals()}).
   */
  static boolean configured(Map<String, ?> raw, String prefix) {
    return present(raw.get(prefix + CLUSTER)) || present(raw.get(prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
  }

  /**
   * The client configuration the keys under {@code prefix} name (a new mutable map; may hold secrets).
   *
   * @param settings the parsed settings (the declared clusters and their client settings)
   * @param raw the configuration as given ({@link TurnoutSettings#originals()})
   *
   * @throws TurnoutConfigException when both or neither of {@code <prefix>cluster} and
   *     {@code <prefix>bootstrap.servers} are set, the alias is not declared, or the aliased cluster has no
   *     bootstrap servers (its client is supplied)
   */
  static Map<String, Object> clientConfig(TurnoutSettings settings, Map<String, ?> raw, String prefix) {
    Map<String, ?> originals = raw;
    Object alias = originals.get(prefix + CLUSTER);
    String bootstrapKey = prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    boolean ownBootstrap = present(originals.get(bootstrapKey));
    if (present(alias) == ownBootstrap) {
      throw TurnoutConfigException.invalid(prefix + CLUSTER, present(alias) ? alias : null, ownBootstrap
          ? "set only one of " + prefix + CLUSTER + " and " + bootstrapKey
          : "name the cluster: " + prefix + CLUSTER + "=<one of " + TurnoutConfig.CLUSTERS + " " + settings.clusters
              + ">, or " + bootstrapKey + " (with any other " + prefix + "<Kafka client setting>)");
    }
    if (ownBootstrap) {
      Map<String, Object> own = new HashMap<>();
      originals.forEach((key, value) -> {
        if (key.startsWith(prefix) && !key.equals(prefix + CLUSTER) && value != null) {
          own.put(key.substring(prefix.length()), value);
        }
      });
      return own;
    }
    String name = alias.toString().trim();
    int index = settings.clusters.indexOf(name);
    if (index < 0) {
      throw TurnoutConfigException.invalid(prefix + CLUSTER, name, "not a declared cluster: use one of "
          + TurnoutConfig.CLUSTERS + " " + settings.clusters + ", or " + bootstrapKey);
    }
    Map<String, Object> config = new HashMap<>(settings.clusterConfigs.get(index));
    if (!present(config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG))) {
      throw TurnoutConfigException.invalid(prefix + CLUSTER, name, "cluster '" + name + "' has no bootstrap "
          + "servers (its client is supplied): set " + TurnoutConfig.CLUSTER_PREFIX + name + "."
          + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + " or " + bootstrapKey);
    }
    return config;
  }

  private static boolean present(Object value) {
    return value != null && !value.toString().isBlank();
  }
}
