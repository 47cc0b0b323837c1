package dev.turnout;

import static dev.turnout.ConsumerTestSupport.committed;
import static dev.turnout.ConsumerTestSupport.consumerConfig;
import static dev.turnout.ConsumerTestSupport.count;
import static dev.turnout.Records.producerConfig;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer group of three {@link RoutingConsumer} members through a promotion and a rollback, against two real
 * clusters with MirrorMaker 2 replicating onprem (source) to cloud (target), under continuous keyed load from two
 * {@link RoutingProducer}s in {@code turnout.rollback.reconcile=auto}. Epochs: 1 {@code MIRROR}, 2
 * {@code WRITE_PROMOTION} with slice s10 (buckets 0-999) on cloud (the group reads cloud), 3 {@code MIRROR} (the
 * rollback: the producers reconcile s10's target-only records to onprem behind their barrier, the group reads onprem
 * again), and in the first test 4 {@code WRITE_PROMOTION} again (the group reads cloud, where MirrorMaker carried the
 * reconciled copies back). {@code DUAL_READ} is left out: a production group reads the source in it, as in
 * {@code MIRROR}.
 *
 * <p>Each member commits synchronously what it processed after each batch and, in its rebalance listener, before
 * a partition is revoked (also on close), as a well-behaved application does, and reads {@code read_committed}
 * (the reconciled copies are written in transactions; an aborted copy of a fenced reconciler is not a record).
 * Every acknowledged record must then be processed exactly once by {@code turnout.id} (a reconciled copy, or its
 * replica, is the same record as its original), in per-key order. The only second processing allowed is Kafka's
 * at-least-once redelivery: the same cluster, partition and offset again after the member's commit of that batch
 * failed (counted and printed; none is expected). A send may fail only as a refusal of the rolled-back slice
 * ({@code ROLLBACK_NOT_RECONCILED}, when a reconciliation attempt failed, for example a broker error while two
 * producers' reconcilers fence each other); such a record is written nowhere and must never be processed.
 */
@TwoKafkaClusters
class ConsumerGroupRollbackIT {

  private static final int MOVED_BELOW = 1_000;
  private static final int PARTITIONS = 3;
  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static InProcessMirrorMaker mirror;

  @TempDir
  Path dir;

  @BeforeAll
  static void start(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("cgr-moves", PARTITIONS);
    clusters.createTopic("cgr-restart", PARTITIONS);
    mirror = InProcessMirrorMaker.builder(clusters).aliases("onprem", "cloud").topics("cgr-.*").start();
  }

  @AfterAll
  static void stop() {
    if (mirror != null) {
      mirror.close();
    }
  }

  private static String document(String topic, long epoch) {
    String head = "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.r.topics=" + topic + "\n";
    if (epoch % 2 == 1) {
      return head + "rule.r.state=MIRROR\n";
    }
    return head + "rule.r.state=WRITE_PROMOTION\nrule.r.slice.s10.keys=0-" + (MOVED_BELOW - 1)
        + "\nrule.r.slice.s10.owner=cloud\nrule.r.slice.rest.keys=" + MOVED_BELOW + "-9999\n"
        + "rule.r.slice.rest.owner=onprem\n";
  }

  private RoutingProducer<String, String> producer(Path file, String clientId) {
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put("client.id", clientId);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 20_000);
    config.put(TurnoutConfig.ROLLBACK_RECONCILE, "auto");
    config.put(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, 30_000);
    return new RoutingProducer<>(config);
  }

  private static void flip(Path file, String topic, long epoch, List<RoutingProducer<String, String>> producers) {
    writeDocument(file, document(topic, epoch));
    await().atMost(Duration.ofSeconds(10)).until(() -> producers.stream().allMatch(p -> p.epoch() == epoch));
  }

  private static boolean barriersOpen(List<RoutingProducer<String, String>> producers) {
    return producers.stream().allMatch(p -> p.status().barriers().isEmpty());
  }

  /**
   * Starts members 0-2 under the load on onprem, then promotes slice s10 (epoch 2) and waits until the group reads,
   * and the producers write, the slice on cloud.
   */
  private static void startThenPromote(Group group, Path file, String topic, RollbackIT.Load loadA,
      RollbackIT.Load loadB, List<RoutingProducer<String, String>> both) {
    for (int m = 0; m < 3; m++) {
      group.start(m);
    }
    loadA.awaitAcked(c -> true, 150);
    group.awaitProcessed("onprem", false, 200);

    flip(file, topic, 2, both);
    group.awaitReading("cloud");
    loadA.awaitAcked("cloud"::equals, 60);
    loadB.awaitAcked("cloud"::equals, 60);
    group.awaitProcessed("cloud", true, 60);
  }

  @Test
  void aGroupOfThreeProcessesEveryRecordOnceThroughThePromotionTheRollbackAndTheSecondPromotion() throws Exception {
    String topic = "cgr-moves";
    Path file = dir.resolve("moves.properties");
    writeDocument(file, document(topic, 1));
    HistoryCheck.Sends sends = new HistoryCheck.Sends();
    Group group = new Group(topic, "cgr-moves-g", file);
    RoutingProducer<String, String> a = producer(file, "cgr-moves-a");
    RoutingProducer<String, String> b = producer(file, "cgr-moves-b");
    List<RoutingProducer<String, String>> both = List.of(a, b);
    try {
      try (a; b; RollbackIT.Load loadA = new RollbackIT.Load(a, topic, "a-", 40, sends);
          RollbackIT.Load loadB = new RollbackIT.Load(b, topic, "b-", 40, sends)) {
        startThenPromote(group, file, topic, loadA, loadB, both);

        flip(file, topic, 3, both);
        await().atMost(Duration.ofSeconds(40)).until(() -> barriersOpen(both));
        group.awaitReading("onprem");
        loadA.awaitAcked("onprem"::equals, 100);
        group.awaitProcessed("onprem", true, 1);

        flip(file, topic, 4, both);
        await().atMost(Duration.ofSeconds(20)).until(() -> barriersOpen(both));
        group.awaitReading("cloud");
        loadA.awaitAcked("cloud"::equals, 60);
        loadB.awaitAcked("cloud"::equals, 60);
      }
      group.assertExactlyOnce(sends, "cloud", "promotion, rollback, promotion");
    } finally {
      group.close();
    }
  }

  @Test
  void aMemberClosedAndANewMemberJoiningDuringTheReconciliationLoseNothingAndDuplicateNothing() throws Exception {
    String topic = "cgr-restart";
    Path file = dir.resolve("restart.properties");
    writeDocument(file, document(topic, 1));
    HistoryCheck.Sends sends = new HistoryCheck.Sends();
    Group group = new Group(topic, "cgr-restart-g", file);
    RoutingProducer<String, String> a = producer(file, "cgr-restart-a");
    RoutingProducer<String, String> b = producer(file, "cgr-restart-b");
    List<RoutingProducer<String, String>> both = List.of(a, b);
    try {
      try (a; b; RollbackIT.Load loadA = new RollbackIT.Load(a, topic, "a-", 40, sends);
          RollbackIT.Load loadB = new RollbackIT.Load(b, topic, "b-", 40, sends)) {
        startThenPromote(group, file, topic, loadA, loadB, both);

        group.watched = a;
        writeDocument(file, document(topic, 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.epoch() == 3 && !a.status().barriers().isEmpty());
        group.members.get(0).stop = true; // closes (committing through its listener) on its thread
        group.start(3);
        await().atMost(Duration.ofSeconds(20)).until(() -> group.members.get(3).joined != null);
        group.stop(0);
        assertThat(group.members.get(0).closing).as("member 0 began to close while the producer's rollback barrier "
            + "waited for the reconciliation").isTrue();
        assertThat(group.members.get(3).joined).as("member 3 subscribed and polled while the barrier waited")
            .isTrue();
        await().atMost(Duration.ofSeconds(40)).until(() -> barriersOpen(both));
        group.awaitReading("onprem");
        loadA.awaitAcked("onprem"::equals, 100);
        loadB.awaitAcked("onprem"::equals, 100);
        group.awaitProcessed("onprem", true, 1);
      }
      group.assertExactlyOnce(sends, "onprem", "promotion, rollback with a member restart during the reconciliation");
    } finally {
      group.close();
    }
  }

  /** One processing of a record by a member. */
  private record Processed(long order, int member, String id, boolean copy, String key, int seq, String origin,
      String cluster, int partition, long offset) {

    String place() {
      return cluster + "/" + partition + "@" + offset;
    }

    @Override
    public String toString() {
      return key + ":" + seq + " id " + id + (copy ? " (reconciled copy)" : "") + " origin " + origin + " at "
          + place() + " by member " + member;
    }
  }

  /** The members of one group, each polling on its own thread. */
  private final class Group implements AutoCloseable {
    private final String topic;
    private final String groupId;
    private final Path file;
    private final AtomicLong order = new AtomicLong();
    private final List<Processed> processed = new CopyOnWriteArrayList<>();
    private final Set<String> unconfirmed = ConcurrentHashMap.newKeySet();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final Map<Integer, Member> members = new ConcurrentHashMap<>();
    private final Map<Integer, Long> avoided = new ConcurrentHashMap<>();
    private final AtomicLong commitFailures = new AtomicLong();
    /** A producer whose rollback barrier the members look at when one closes or joins. */
    volatile RoutingProducer<String, String> watched;

    Group(String topic, String groupId, Path file) {
      this.topic = topic;
      this.groupId = groupId;
      this.file = file;
    }

    void start(int member) {
      Member m = new Member(member);
      members.put(member, m);
      m.thread.start();
    }

    /**
     * Closes a member (from its own thread: it commits and leaves the group) and waits until it is closed: longer
     * than its close timeout (30 s), which a close may use up while the member's group on a cluster still waits
     * for a member that closed before its join completed (the broker holds that one for the session timeout).
     */
    void stop(int member) throws InterruptedException {
      Member m = members.get(member);
      m.stop = true;
      m.thread.join(TimeUnit.SECONDS.toMillis(45));
      assertThat(m.thread.isAlive()).as("member %d closed", member).isFalse();
    }

    /** Waits until every running member reads the topic from {@code cluster}. */
    void awaitReading(String cluster) {
      await().atMost(Duration.ofSeconds(30)).until(() -> members.values().stream().filter(m -> !m.stop)
          .allMatch(m -> cluster.equals(m.reading)));
    }

    /** Waits until {@code count} more records than now were processed from {@code cluster}. */
    void awaitProcessed(String cluster, boolean fromNow, long count) {
      long base = fromNow ? processedOn(cluster) : 0;
      await().atMost(Duration.ofSeconds(30)).until(() -> processedOn(cluster) >= base + count);
    }

    private long processedOn(String cluster) {
      return processed.stream().filter(p -> p.cluster.equals(cluster)).count();
    }

    @Override
    public void close() throws InterruptedException {
      for (int m : members.keySet()) {
        if (!members.get(m).stop) {
          stop(m);
        }
      }
    }

    /**
     * After the load stopped: waits until every acknowledged record was processed and the group consumed the
     * topic on {@code endCluster} to its end (every record there had its chance to be delivered), stops the members
     * and checks.
     */
    void assertExactlyOnce(HistoryCheck.Sends sends, String endCluster, String what) throws Exception {
      await().atMost(Duration.ofSeconds(10)).until(() -> sends.completed.get() == sends.sent.get());
      Map<String, Set<Integer>> acked = sets(sends.ackedSnapshot());
      long ackedCount = acked.values().stream().mapToLong(Set::size).sum();
      await().atMost(Duration.ofSeconds(30)).until(() -> missing(acked).isEmpty());
      if (endCluster.equals("cloud")) {
        await().atMost(Duration.ofSeconds(30)).until(this::replicated);
      }
      Map<TopicPartition, Long> ends = endOffsets(endCluster.equals("cloud") ? cloud : onprem);
      await().atMost(Duration.ofSeconds(30)).until(() -> committedOffsets(endCluster).equals(ends));
      close();

      Map<String, List<Processed>> byId = processed.stream().collect(Collectors.groupingBy(Processed::id));
      List<String> twice = new ArrayList<>();
      long redelivered = 0;
      for (List<Processed> times : byId.values()) {
        for (int i = 1; i < times.size(); i++) {
          Processed again = times.get(i);
          if (unconfirmed.contains(again.place()) && times.get(0).place().equals(again.place())) {
            redelivered++;
          } else {
            twice.add(times.get(0) + " then " + again);
          }
        }
      }
      Map<String, List<Processed>> byKey = processed.stream().collect(Collectors.groupingBy(Processed::key));
      List<String> disorder = new ArrayList<>();
      byKey.forEach((key, list) -> {
        int last = -1;
        for (Processed p : list.stream().sorted((x, y) -> Long.compare(x.order, y.order)).toList()) {
          if (p.seq <= last && !unconfirmed.contains(p.place())) {
            disorder.add(p + " after seq " + last);
          }
          last = Math.max(last, p.seq);
        }
      });
      Set<String> ids = new HashSet<>();
      List<String> unacknowledged = processed.stream().filter(p -> !acked.getOrDefault(p.key, Set.of())
          .contains(p.seq) && ids.add(p.id)).map(Processed::toString).toList();
      long copies = processed.stream().filter(Processed::copy).count();
      long fromCloud = processed.stream().filter(p -> p.cluster.equals("cloud")).count();
      long targetOnly = processed.stream().filter(p -> p.origin.equals("cloud")).map(Processed::id).distinct().count();
      long avoidedTotal = avoided.values().stream().mapToLong(Long::longValue).sum();
      System.out.printf("GROUP-ROLLBACK %s: sent=%d acked=%d failed=%d; processed %d times, %d distinct ids (%d from "
          + "cloud, %d reconciled copies processed, %d target-only records); processed twice: %d; Kafka redeliveries "
          + "after a failed commit: %d (commit failures %d); per-key order violations: %d; duplicates-avoided-total "
          + "per member %s (sum %d)%n", what, sends.sent.get(), ackedCount, sends.failed(), processed.size(),
          byId.size(), fromCloud, copies, targetOnly, twice.size(), redelivered, commitFailures.get(),
          disorder.size(), avoided, avoidedTotal);
      twice.stream().limit(10).forEach(t -> System.out.println("GROUP-ROLLBACK twice: " + t));
      disorder.stream().limit(10).forEach(t -> System.out.println("GROUP-ROLLBACK order: " + t));
      assertThat(failures).as("member failures").isEmpty();
      assertThat(sends.failures).as("failed sends: only refusals of a rolled-back slice (fail closed)")
          .allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(OwnershipAmbiguousException.class,
              o -> assertThat(o.reason()).isEqualTo(OwnershipAmbiguousException.Reason.ROLLBACK_NOT_RECONCILED)));
      Map<String, Set<Integer>> failed = sets(sends.failedSnapshot());
      assertThat(processed).as("failed sends never processed")
          .noneMatch(p -> failed.getOrDefault(p.key, Set.of()).contains(p.seq));
      assertThat(missing(acked)).as("acknowledged records never processed").isEmpty();
      assertThat(twice).as("records processed twice").isEmpty();
      assertThat(disorder).as("per-key order").isEmpty();
      assertThat(unacknowledged).as("processed records that were not acknowledged").isEmpty();
      assertThat(targetOnly).as("target-only records processed on cloud").isPositive();
      assertThat(avoidedTotal).as("copies of records processed on cloud were withheld").isPositive();
    }

    private Map<String, Set<Integer>> sets(Map<String, BitSet> snapshot) {
      Map<String, Set<Integer>> out = new HashMap<>();
      snapshot.forEach((key, bits) -> out.put(key, bits.stream().boxed().collect(Collectors.toSet())));
      return out;
    }

    private List<String> missing(Map<String, Set<Integer>> acked) {
      Map<String, Set<Integer>> seen = new HashMap<>();
      for (Processed p : processed) {
        seen.computeIfAbsent(p.key, k -> new HashSet<>()).add(p.seq);
      }
      List<String> out = new ArrayList<>();
      acked.forEach((key, seqs) -> seqs.stream().filter(s -> !seen.getOrDefault(key, Set.of()).contains(s))
          .forEach(s -> out.add(key + ":" + s)));
      return out;
    }

    /** Every record of onprem is on cloud (MirrorMaker copied them all, reconciled copies included). */
    private boolean replicated() {
      Set<String> onCloud = new HashSet<>();
      for (ConsumerRecord<String, String> r : Records.readAll(cloud, topic, true)) {
        onCloud.add(place(r));
      }
      return Records.readAll(onprem, topic, true).stream().allMatch(r -> onCloud.contains(place(r)));
    }

    private static String place(ConsumerRecord<String, String> r) {
      Provenance p = Provenance.of(r).orElseThrow();
      return p.id() + (r.headers().lastHeader(Provenance.RECONCILED_HEADER) == null ? "" : "/copy");
    }

    private Map<TopicPartition, Long> endOffsets(KafkaTestCluster cluster) throws Exception {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> out = new HashMap<>();
      cluster.admin().listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, o) -> out.put(tp, o.offset()));
      return out;
    }

    private Map<TopicPartition, Long> committedOffsets(String cluster) throws Exception {
      Map<TopicPartition, Long> out = new HashMap<>();
      committed(cluster.equals("cloud") ? cloud : onprem, groupId).forEach((tp, o) -> out.put(tp, o.offset()));
      return out;
    }

    /** A member: polls, processes (records) each batch, commits it synchronously; commits on revocation. */
    private final class Member {
      private final int id;
      private final Thread thread;
      private final Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
      volatile boolean stop;
      volatile String reading;
      volatile long polls;
      /** Whether the watched producer's barrier was waiting when this member began to close. */
      volatile Boolean closing;
      /** Whether the watched producer's barrier was waiting after this member's first poll. */
      volatile Boolean joined;

      Member(int id) {
        this.id = id;
        this.thread = new Thread(this::run, groupId + "-member-" + id);
      }

      private void run() {
        Map<String, Object> config = consumerConfig(onprem, cloud, file, groupId);
        config.put("client.id", groupId + "-" + id);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, 20_000);
        try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
          consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
              Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
              partitions.stream().filter(done::containsKey).forEach(tp -> mine.put(tp, done.get(tp)));
              if (!mine.isEmpty()) {
                consumer.commitSync(mine);
              }
              done.keySet().removeAll(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
          });
          long lastCommit = System.nanoTime();
          while (!stop) {
            ConsumerRecords<String, String> records;
            try {
              records = consumer.poll(Duration.ofMillis(100));
            } catch (KafkaException e) {
              failures.add(e);
              continue;
            }
            String cluster = consumer.readCluster(topic);
            reading = cluster;
            if (polls++ == 0 && watched != null) {
              joined = !watched.status().barriers().isEmpty();
            }
            List<String> batch = new ArrayList<>();
            for (ConsumerRecord<String, String> r : records) {
              process(r, cluster);
              batch.add(cluster + "/" + r.partition() + "@" + r.offset());
              done.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            if (!records.isEmpty()) {
              try {
                consumer.commitSync(new HashMap<>(done));
                lastCommit = System.nanoTime();
              } catch (KafkaException e) {
                commitFailures.incrementAndGet();
                unconfirmed.addAll(batch);
              }
            } else if (System.nanoTime() - lastCommit > TimeUnit.MILLISECONDS.toNanos(500)) {
              try {
                consumer.commitSync(); // the positions past withheld records: the test sees the group at the end
              } catch (KafkaException e) {
                commitFailures.incrementAndGet(); // nothing processed is at stake
              }
              lastCommit = System.nanoTime();
            }
          }
          if (watched != null) {
            closing = !watched.status().barriers().isEmpty();
          }
          avoided.put(id, count(consumer, "duplicates-avoided-total", Map.of()));
        } catch (Throwable e) {
          failures.add(e);
        }
      }

      private void process(ConsumerRecord<String, String> r, String cluster) {
        Provenance p = Provenance.of(r).orElseThrow(() -> new AssertionError("no provenance: " + r));
        String value = r.value();
        int seq = Integer.parseInt(value.substring(value.lastIndexOf(':') + 1));
        boolean copy = r.headers().lastHeader(Provenance.RECONCILED_HEADER) != null;
        processed.add(new Processed(order.incrementAndGet(), id, p.id(), copy, r.key(), seq, p.origin(), cluster,
            r.partition(), r.offset()));
      }
    }
  }
}
