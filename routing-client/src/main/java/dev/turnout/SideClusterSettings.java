package dev.turnout;

import dev.turnout.internal.cluster.Redaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The cluster of a side topic (a topic Turnout itself reads or writes, such as the control topic), named under a
 * key prefix {@code P} (for example {@code turnout.authority.topic.}) in one of two ways, exactly one:
 * <ul>
 *   <li>{@code P + "cluster"}: an alias of {@code turnout.clusters}, whose client settings (security included)
 *       are used, restricted to the settings every Kafka client shares (connection, security, timeouts);</li>
 *   <li>{@code P + "bootstrap.servers"} and {@code P + "<Kafka client setting>"}: a cluster of its own, with only
 *       these settings (the top-level client settings do not apply to it).</li>
 * </ul>
 * Every failure is a {@link TurnoutConfigException} naming the key and what to set; values of secret settings
 * are never shown. Keys under a prefix of {@link #PREFIXES} are not reported as unknown by {@link TurnoutSettings}.
 */
final class SideClusterSettings {

  /** The prefixes of side topics whose client settings are read by {@link #resolve}. */
  static final List<String> PREFIXES = List.of(TurnoutConfig.AUTHORITY_TOPIC_PREFIX,
      TurnoutConfig.STATUS_TOPIC_PREFIX);

  static final String CLUSTER = "cluster";

  /** Settings every Kafka client has: connection, security, timeouts, metrics. */
  private static final Set<String> SHARED = shared();
  /** Settings of any Kafka client. */
  private static final Set<String> ANY = any();

  private SideClusterSettings() {}

  private static Set<String> shared() {
    Set<String> keys = new TreeSet<>(AdminClientConfig.configNames());
    keys.retainAll(ProducerConfig.configNames());
    keys.retainAll(ConsumerConfig.configNames());
    keys.remove(CommonClientConfigs.CLIENT_ID_CONFIG);
    return Set.copyOf(keys);
  }

  private static Set<String> any() {
    Set<String> keys = new TreeSet<>(AdminClientConfig.configNames());
    keys.addAll(ProducerConfig.configNames());
    keys.addAll(ConsumerConfig.configNames());
    return Set.copyOf(keys);
  }

  /**
   * Whether {@code prefix} names a cluster: {@code <prefix>cluster} or {@code <prefix>bootstrap.servers} is set
   * in {@code raw} (the configuration as given, {@link TurnoutSettings#originals()}).
   */
  static boolean configured(Map<String, ?> raw, String prefix) {
    return present(raw.get(prefix + CLUSTER)) || present(raw.get(prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
  }

  private static boolean present(Object value) {
    return value != null && !value.toString().isBlank();
  }

  /** Whether {@code key} is a client setting of a side topic (under one of {@link #PREFIXES}). */
  static boolean isSideKey(String key) {
    for (String prefix : PREFIXES) {
      if (key.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The Kafka client settings of the side topic's cluster, without {@code client.id} (the caller derives one).
   *
   * @param prefix the key prefix, ending with a dot
   * @throws TurnoutConfigException when both or neither of {@code P cluster} and {@code P bootstrap.servers} are
   *     set, for an undeclared alias, and for a setting under the prefix that is not a Kafka client setting
   */
  static Map<String, Object> resolve(TurnoutSettings settings, String prefix) {
    return resolve(settings, settings.originals(), prefix);
  }

  /** {@link #resolve(TurnoutSettings, String)} over the configuration as given, {@code raw}. */
  static Map<String, Object> resolve(TurnoutSettings settings, Map<String, ?> raw, String prefix) {
    Map<String, Object> own = own(raw, prefix);
    Object alias = own.remove(CLUSTER);
    Object bootstrap = own.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    String aliasKey = prefix + CLUSTER;
    String bootstrapKey = prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    String topicKey = prefix.substring(0, prefix.length() - 1);
    if (alias != null && bootstrap != null) {
      throw TurnoutConfigException.invalid(aliasKey, alias, "set only one of " + aliasKey + " (an alias of "
          + TurnoutConfig.CLUSTERS + ") and " + bootstrapKey + " (a cluster of its own) for " + topicKey);
    }
    if (alias == null && bootstrap == null) {
      throw TurnoutConfigException.invalid(aliasKey, null, "name the cluster of " + topicKey + ": set " + aliasKey
          + " to one of " + TurnoutConfig.CLUSTERS + " " + settings.clusters + ", or " + bootstrapKey + " (with its "
          + "security settings under " + prefix + "<Kafka client setting>)");
    }
    if (alias != null) {
      return ofAlias(settings, prefix, alias.toString().trim(), own.keySet());
    }
    if (bootstrap.toString().isBlank()) {
      throw TurnoutConfigException.invalid(bootstrapKey, null, "must list the bootstrap servers of the cluster of "
          + topicKey + " (host:port,...)");
    }
    for (String setting : own.keySet()) {
      if (!ANY.contains(setting)) {
        String suggestion = closest(setting);
        throw TurnoutConfigException.invalid(prefix + setting, null, setting + " is not a Kafka client setting"
            + (suggestion == null ? "" : ": did you mean " + prefix + suggestion + "?") + " The cluster of " + topicKey
            + " is set by " + aliasKey + "=<alias>, or by " + bootstrapKey + " and " + prefix
            + "<Kafka client setting>");
      }
    }
    return own;
  }

  /** How messages name the side topic's cluster: its alias, or its bootstrap servers. Call after {@link #resolve}. */
  static String clusterName(TurnoutSettings settings, String prefix) {
    return clusterName(settings.originals(), prefix);
  }

  /** {@link #clusterName(TurnoutSettings, String)} over the configuration as given, {@code raw}. */
  static String clusterName(Map<String, ?> raw, String prefix) {
    Map<String, Object> own = own(raw, prefix);
    Object alias = own.get(CLUSTER);
    if (alias != null) {
      return alias.toString().trim();
    }
    return Redaction.maskUrlCredentials(String.valueOf(own.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)).trim());
  }

  /** The settings under the prefix, the prefix removed. */
  private static Map<String, Object> own(Map<String, ?> originals, String prefix) {
    Map<String, Object> own = new HashMap<>();
    originals.forEach((key, value) -> {
      if (key.startsWith(prefix) && key.length() > prefix.length() && value != null) {
        own.put(key.substring(prefix.length()), value);
      }
    });
    return own;
  }

  private static Map<String, Object> ofAlias(TurnoutSettings settings, String prefix, String alias,
      Set<String> others) {
    String aliasKey = prefix + CLUSTER;
    int index = settings.clusters.indexOf(alias);
    if (index < 0) {
      throw TurnoutConfigException.invalid(aliasKey, alias, "cluster '" + alias + "' is not declared in "
          + TurnoutConfig.CLUSTERS + " " + settings.clusters + ": name one of them, or set "
          + prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + " instead for a cluster of its own");
    }
    if (!others.isEmpty()) {
      String other = prefix + new TreeSet<>(others).first();
      throw TurnoutConfigException.invalid(other, null, "with " + aliasKey + " the client settings are those of "
          + "cluster '" + alias + "' (" + TurnoutConfig.CLUSTER_PREFIX + alias + ".*): remove " + other
          + ", or name a cluster of its own with " + prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }
    Map<String, Object> config = new HashMap<>();
    settings.clusterConfigs.get(index).forEach((key, value) -> {
      if (SHARED.contains(key)) {
        config.put(key, value);
      }
    });
    Object bootstrap = config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    if (bootstrap == null || bootstrap.toString().isBlank()) {
      throw TurnoutConfigException.invalid(aliasKey, alias, "cluster '" + alias + "' has no bootstrap servers (its "
          + "client is supplied to the builder): set " + TurnoutConfig.CLUSTER_PREFIX + alias + "."
          + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + ", or name a cluster of its own with " + prefix
          + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }
    return config;
  }

  private static String closest(String setting) {
    List<String> candidates = new ArrayList<>(ANY);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = TurnoutConfigDef.distance(setting, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, setting.length() / 4) ? best : null;
  }
}
