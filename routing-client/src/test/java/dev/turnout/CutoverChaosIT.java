package dev.turnout;

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
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos test of the cutover barrier: MirrorMaker 2 replicates onprem (source) to cloud (target) with about a
 * second of lag, several producer threads send keyed sequences, each key every few milliseconds, while 21
 * epochs move growing key ranges from onprem to cloud. The cloud topic is then read and checked: no
 * acknowledged record missing, per-key order intact, every record written by the owner of its slice at its
 * epoch. The same run with the drained barrier shows that the checker does detect reordering.
 */
@TwoKafkaClusters
class CutoverChaosIT {

  private static final int THREADS = 4;
  private static final int KEYS_PER_THREAD = 40;
  private static final long ROUND_PAUSE_MILLIS = 8;
  /** Epoch 1 is MIRROR; epochs 2-21 move (epoch - 1) * 476 buckets to cloud; epoch 22 is TARGET_AUTHORITY. */
  private static final int LAST_EPOCH = 22;
  private static final int BUCKETS_PER_STEP = 476;
  private static final long EPOCH_INTERVAL_MILLIS = 1_000;

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static InProcessMirrorMaker mirror;

  @TempDir
  Path dir;

  @BeforeAll
  static void start(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    for (String topic : List.of("chaos-replicated", "chaos-drained", "chaos-txn", "chaos-queue")) {
      clusters.createTopic(topic, 3);
    }
    mirror = InProcessMirrorMaker.builder(clusters).topics("chaos-.*").replicationLagMillis(1_000).start();
  }

  @AfterAll
  static void stop() {
    if (mirror != null) {
      mirror.close();
    }
  }

  static String document(String topic, long epoch) {
    String head = "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.chaos.topics=" + topic + "\n";
    if (epoch <= 1) {
      return head + "rule.chaos.state=MIRROR\n";
    }
    if (epoch >= LAST_EPOCH) {
      return head + "rule.chaos.state=TARGET_AUTHORITY\n";
    }
    int moved = (int) (epoch - 1) * BUCKETS_PER_STEP;
    return head + "rule.chaos.state=WRITE_PROMOTION\n"
        + "rule.chaos.slice.moved.keys=0-" + (moved - 1) + "\nrule.chaos.slice.moved.owner=cloud\n"
        + "rule.chaos.slice.rest.keys=" + moved + "-9999\nrule.chaos.slice.rest.owner=onprem\n";
  }

  static String ownerAt(int bucket, long epoch) {
    if (epoch <= 1) {
      return "onprem";
    }
    if (epoch >= LAST_EPOCH) {
      return "cloud";
    }
    return bucket < (epoch - 1) * BUCKETS_PER_STEP ? "cloud" : "onprem";
  }

  @Test
  void theReplicatedBarrierKeepsEveryKeyInOrderAcross21Cutovers() throws Exception {
    Run run = chaos("chaos-replicated", "replicated");
    System.out.printf("[chaos replicated] %s%n", run);
    assertThat(run.errors).as("sends refused or failed while replication keeps up").isEmpty();
    assertThat(run.report.missing).as("acknowledged records missing on cloud").isZero();
    assertThat(run.report.orderViolations).as("per-key order violations on cloud").isZero();
    assertThat(run.report.provenanceViolations).as("records not written by the owner of their slice").isZero();
    assertThat(run.report.byOrigin).containsKeys("onprem", "cloud");
    assertThat(run.barriers).as("cutover barriers").isGreaterThanOrEqualTo(20);
    assertThat(run.timeouts).isZero();
  }

  @Test
  void theDrainedBarrierLetsReplicationLagReorderKeysAndTheCheckSeesIt() throws Exception {
    Run run = chaos("chaos-drained", "drained");
    System.out.printf("[chaos drained] %s%n", run);
    System.out.printf("[chaos drained] the ordering check found %d violation(s), e.g. %s%n",
        run.report.orderViolations, run.report.orderExamples);
    assertThat(run.report.orderViolations).as("reordering the checker must detect without the replicated barrier")
        .isPositive();
    assertThat(run.report.missing).isZero();
    assertThat(run.report.provenanceViolations).isZero();
  }

  @Test
  void aTransactionInFlightFinishesOnItsClusterAndTheNextOneWaitsForReplication() throws Exception {
    String topic = "chaos-txn";
    Path file = dir.resolve("txn.properties");
    writeDocument(file, document(topic, 1));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put("transactional.id", "chaos-txn-it");
    config.put("client.id", topic);
    List<String> keys = List.of("a", "b", "c", "d", "e", "f", "g", "h");
    Map<String, BitSet> acked = new ConcurrentHashMap<>();
    keys.forEach(k -> acked.put(k, new BitSet()));
    long firstSendAfterFlipMillis;
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      producer.initTransactions();
      producer.beginTransaction();
      List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> first = new ArrayList<>();
      for (int seq = 0; seq < 50; seq++) {
        for (String k : keys) {
          first.add(producer.send(new ProducerRecord<>(topic, k, k + ":" + seq)));
        }
      }
      // The flip lands while the transaction is open: the rest of it still goes to onprem.
      writeDocument(file, document(topic, LAST_EPOCH));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == LAST_EPOCH);
      for (int seq = 50; seq < 60; seq++) {
        for (String k : keys) {
          first.add(producer.send(new ProducerRecord<>(topic, k, k + ":" + seq)));
        }
      }
      producer.commitTransaction();
      for (var f : first) {
        f.get(10, TimeUnit.SECONDS);
      }
      keys.forEach(k -> acked.get(k).set(0, 60));

      producer.beginTransaction();
      long start = System.nanoTime();
      producer.send(new ProducerRecord<>(topic, keys.get(0), keys.get(0) + ":60")).get(30, TimeUnit.SECONDS);
      firstSendAfterFlipMillis = (System.nanoTime() - start) / 1_000_000;
      for (int seq = 60; seq < 100; seq++) {
        for (String k : keys) {
          if (seq > 60 || !k.equals(keys.get(0))) {
            producer.send(new ProducerRecord<>(topic, k, k + ":" + seq));
          }
        }
      }
      producer.commitTransaction();
      keys.forEach(k -> acked.get(k).set(60, 100));
    }
    CutoverChecks.Report report = CutoverChecks.check(cloud, topic, acked,
        (bucket, epoch) -> epoch >= LAST_EPOCH ? "cloud" : "onprem", Duration.ofSeconds(30), true);
    System.out.printf("[chaos txn] the first send of the transaction after the flip waited %d ms at the barrier; %s%n",
        firstSendAfterFlipMillis, report);
    assertThat(report.missing).isZero();
    assertThat(report.orderViolations).isZero();
    assertThat(report.provenanceViolations).isZero();
    // 60 records per key from the first transaction (all epoch 1, on onprem, replicated), 40 from the second.
    assertThat(report.byOrigin).containsEntry("onprem", 60L * keys.size()).containsEntry("cloud", 40L * keys.size());
  }

  @Test
  void sendsAtABarrierReturnAtOnceKeepTheirOrderAndCompleteWithRealMetadata() throws Exception {
    String topic = "chaos-queue";
    Path file = dir.resolve("queue.properties");
    writeDocument(file, document(topic, 1));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    List<String> keys = List.of("q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9");
    Map<String, BitSet> acked = new ConcurrentHashMap<>();
    keys.forEach(k -> acked.put(k, new BitSet()));
    List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> queued = new ArrayList<>();
    int notDoneOnReturn = 0;
    long slowestSendMicros = 0;
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      for (int seq = 0; seq < 20; seq++) {
        for (String k : keys) {
          producer.send(new ProducerRecord<>(topic, k, k + ":" + seq)).get(10, TimeUnit.SECONDS);
        }
      }
      writeDocument(file, document(topic, LAST_EPOCH));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == LAST_EPOCH);
      for (int seq = 20; seq < 70; seq++) {
        for (String k : keys) {
          long start = System.nanoTime();
          var future = producer.send(new ProducerRecord<>(topic, k, k + ":" + seq));
          slowestSendMicros = Math.max(slowestSendMicros, (System.nanoTime() - start) / 1_000);
          if (!future.isDone()) {
            notDoneOnReturn++;
          }
          queued.add(future);
        }
      }
      double waiting = CutoverChecks.metric(producer, "cutover-records-waiting", Map.of());
      producer.flush();
      System.out.printf("[chaos queue] %d of %d sends returned before completing (%.0f waiting at the barrier right "
          + "after), slowest send() call %d us%n", notDoneOnReturn, queued.size(), waiting, slowestSendMicros);
      assertThat(queued).as("flush() waits for the records queued at the barrier").allMatch(java.util.concurrent.Future::isDone);
      long previousOffsetOfKey0 = -1;
      for (int i = 0; i < queued.size(); i++) {
        var metadata = queued.get(i).get();
        assertThat(metadata.offset()).isNotNegative();
        assertThat(metadata.partition()).isNotNegative();
        if (i % keys.size() == 0) {
          assertThat(metadata.offset()).isGreaterThan(previousOffsetOfKey0);
          previousOffsetOfKey0 = metadata.offset();
        }
      }
    }
    keys.forEach(k -> acked.get(k).set(0, 70));
    assertThat(notDoneOnReturn).as("sends queued at the barrier return before they complete").isPositive();
    assertThat(slowestSendMicros).as("send() never waits for the barrier").isLessThan(200_000);
    CutoverChecks.Report report = CutoverChecks.check(cloud, topic, acked, CutoverChaosIT::ownerAt,
        Duration.ofSeconds(30), false);
    assertThat(report.missing).isZero();
    assertThat(report.orderViolations).isZero();
    assertThat(report.provenanceViolations).isZero();
  }

  private Run chaos(String topic, String barrier) throws Exception {
    Path file = dir.resolve("authority.properties");
    writeDocument(file, document(topic, 1));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, barrier);
    config.put("client.id", topic);
    Map<String, BitSet> acked = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    AtomicLong sent = new AtomicLong();
    List<Long> latencyMicros = java.util.Collections.synchronizedList(new ArrayList<>());
    Run run = new Run();
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch done = new CountDownLatch(THREADS);
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        Thread sender = new Thread(() -> {
          try {
            String[] keys = new String[KEYS_PER_THREAD];
            int[] seq = new int[KEYS_PER_THREAD];
            for (int k = 0; k < KEYS_PER_THREAD; k++) {
              keys[k] = "t" + thread + "-k" + k;
              acked.put(keys[k], new BitSet());
            }
            while (!stop.get()) {
              for (int k = 0; k < KEYS_PER_THREAD; k++) {
                String key = keys[k];
                int s = seq[k]++;
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, key, key + ":" + s), (metadata, error) -> {
                  if (error == null) {
                    BitSet set = acked.get(key);
                    synchronized (set) {
                      set.set(s);
                    }
                    latencyMicros.add((System.nanoTime() - start) / 1_000);
                  } else {
                    errors.add(key + ":" + s + " " + error);
                  }
                });
                sent.incrementAndGet();
              }
              Thread.sleep(ROUND_PAUSE_MILLIS);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            done.countDown();
          }
        }, "chaos-sender-" + t);
        sender.start();
      }
      long started = System.nanoTime();
      Thread.sleep(EPOCH_INTERVAL_MILLIS);
      for (long epoch = 2; epoch <= LAST_EPOCH; epoch++) {
        writeDocument(file, document(topic, epoch));
        long e = epoch;
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == e);
        Thread.sleep(EPOCH_INTERVAL_MILLIS);
      }
      stop.set(true);
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      producer.flush();
      run.seconds = (System.nanoTime() - started) / 1e9;
      run.barriers = (long) CutoverChecks.metric(producer, "cutover-barriers-total", Map.of());
      run.timeouts = (long) CutoverChecks.metric(producer, "cutover-barrier-timeouts-total", Map.of());
      run.waitAvg = CutoverChecks.metric(producer, "cutover-barrier-wait-ms-avg", Map.of());
      run.waitP50 = CutoverChecks.metric(producer, "cutover-barrier-wait-ms-p50", Map.of());
      run.waitP99 = CutoverChecks.metric(producer, "cutover-barrier-wait-ms-p99", Map.of());
      run.waitMax = CutoverChecks.metric(producer, "cutover-barrier-wait-ms-max", Map.of());
    }
    run.sent = sent.get();
    run.errors = List.copyOf(errors).subList(0, Math.min(errors.size(), 5));
    run.errorCount = errors.size();
    long[] sorted;
    synchronized (latencyMicros) {
      sorted = latencyMicros.stream().mapToLong(Long::longValue).toArray();
    }
    Arrays.sort(sorted);
    run.ackP50 = sorted.length == 0 ? -1 : sorted[sorted.length / 2] / 1000.0;
    run.ackP99 = sorted.length == 0 ? -1 : sorted[(int) (sorted.length * 0.99)] / 1000.0;
    run.ackMax = sorted.length == 0 ? -1 : sorted[sorted.length - 1] / 1000.0;
    run.report = CutoverChecks.check(cloud, topic, acked, CutoverChaosIT::ownerAt, Duration.ofSeconds(60), false);
    return run;
  }

  private static final class Run {
    long sent;
    double seconds;
    List<String> errors;
    long errorCount;
    long barriers;
    long timeouts;
    double waitAvg;
    double waitP50;
    double waitP99;
    double waitMax;
    double ackP50;
    double ackP99;
    double ackMax;
    CutoverChecks.Report report;

    @Override
    public String toString() {
      return String.format("%d records sent in %.1f s (%d epochs), %d failed %s; %d barriers, %d timed out; barrier "
          + "wait ms avg %.0f p50 %.0f p99 %.0f max %.0f; send-to-ack ms p50 %.1f p99 %.1f max %.1f; %s", sent,
          seconds, LAST_EPOCH, errorCount, errors, barriers, timeouts, waitAvg, waitP50, waitP99, waitMax, ackP50,
          ackP99, ackMax, report);
    }
  }
}
