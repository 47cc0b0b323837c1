package dev.turnout.drill;

import dev.turnout.TurnoutConfig;
import dev.turnout.drill.load.ClientSettings;
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

  private Map<String, Object> common(String service, String clientId) {
    Map<String, Object> c = ClientSettings.routing(SOURCE, source, TARGET, target, controlTopic, statusTopic,
        clientId);
    c.put(TurnoutConfig.SERVICE_NAME, service);
    return c;
  }

  /** The settings of producer {@code index}. */
  List<Map<String, Object>> producerConfigs(DrillOptions o) {
    List<Map<String, Object>> configs = new ArrayList<>();
    for (int i = 0; i < o.producers(); i++) {
      Map<String, Object> c = common("drill-producer", "drill-producer-" + i);
      c.put("key.serializer", StringSerializer.class.getName());
      c.put("value.serializer", StringSerializer.class.getName());
      ClientSettings.producer(c, o.reconcile() == ReconcileMode.AUTO, o.phase(), o.clientProperties());
      configs.add(c);
    }
    return configs;
  }

  /** The settings of each member of the consumer group. */
  List<Map<String, Object>> consumerConfigs(DrillOptions o) {
    List<Map<String, Object>> configs = new ArrayList<>();
    for (int i = 0; i < o.consumers(); i++) {
      Map<String, Object> c = common("drill-consumer", "drill-consumer-" + i);
      c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      ClientSettings.consumer(c, group, o.clientProperties());
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
