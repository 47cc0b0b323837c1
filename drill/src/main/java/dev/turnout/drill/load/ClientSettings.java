package dev.turnout.drill.load;

import dev.turnout.TurnoutConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The settings a drill gives its routing clients, the same for both drills. */
public final class ClientSettings {

  private static final String PRODUCER = "producer.";
  private static final String CONSUMER = "consumer.";

  private ClientSettings() {}

  /**
   * The settings every routing client of a drill needs, in a new modifiable map: both clusters (their settings
   * under {@code turnout.cluster.<alias>.}), the control topic on the source as the authority, the status topic on
   * the target (published every second) and {@code client.id}.
   */
  public static Map<String, Object> routing(String sourceAlias, Map<String, Object> source, String targetAlias,
      Map<String, Object> target, String controlTopic, String statusTopic, String clientId) {
    Map<String, Object> c = new HashMap<>();
    c.put(TurnoutConfig.CLUSTERS, sourceAlias + "," + targetAlias);
    source.forEach((k, v) -> c.put(TurnoutConfig.CLUSTER_PREFIX + sourceAlias + "." + k, v));
    target.forEach((k, v) -> c.put(TurnoutConfig.CLUSTER_PREFIX + targetAlias + "." + k, v));
    c.put(TurnoutConfig.AUTHORITY_TOPIC, controlTopic);
    c.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, sourceAlias);
    c.put(TurnoutConfig.STATUS_TOPIC, statusTopic);
    c.put(TurnoutConfig.STATUS_TOPIC_CLUSTER, targetAlias);
    c.put(TurnoutConfig.STATUS_INTERVAL_MS, 1000);
    c.put("client.id", clientId);
    return c;
  }

  /**
   * Adds a drill producer's settings: {@code acks=all}, a short linger, sends that block 10 s at most, who
   * reconciles after a rollback and how long a rollback may pause (a step, 5 s at least); then the client
   * properties for producers ({@link #forKind}).
   */
  public static <V> void producer(Map<String, Object> config, boolean autoReconcile, Duration step,
      Map<String, V> clientProperties) {
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.put(TurnoutConfig.ROLLBACK_RECONCILE, autoReconcile ? "auto" : "manual");
    config.put(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, Math.max(5_000, step.toMillis()));
    config.putAll(forKind(clientProperties, PRODUCER));
  }

  /**
   * Adds the settings of a member of a drill's consumer group: the group, manual commits from the earliest
   * offset, metadata refreshed every 500 ms; then the client properties for consumers ({@link #forKind}).
   */
  public static <V> void consumer(Map<String, Object> config, String group, Map<String, V> clientProperties) {
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
    config.putAll(forKind(clientProperties, CONSUMER));
  }

  /**
   * The client properties for one kind of client: unprefixed keys, and the keys with {@code prefix}
   * ({@code producer.} or {@code consumer.}), without it.
   */
  static <V> Map<String, V> forKind(Map<String, V> clientProperties, String prefix) {
    Map<String, V> out = new HashMap<>();
    clientProperties.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      } else if (!k.startsWith(PRODUCER) && !k.startsWith(CONSUMER)) {
        out.put(k, v);
      }
    });
    return out;
  }
}
