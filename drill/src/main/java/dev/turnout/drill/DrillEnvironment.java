package dev.turnout.drill;

import dev.turnout.TurnoutConfig;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import java.io.PrintWriter;
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
 * The drill's clusters and the routing clients' settings. Embedded ({@link #embedded}): two clusters
 * ({@code source} and {@code target}) started in this JVM, the keyed topic on both, the compacted control topic on
 * the source and the compacted status topic on the target, and MirrorMaker 2 replicating the keyed topic. External
 * ({@link #external}): the operator's clusters and replication, prepared and checked by {@link ExternalClusters};
 * the run's evidence starts at the keyed topic's end offsets taken before the load.
 */
final class DrillEnvironment implements AutoCloseable {

  static final String SOURCE = "source";
  static final String TARGET = "target";
  static final String GROUP = "drill-group";

  private final String topic;
  private final String controlTopic;
  private final String statusTopic;
  private final String group;
  private final Map<String, Object> source;
  private final Map<String, Object> target;
  private final TwoClusters clusters;
  private final Map<String, Map<Integer, Long>> startOffsets;
  private final long epochBase;
  private InProcessMirrorMaker mirror;

  private DrillEnvironment(DrillOptions o, String group, Map<String, Object> source, Map<String, Object> target,
      TwoClusters clusters, Map<String, Map<Integer, Long>> startOffsets, long epochBase) {
    this.topic = o.topic();
    this.controlTopic = o.controlTopic();
    this.statusTopic = o.statusTopic();
    this.group = group;
    this.source = Map.copyOf(source);
    this.target = Map.copyOf(target);
    this.clusters = clusters;
    this.startOffsets = startOffsets;
    this.epochBase = epochBase;
  }

  /** Starts two embedded clusters, creates the topics and starts MirrorMaker 2 for the keyed topic. */
  static DrillEnvironment embedded(DrillOptions o) throws Exception {
    TwoClusters clusters = TwoClusters.start();
    DrillEnvironment env = new DrillEnvironment(o, GROUP, clusters.source().clientConfig(),
        clusters.target().clientConfig(), clusters, Map.of(), 0);
    try {
      clusters.createTopic(o.topic(), o.partitions());
      compacted(clusters.source(), o.controlTopic());
      compacted(clusters.target(), o.statusTopic());
      env.mirror = InProcessMirrorMaker.builder(clusters).topics(o.topic()).groups(GROUP)
          .replicationLagMillis(o.replicationLagMillis()).start();
      return env;
    } catch (Exception | Error e) {
      env.close();
      throw e;
    }
  }

  /**
   * The operator's clusters: creates the topics that are absent, checks those that exist and the replication of
   * the keyed topic, and positions the run's consumer group (a new one per run) at the keyed topic's end on
   * both clusters (unstamped commits: a partition the group never committed during the run starts there on either
   * cluster, not at an earlier run's records).
   *
   * @throws SetupException when a cluster, a topic or the replication is not as the drill needs it
   */
  static DrillEnvironment external(DrillOptions o, PrintWriter out) throws Exception {
    Map<String, Object> source = new HashMap<>(o.external().sourceSettings());
    Map<String, Object> target = new HashMap<>(o.external().targetSettings());
    String group = GROUP + "-" + System.currentTimeMillis();
    ExternalClusters.Prepared p = ExternalClusters.prepare(o, source, target, out);
    ExternalClusters.positionGroup(source, group, o.topic(), p.startOffsets().get(SOURCE));
    ExternalClusters.positionGroup(target, group, o.topic(), p.startOffsets().get(TARGET));
    String validation = group + TurnoutConfig.VALIDATION_GROUP_SUFFIX;
    ExternalClusters.positionGroup(source, validation, o.topic(), p.startOffsets().get(SOURCE));
    ExternalClusters.positionGroup(target, validation, o.topic(), p.startOffsets().get(TARGET));
    return new DrillEnvironment(o, group, source, target, null, p.startOffsets(), p.epochBase());
  }

  private static void compacted(KafkaTestCluster cluster, String topic) throws Exception {
    cluster.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
  }

  /** Whether the clusters are the operator's. */
  boolean external() {
    return clusters == null;
  }

  String topic() {
    return topic;
  }

  String controlTopic() {
    return controlTopic;
  }

  /** The consumer group of the run. */
  String group() {
    return group;
  }

  String statusTopic() {
    return statusTopic;
  }

  /** The highest epoch on the control topic before the run (0 on a new one): the run's epochs follow it. */
  long epochBase() {
    return epochBase;
  }

  /** Whether a record of the keyed topic on {@code cluster} was written before the run (an earlier one's). */
  boolean beforeRun(String cluster, int partition, long offset) {
    return offset < startOffsets.getOrDefault(cluster, Map.of()).getOrDefault(partition, 0L);
  }

  Map<String, Object> sourceConfig() {
    return new HashMap<>(source);
  }

  Map<String, Object> targetConfig() {
    return new HashMap<>(target);
  }

  private Map<String, Object> common(String service, String clientId, Map<String, String> extra) {
    Map<String, Object> c = new HashMap<>();
    c.put(TurnoutConfig.CLUSTERS, SOURCE + "," + TARGET);
    source.forEach((k, v) -> c.put(TurnoutConfig.CLUSTER_PREFIX + SOURCE + "." + k, v));
    target.forEach((k, v) -> c.put(TurnoutConfig.CLUSTER_PREFIX + TARGET + "." + k, v));
    c.put(TurnoutConfig.AUTHORITY_TOPIC, controlTopic);
    c.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, SOURCE);
    c.put(TurnoutConfig.STATUS_TOPIC, statusTopic);
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
      c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
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
      if (clusters != null) {
        clusters.close();
      }
    }
  }
}
