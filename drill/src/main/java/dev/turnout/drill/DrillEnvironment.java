package dev.turnout.drill;

import dev.turnout.TurnoutConfig;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The drill's clusters and the routing clients' settings: two embedded clusters ({@code source} and
 * {@code target}), MirrorMaker 2 replicating the drill's topic from source to target, the keyed topic on both,
 * the compacted control topic on the source and the compacted status topic on the target.
 */
final class DrillEnvironment implements AutoCloseable {

  static final String SOURCE = "source";
  static final String TARGET = "target";
  static final String TOPIC = "drill-orders";
  static final String CONTROL_TOPIC = "turnout-authority";
  static final String STATUS_TOPIC = "turnout-status";
  static final String GROUP = "drill-group";

  private final TwoClusters clusters;
  private InProcessMirrorMaker mirror;

  private DrillEnvironment(TwoClusters clusters) {
    this.clusters = clusters;
  }

  /** Starts the clusters and creates the topics; {@link #startMirror(long)} starts replication. */
  static DrillEnvironment start(int partitions) throws Exception {
    DrillEnvironment env = new DrillEnvironment(TwoClusters.start());
    try {
      env.clusters.createTopic(TOPIC, partitions);
      compacted(env.clusters.source(), CONTROL_TOPIC);
      compacted(env.clusters.target(), STATUS_TOPIC);
      return env;
    } catch (Exception | Error e) {
      env.close();
      throw e;
    }
  }

  private static void compacted(KafkaTestCluster cluster, String topic) throws Exception {
    cluster.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
  }

  /** Starts MirrorMaker 2 for the drill's topic, with {@code lagMillis} of added lag. */
  void startMirror(long lagMillis) {
    mirror = InProcessMirrorMaker.builder(clusters).topics(TOPIC).groups(GROUP).replicationLagMillis(lagMillis)
        .start();
  }

  Map<String, Object> sourceConfig() {
    return clusters.source().clientConfig();
  }

  Map<String, Object> targetConfig() {
    return clusters.target().clientConfig();
  }

  private Map<String, Object> common(String service, String clientId, Map<String, String> extra) {
    Map<String, Object> c = new HashMap<>();
    c.put(TurnoutConfig.CLUSTERS, SOURCE + "," + TARGET);
    c.put("turnout.cluster." + SOURCE + ".bootstrap.servers", clusters.source().bootstrapServers());
    c.put("turnout.cluster." + TARGET + ".bootstrap.servers", clusters.target().bootstrapServers());
    c.put(TurnoutConfig.AUTHORITY_TOPIC, CONTROL_TOPIC);
    c.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, SOURCE);
    c.put(TurnoutConfig.STATUS_TOPIC, STATUS_TOPIC);
    c.put(TurnoutConfig.STATUS_TOPIC_CLUSTER, TARGET);
    c.put(TurnoutConfig.STATUS_INTERVAL_MS, 1000);
    c.put(TurnoutConfig.SERVICE_NAME, service);
    c.put("client.id", clientId);
    c.putAll(extra);
    return c;
  }

  /** The settings of producer {@code index}. */
  List<Map<String, Object>> producerConfigs(DrillOptions o) {
    List<Map<String, Object>> configs = new ArrayList<>();
    for (int i = 0; i < o.producers(); i++) {
      Map<String, Object> c = common("drill-producer", "drill-producer-" + i, Map.of());
      c.put("key.serializer", StringSerializer.class.getName());
      c.put("value.serializer", StringSerializer.class.getName());
      c.put("acks", "all");
      c.put("linger.ms", 5);
      c.put("max.block.ms", 10_000);
      c.put(TurnoutConfig.ROLLBACK_RECONCILE, o.reconcile() == ReconcileMode.AUTO ? "auto" : "manual");
      c.put(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, Math.max(5_000, o.phase().toMillis()));
      c.putAll(properties(o, "producer."));
      configs.add(c);
    }
    return configs;
  }

  /**
   * The {@code --client-property} settings for one kind of client: unprefixed keys, and the keys with
   * {@code prefix} ({@code producer.} or {@code consumer.}), without it.
   */
  private static Map<String, String> properties(DrillOptions o, String prefix) {
    Map<String, String> out = new HashMap<>();
    o.clientProperties().forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      } else if (!k.startsWith("producer.") && !k.startsWith("consumer.")) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** The settings of each member of the consumer group. */
  List<Map<String, Object>> consumerConfigs(DrillOptions o) {
    List<Map<String, Object>> configs = new ArrayList<>();
    for (int i = 0; i < o.consumers(); i++) {
      Map<String, Object> c = common("drill-consumer", "drill-consumer-" + i, Map.of());
      c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      c.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
      c.putAll(properties(o, "consumer."));
      configs.add(c);
    }
    return configs;
  }

  @Override
  public void close() {
    try {
      if (mirror != null) {
        mirror.close();
      }
    } finally {
      clusters.close();
    }
  }
}
