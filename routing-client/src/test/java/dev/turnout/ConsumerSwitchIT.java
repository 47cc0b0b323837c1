package dev.turnout;

import static dev.turnout.ConsumerTestSupport.committed;
import static dev.turnout.ConsumerTestSupport.consumerConfig;
import static dev.turnout.ConsumerTestSupport.count;
import static dev.turnout.ConsumerTestSupport.metric;
import static dev.turnout.ConsumerTestSupport.producer;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.internal.consumer.CommitStamp;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evidence for the consumer switch: MirrorMaker 2 replicates with about a second of lag; a plain producer
 * writes keyed sequences to the source; three RoutingConsumer members process and commit; mid-stream the read
 * authority moves to the target, and one member learns of it three seconds after the others.
 */
@TwoKafkaClusters
class ConsumerSwitchIT {

  private static final Logger LOG = LoggerFactory.getLogger(ConsumerSwitchIT.class);
  private static final String TOPIC = "orders";
  private static final String GROUP = "switch-group";
  private static final int PARTITIONS = 3;
  private static final int KEYS = 30;
  private static final int TOTAL = 3000;
  private static final int MEMBERS = 3;

  @TempDir
  Path dir;

  private record Delivery(int member, int partition, long offset, String value, String cluster, long nanos) {}

  private record Event(int member, String kind, Set<Integer> partitions, long nanos) {}

  @Test
  void aGroupOfThreeMovesToTheTargetProcessingEveryRecordExactlyOnce(TwoClusters clusters) throws Exception {
    KafkaTestCluster source = clusters.source();
    KafkaTestCluster target = clusters.target();
    clusters.createTopic(TOPIC, PARTITIONS);
    Path fileA = dir.resolve("authority-a.properties");
    Path fileB = dir.resolve("authority-b.properties");
    String mirror = "epoch=1\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\nrule.orders.state=MIRROR\n";
    String moved = "epoch=2\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\nrule.orders.state=TARGET_AUTHORITY\n";
    writeDocument(fileA, mirror);
    writeDocument(fileB, mirror);

    List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    List<Event> events = new CopyOnWriteArrayList<>();
    Map<String, Integer> times = new ConcurrentHashMap<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Map<String, Object>> finalMetrics = new CopyOnWriteArrayList<>();

    try (InProcessMirrorMaker mm2 = InProcessMirrorMaker.builder(clusters).aliases("onprem", "cloud").topics(TOPIC)
        .groups(GROUP).replicationLagMillis(1000).start()) {
      assertThat(mm2.connectorState("MirrorSourceConnector")).isEqualTo("RUNNING");
      List<Thread> members = new ArrayList<>();
      for (int m = 0; m < MEMBERS; m++) {
        int member = m;
        Map<String, Object> config = consumerConfig(source, target, member < 2 ? fileA : fileB, GROUP);
        config.put(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, "mirrormaker2");
        config.put(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, 20_000);
        config.put("client.id", "member-" + member);
        Thread t = new Thread(() -> runMember(member, config, deliveries, events, times, failures, stop, finalMetrics),
            "member-" + member);
        t.start();
        members.add(t);
      }

      AtomicReference<Throwable> producerFailure = new AtomicReference<>();
      List<String> produced = new CopyOnWriteArrayList<>();
      Thread writer = new Thread(() -> {
        try (KafkaProducer<String, String> producer = producer(source)) {
          for (int seq = 0; seq < TOTAL; seq++) {
            String key = "k" + (seq % KEYS);
            String value = key + ":" + (seq / KEYS);
            producer.send(new ProducerRecord<>(TOPIC, key, value), (md, e) -> {
              if (e != null) {
                producerFailure.set(e);
              }
            });
            produced.add(value);
            Thread.sleep(4);
          }
          producer.flush();
        } catch (Throwable e) {
          producerFailure.set(e);
        }
      }, "writer");
      writer.start();

      await(() -> times.size() >= TOTAL / 3, Duration.ofSeconds(60), "a third of the records processed on the source");
      long flipNanos = System.nanoTime();
      writeDocument(fileA, moved);
      LOG.info("Flipped the authority of members 0 and 1 at {} processed records", times.size());
      Thread.sleep(3000);
      writeDocument(fileB, moved);
      LOG.info("Flipped the authority of member 2");

      // What a consumer relying on MirrorMaker alone would have used once every partition was read from the target.
      await(() -> resumedOnTarget(target) == PARTITIONS, Duration.ofSeconds(30), "every partition resumed on the target");
      Map<TopicPartition, OffsetAndMetadata> handovers = committed(source, GROUP);
      Map<TopicPartition, OffsetAndMetadata> mm2AtSwitch = translate(target);
      assertThat(handovers).hasSize(PARTITIONS);

      writer.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(producerFailure.get()).isNull();
      await(() -> times.size() >= TOTAL, Duration.ofSeconds(60), "every record processed");
      Map<TopicPartition, Long> ends = endOffsets(target);
      await(() -> committedOnTarget(target).equals(ends), Duration.ofSeconds(30), "the group's commits on the target "
          + "reach its log end " + ends);
      Map<TopicPartition, OffsetAndMetadata> mm2Settled = translate(target);
      stop.set(true);
      for (Thread t : members) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
      assertThat(failures).isEmpty();

      // Every produced record processed, none twice.
      assertThat(produced).hasSize(TOTAL);
      assertThat(times.keySet()).containsExactlyInAnyOrderElementsOf(produced);
      Map<String, Integer> twice = times.entrySet().stream().filter(e -> e.getValue() > 1)
          .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
      assertThat(twice).as("records processed more than once").isEmpty();
      assertThat(deliveries).hasSize(TOTAL);

      // No partition consumed on both clusters at once, and the records from the target follow those from the source.
      Map<Integer, String> gaps = new TreeMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        int partition = p;
        long lastSource = deliveries.stream().filter(d -> d.partition == partition && d.cluster.equals("onprem"))
            .mapToLong(Delivery::nanos).max().orElseThrow();
        long firstTarget = deliveries.stream().filter(d -> d.partition == partition && d.cluster.equals("cloud"))
            .mapToLong(Delivery::nanos).min().orElseThrow();
        assertThat(lastSource).as("partition %d: last delivery from the source before the first from the target", p)
            .isLessThan(firstTarget);
        gaps.put(p, "last source delivery +" + millis(lastSource - flipNanos) + " ms, first target delivery +"
            + millis(firstTarget - flipNanos) + " ms after the flip");
      }

      // The member that learns of the new epoch three seconds late stops reading the source as soon as the group's
      // commits show that the others moved (fence checks every refresh interval), not when its own map changes.
      long laggardLastSource = deliveries.stream().filter(d -> d.member == 2 && d.cluster.equals("onprem"))
          .mapToLong(Delivery::nanos).max().orElse(flipNanos);
      assertThat(millis(laggardLastSource - flipNanos)).as("member 2's last delivery from the source, after the flip")
          .isLessThan(2000);

      // Listeners: per member, assign and revoke alternate; across members, a partition is never held twice at once.
      assertOwnershipNeverOverlaps(events);

      // The comparison with MirrorMaker's translation alone.
      long atSwitch = 0;
      long settled = 0;
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : handovers.entrySet()) {
        TopicPartition tp = e.getKey();
        long handover = e.getValue().offset();
        assertThat(valueAt(source, tp, handover - 1)).as("MirrorMaker keeps offsets here, so boundary = last position")
            .isEqualTo(valueAt(target, tp, handover - 1));
        atSwitch += Math.max(0, handover - offsetOr(mm2AtSwitch, tp, 0));
        settled += Math.max(0, handover - offsetOr(mm2Settled, tp, 0));
      }
      long avoided = finalMetrics.stream().mapToLong(m -> (Long) m.get("duplicates-avoided-total")).sum();
      long verified = finalMetrics.stream().mapToLong(m -> (Long) m.get("verified")).sum();
      LOG.info("RESULT: {} records, {} processed once, none twice; last commits on the source {}; MirrorMaker translation once all resumed {}"
          + " -> {} duplicate(s) if trusted; settled translation {} -> {}; duplicates avoided by the members' boundary "
          + "searches (translation at their resolution vs verified boundary): {}; verified boundaries: {}; {}; member "
          + "metrics {}; member 2 (map 3 s late) last read the source {} ms after the flip", TOTAL, times.size(),
          offsetsOf(handovers), offsetsOf(mm2AtSwitch), atSwitch, offsetsOf(mm2Settled), settled, avoided, verified, gaps,
          finalMetrics, millis(laggardLastSource - flipNanos));
      assertThat(verified).as("every partition's boundary verified").isGreaterThanOrEqualTo(PARTITIONS);
      assertThat(avoided).as("MirrorMaker's translation lagged the handover: trusting it would have duplicated")
          .isPositive();
      assertThat(atSwitch).isPositive();
    }
  }

  private void runMember(int member, Map<String, Object> config, List<Delivery> deliveries, List<Event> events,
      Map<String, Integer> times, List<Throwable> failures, AtomicBoolean stop, List<Map<String, Object>> finalMetrics) {
    Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          events.add(new Event(member, "revoked", numbers(partitions), System.nanoTime()));
          Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
          partitions.forEach(tp -> {
            if (processed.containsKey(tp)) {
              toCommit.put(tp, processed.get(tp));
            }
          });
          if (!toCommit.isEmpty()) {
            consumer.commitSync(toCommit);
          }
          processed.keySet().removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          events.add(new Event(member, "assigned", numbers(partitions), System.nanoTime()));
        }
      });
      while (!stop.get()) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
        String cluster = consumer.readCluster(TOPIC);
        long now = System.nanoTime();
        for (ConsumerRecord<String, String> r : records) {
          deliveries.add(new Delivery(member, r.partition(), r.offset(), r.value(), cluster, now));
          times.merge(r.value(), 1, Integer::sum);
          processed.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        if (!records.isEmpty()) {
          try {
            consumer.commitSync(new HashMap<>(processed));
          } catch (KafkaException e) {
            LOG.info("member {}: commit failed ({}); the revocation callback commits again", member, e.toString());
          }
        }
      }
      Map<String, Object> m = new HashMap<>();
      m.put("member", member);
      m.put("duplicates-avoided-total", count(consumer, "duplicates-avoided-total", Map.of()));
      m.put("verified", count(consumer, "boundary-verifications-total", Map.of("outcome", "verified")));
      m.put("switch-duration-ms-max", metric(consumer, "switch-duration-ms-max", Map.of()));
      m.put("switch-duration-ms-avg", metric(consumer, "switch-duration-ms-avg", Map.of()));
      m.put("read-switches-total", count(consumer, "read-switches-total", Map.of()));
      finalMetrics.add(m);
    } catch (Throwable e) {
      LOG.error("member {} failed", member, e);
      failures.add(e);
    }
  }

  private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet());
  }

  private static void assertOwnershipNeverOverlaps(List<Event> events) {
    Map<Integer, Integer> holder = new HashMap<>();
    for (Event e : events.stream().sorted((a, b) -> Long.compare(a.nanos, b.nanos)).toList()) {
      for (int p : e.partitions) {
        if (e.kind.equals("assigned")) {
          assertThat(holder.get(p)).as("partition %d assigned to member %d while member %s holds it", p, e.member,
              holder.get(p)).isNull();
          holder.put(p, e.member);
        } else {
          assertThat(holder.get(p)).as("partition %d revoked from member %d", p, e.member).isEqualTo(e.member);
          holder.remove(p);
        }
      }
    }
  }

  /** Partitions the group committed on the target under epoch 2 (each was resumed there at a verified boundary). */
  private static long resumedOnTarget(KafkaTestCluster target) throws Exception {
    return committed(target, GROUP).values().stream().filter(o -> CommitStamp.parse(o.metadata()).epoch() == 2).count();
  }

  private static Map<TopicPartition, OffsetAndMetadata> translate(KafkaTestCluster target) throws Exception {
    Map<String, Object> config = new HashMap<>(target.clientConfig());
    config.put("replication.policy.class", "org.apache.kafka.connect.mirror.IdentityReplicationPolicy");
    return RemoteClusterUtils.translateOffsets(config, "onprem", GROUP, Duration.ofSeconds(10));
  }

  private static Map<TopicPartition, Long> committedOnTarget(KafkaTestCluster target) throws Exception {
    Map<TopicPartition, Long> out = new HashMap<>();
    committed(target, GROUP).forEach((tp, o) -> out.put(tp, o.offset()));
    return out;
  }

  private static Map<TopicPartition, Long> endOffsets(KafkaTestCluster cluster) throws Exception {
    Map<TopicPartition, Long> out = new HashMap<>();
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(readerConfig(cluster))) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        tps.add(new TopicPartition(TOPIC, p));
      }
      consumer.endOffsets(tps).forEach(out::put);
    }
    return out;
  }

  private static String valueAt(KafkaTestCluster cluster, TopicPartition tp, long offset) {
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(readerConfig(cluster))) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, offset);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() == offset) {
            return r.value();
          }
        }
      }
      throw new AssertionError("no record at " + tp + "@" + offset + " on " + cluster.name());
    }
  }

  private static Map<String, Object> readerConfig(KafkaTestCluster cluster) {
    Map<String, Object> config = cluster.clientConfig();
    config.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
    config.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
    return config;
  }

  private static long offsetOr(Map<TopicPartition, OffsetAndMetadata> offsets, TopicPartition tp, long otherwise) {
    OffsetAndMetadata o = offsets.get(tp);
    return o == null ? otherwise : o.offset();
  }

  private static Map<Integer, Long> offsetsOf(Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<Integer, Long> out = new TreeMap<>();
    offsets.forEach((tp, o) -> out.put(tp.partition(), o.offset()));
    return out;
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  @FunctionalInterface
  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(Condition condition, Duration timeout, String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(100);
    }
  }
}
