package dev.turnout.drill;

import dev.turnout.drill.plan.Documents;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Prepares the operator's clusters for a drill: both reachable; the keyed topic on both (created with
 * {@code --partitions} when absent, refused when it has another partition count), the compacted control topic on
 * the source and status topic on the target (created when absent); the keyed topic holds nothing but earlier
 * replication probes (never an earlier run's records); records written to the source topic appear on
 * the target within {@code --replication-timeout} (the operator's replication); then the keyed topic's end offsets
 * on both (the run's evidence starts there) and the control topic's last epoch (the run's epochs follow it).
 */
final class ExternalClusters {

  private static final Duration REQUEST = Duration.ofSeconds(30);
  private static final String PROBE_KEY = "turnout-drill-probe";
  private static final long SCAN_LIMIT = 10_000;

  private ExternalClusters() {}

  /**
   * @param startOffsets per cluster alias, the keyed topic's end offset of each partition before the run
   * @param epochBase the epoch of the control topic's last document, 0 when it has none
   */
  record Prepared(Map<String, Map<Integer, Long>> startOffsets, long epochBase) {}

  static Prepared prepare(DrillOptions o, Map<String, Object> source, Map<String, Object> target, PrintWriter out)
      throws Exception {
    String topic = o.topic();
    try (Admin src = admin(source); Admin tgt = admin(target)) {
      reachable(src, DrillEnvironment.SOURCE, source, "--source-bootstrap/--source-config");
      reachable(tgt, DrillEnvironment.TARGET, target, "--target-bootstrap/--target-config");
      keyed(src, DrillEnvironment.SOURCE, topic, o.partitions());
      keyed(tgt, DrillEnvironment.TARGET, topic, o.partitions());
      compacted(src, DrillEnvironment.SOURCE, o.controlTopic());
      compacted(tgt, DrillEnvironment.TARGET, o.statusTopic());
    }
    unused(source, DrillEnvironment.SOURCE, o);
    unused(target, DrillEnvironment.TARGET, o);
    out.println("Topics ready: " + topic + " (" + o.partitions() + " partitions) on both, " + o.controlTopic()
        + " on the source, " + o.statusTopic() + " on the target; checking that the source's " + topic
        + " reaches the target...");
    Duration took = awaitReplication(source, target, topic, o.partitions(), o.external().replicationTimeout());
    out.println("Replication of " + topic + " checked: a record written to the source appeared on the target in "
        + took.toMillis() + " ms");
    Map<String, Map<Integer, Long>> start = new HashMap<>();
    start.put(DrillEnvironment.SOURCE, endOffsets(source, topic));
    start.put(DrillEnvironment.TARGET, endOffsets(target, topic));
    return new Prepared(start, lastEpoch(source, o.controlTopic()));
  }

  private static Admin admin(Map<String, Object> config) {
    Map<String, Object> c = new HashMap<>();
    config.forEach((k, v) -> {
      if (AdminClientConfig.configNames().contains(k)) {
        c.put(k, v);
      }
    });
    c.put(AdminClientConfig.CLIENT_ID_CONFIG, "turnout-drill-admin");
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REQUEST.toMillis());
    return Admin.create(c);
  }

  private static void reachable(Admin admin, String alias, Map<String, Object> config, String options)
      throws InterruptedException {
    try {
      admin.describeCluster().clusterId().get(REQUEST.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new SetupException("cannot reach the " + alias + " cluster " + config.get("bootstrap.servers")
          + " within " + REQUEST.toSeconds() + " s (" + cause(e) + "): check " + options, e);
    }
  }

  /** Creates the keyed topic, or checks that the one there has the drill's partition count. */
  private static void keyed(Admin admin, String alias, String topic, int partitions) throws Exception {
    Optional<Integer> existing = partitions(admin, topic);
    if (existing.isEmpty()) {
      create(admin, alias, new NewTopic(topic, Optional.of(partitions), Optional.empty()));
    } else if (existing.get() != partitions) {
      throw new SetupException("topic " + topic + " exists on the " + alias + " cluster with " + existing.get()
          + " partitions, the drill runs with --partitions " + partitions + ": pass --partitions "
          + existing.get() + ", or another --topic");
    }
  }

  private static void compacted(Admin admin, String alias, String topic) throws Exception {
    if (partitions(admin, topic).isEmpty()) {
      create(admin, alias, new NewTopic(topic, Optional.of(1), Optional.empty())
          .configs(Map.of("cleanup.policy", "compact")));
    }
  }

  private static Optional<Integer> partitions(Admin admin, String topic) throws Exception {
    try {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(REQUEST.toSeconds(),
          TimeUnit.SECONDS).get(topic);
      return Optional.of(d.partitions().size());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static void create(Admin admin, String alias, NewTopic topic) throws Exception {
    try {
      admin.createTopics(List.of(topic)).all().get(REQUEST.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new SetupException("cannot create topic " + topic.name() + " on the " + alias + " cluster ("
            + cause(e) + "): create it with " + topic.numPartitions() + " partition(s), or grant the drill's "
            + "principal CREATE on it", e);
      }
    }
  }

  /**
   * Refuses a keyed topic holding records other than the drill's replication probes (an earlier run's, or another
   * writer's): the invariants judge every record of the run by the plan's documents, and a switching consumer
   * would meet the earlier records. Reads at most {@link #SCAN_LIMIT} records per cluster.
   */
  private static void unused(Map<String, Object> config, String alias, DrillOptions o) {
    String topic = o.topic();
    long foreign = 0;
    try (KafkaConsumer<String, String> c = consumer(config, "turnout-drill-topic-check")) {
      List<TopicPartition> tps = c.partitionsFor(topic, REQUEST).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> start = c.beginningOffsets(tps, REQUEST);
      Map<TopicPartition, Long> end = c.endOffsets(tps, REQUEST);
      long total = tps.stream().mapToLong(tp -> end.get(tp) - start.get(tp)).sum();
      if (total > SCAN_LIMIT) {
        foreign = total;
      } else {
        long deadline = System.nanoTime() + REQUEST.toNanos();
        while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
            if (!PROBE_KEY.equals(r.key())) {
              foreign++;
            }
          }
        }
      }
    }
    if (foreign > 0) {
      throw new SetupException("topic " + topic + " on the " + alias + " cluster holds " + foreign + " record(s) "
          + "that are not the drill's replication probes (an earlier drill's, or another writer's): the drill "
          + "judges every record of its topic by its own plan; delete " + topic + ", " + o.controlTopic() + " and "
          + o.statusTopic() + " on both clusters, or pass another --topic");
    }
  }

  /**
   * Writes one record to each partition of the source topic and waits until all of them appear in the target's
   * topic; returns how long that took.
   *
   * @throws SetupException when they do not within {@code timeout}
   */
  static Duration awaitReplication(Map<String, Object> source, Map<String, Object> target, String topic,
      int partitions, Duration timeout) throws Exception {
    long started = System.nanoTime();
    try (KafkaConsumer<String, String> reader = consumer(target, "turnout-drill-probe-reader")) {
      List<TopicPartition> tps = java.util.stream.IntStream.range(0, partitions)
          .mapToObj(p -> new TopicPartition(topic, p)).toList();
      reader.assign(tps);
      reader.seekToEnd(tps);
      tps.forEach(reader::position);
      Set<String> awaited = new HashSet<>();
      Map<String, Object> pc = new HashMap<>(source);
      pc.put(ProducerConfig.ACKS_CONFIG, "all");
      pc.put(ProducerConfig.CLIENT_ID_CONFIG, "turnout-drill-probe");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(pc, new StringSerializer(),
          new StringSerializer())) {
        String run = UUID.randomUUID().toString();
        for (int p = 0; p < partitions; p++) {
          String value = "probe " + run + " " + p;
          producer.send(new ProducerRecord<>(topic, p, PROBE_KEY, value)).get(REQUEST.toSeconds(), TimeUnit.SECONDS);
          awaited.add(value);
        }
      }
      long deadline = started + timeout.toNanos();
      while (!awaited.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
          awaited.remove(r.value());
        }
      }
      if (!awaited.isEmpty()) {
        throw new SetupException("records written to topic " + topic + " on the source cluster ("
            + source.get("bootstrap.servers") + ") did not appear in topic " + topic + " on the target cluster ("
            + target.get("bootstrap.servers") + ") within " + timeout.toSeconds() + " s: the drill runs against "
            + "the replication you run; configure MirrorMaker 2 (or your link) to replicate " + topic
            + " from the source to the target under the same name (MirrorMaker 2: topics=" + topic
            + ", replication.policy.class=org.apache.kafka.connect.mirror.IdentityReplicationPolicy), "
            + "or raise --replication-timeout");
      }
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  private static KafkaConsumer<String, String> consumer(Map<String, Object> config, String clientId) {
    Map<String, Object> c = new HashMap<>(config);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
  }

  private static Map<Integer, Long> endOffsets(Map<String, Object> config, String topic) {
    try (KafkaConsumer<String, String> c = consumer(config, "turnout-drill-offsets")) {
      List<TopicPartition> tps = c.partitionsFor(topic, REQUEST).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      Map<Integer, Long> out = new HashMap<>();
      c.endOffsets(tps, REQUEST).forEach((tp, offset) -> out.put(tp.partition(), offset));
      return out;
    }
  }

  /** The epoch of the last document on the control topic (every partition's last record), 0 without one. */
  private static long lastEpoch(Map<String, Object> config, String controlTopic) {
    long epoch = 0;
    try (KafkaConsumer<String, String> c = consumer(config, "turnout-drill-control-reader")) {
      List<TopicPartition> tps = c.partitionsFor(controlTopic, REQUEST).stream()
          .map(p -> new TopicPartition(controlTopic, p.partition())).toList();
      c.assign(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps, REQUEST);
      for (TopicPartition tp : tps) {
        if (end.get(tp) > 0) {
          c.seek(tp, end.get(tp) - 1);
        } else {
          c.pause(List.of(tp));
        }
      }
      long deadline = System.nanoTime() + REQUEST.toNanos();
      while (tps.stream().anyMatch(tp -> end.get(tp) > 0 && c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          epoch = Math.max(epoch, Documents.epochOf(r.value()));
        }
      }
    }
    return epoch;
  }

  /** Commits the group's offsets of the keyed topic at {@code offsets} on the cluster it reads first. */
  static void positionGroup(Map<String, Object> config, String group, String topic, Map<Integer, Long> offsets)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    offsets.forEach((p, o) -> commits.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
    try (Admin admin = admin(config)) {
      admin.alterConsumerGroupOffsets(group, commits).all().get(REQUEST.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static String cause(Exception e) {
    Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
  }
}
