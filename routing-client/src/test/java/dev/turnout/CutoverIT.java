package dev.turnout;

import static dev.turnout.Records.producerConfig;
import static dev.turnout.Records.readAll;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cutover barriers against two real clusters: pause figures with caught-up replication (MirrorMaker 2
 * without added lag), fail-closed timeouts and how they recover, moves against the replication direction,
 * the bounded cutover buffer, and cluster id pinning.
 */
@TwoKafkaClusters
class CutoverIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static TwoClusters pair;
  private static InProcessMirrorMaker mirror;

  @TempDir
  Path dir;

  @BeforeAll
  static void start(TwoClusters clusters) {
    pair = clusters;
    onprem = clusters.source();
    cloud = clusters.target();
    for (String topic : List.of("cut-pause", "cut-back", "solo-timeout", "solo-slow", "solo-later", "solo-buffer", "solo-gap", "pin")) {
      clusters.createTopic(topic, 3);
    }
    mirror = InProcessMirrorMaker.builder(clusters).topics("cut-.*").start();
  }

  @AfterAll
  static void stop() {
    if (mirror != null) {
      mirror.close();
    }
  }

  /** A WRITE_PROMOTION document: buckets below {@code movedBelow} owned by cloud, the rest by onprem. */
  private static String split(String topic, long epoch, int movedBelow) {
    String head = "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.r.topics=" + topic + "\n";
    if (movedBelow <= 0) {
      return head + "rule.r.state=WRITE_PROMOTION\nrule.r.slice.all.keys=0-9999\nrule.r.slice.all.owner=onprem\n";
    }
    if (movedBelow >= AuthorityMap.BUCKETS) {
      return head + "rule.r.state=TARGET_AUTHORITY\n";
    }
    return head + "rule.r.state=WRITE_PROMOTION\n"
        + "rule.r.slice.moved.keys=0-" + (movedBelow - 1) + "\nrule.r.slice.moved.owner=cloud\n"
        + "rule.r.slice.rest.keys=" + movedBelow + "-9999\nrule.r.slice.rest.owner=onprem\n";
  }

  private static int bucket(String topic, String key) {
    return AuthorityMap.bucket(new StringSerializer().serialize(topic, key));
  }

  /** {@code count} keys of {@code topic} whose bucket is below (or not below) {@code boundary}. */
  private static List<String> keys(String topic, int boundary, boolean below, int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      String key = "key-" + i;
      if ((bucket(topic, key) < boundary) == below) {
        keys.add(key);
      }
    }
    return keys;
  }

  private Path authority(String name, String document) {
    Path file = dir.resolve(name);
    writeDocument(file, document);
    return file;
  }

  @Test
  void withCaughtUpReplicationTheBarrierPausesAMovedSliceWellUnderASecond() throws Exception {
    String topic = "cut-pause";
    int epochs = 12;
    int step = AuthorityMap.BUCKETS / (epochs + 1);
    Path file = authority("pause.properties", split(topic, 1, 0));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put("client.id", topic);
    Map<String, BitSet> acked = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    double p50;
    double p99;
    double max;
    double avg;
    double barriers;
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      AtomicBoolean stop = new AtomicBoolean();
      int threads = 2;
      CountDownLatch done = new CountDownLatch(threads);
      for (int t = 0; t < threads; t++) {
        int thread = t;
        new Thread(() -> {
          try {
            int[] seq = new int[30];
            while (!stop.get()) {
              for (int k = 0; k < seq.length; k++) {
                String key = "p" + thread + "-" + k;
                int s = seq[k]++;
                BitSet set = acked.computeIfAbsent(key, x -> new BitSet());
                producer.send(new ProducerRecord<>(topic, key, key + ":" + s), (m, e) -> {
                  if (e == null) {
                    synchronized (set) {
                      set.set(s);
                    }
                  } else {
                    errors.add(key + ":" + s + " " + e);
                  }
                });
              }
              Thread.sleep(5);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            done.countDown();
          }
        }).start();
      }
      Thread.sleep(500);
      for (int epoch = 2; epoch <= epochs + 1; epoch++) {
        writeDocument(file, split(topic, epoch, (epoch - 1) * step));
        int e = epoch;
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == e);
        Thread.sleep(700);
      }
      stop.set(true);
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      producer.flush();
      barriers = CutoverChecks.metric(producer, "cutover-barriers-total", Map.of());
      p50 = CutoverChecks.metric(producer, "cutover-barrier-wait-ms-p50", Map.of());
      p99 = CutoverChecks.metric(producer, "cutover-barrier-wait-ms-p99", Map.of());
      max = CutoverChecks.metric(producer, "cutover-barrier-wait-ms-max", Map.of());
      avg = CutoverChecks.metric(producer, "cutover-barrier-wait-ms-avg", Map.of());
    }
    CutoverChecks.Report report = CutoverChecks.check(cloud, topic, acked,
        (b, epoch) -> b < (epoch - 1) * step ? "cloud" : "onprem", Duration.ofSeconds(30), false);
    System.out.printf("[pause, caught-up replication] %.0f barriers; barrier wait ms avg %.0f p50 %.0f p99 %.0f max %.0f; "
        + "%d failed sends; %s%n", barriers, avg, p50, p99, max, errors.size(), report);
    assertThat(errors).isEmpty();
    assertThat(barriers).isGreaterThanOrEqualTo(epochs);
    assertThat(report.missing).isZero();
    assertThat(report.orderViolations).isZero();
    assertThat(report.provenanceViolations).isZero();
    assertThat(p50).as("median barrier wait with caught-up replication, ms").isLessThan(1_000);
  }

  @Test
  void aMoveBackToTheSourceWaitsUntilTheTargetOnlyRecordsAreThereThenKeepsEachKeyInOrder() throws Exception {
    String topic = "cut-back";
    Path file = authority("back.properties", split(topic, 1, AuthorityMap.BUCKETS));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 3_000);
    config.put(TurnoutConfig.ROLLBACK_RECONCILE, "auto");
    config.put(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, 30_000);
    CopyingReconciliation reconciliation = new CopyingReconciliation(onprem, cloud, topic);
    try (RoutingProducer<String, String> producer = RoutingProducer.<String, String>builder(config)
        .reconciliation((clientId, aliases, clusterConfigs) -> reconciliation).build()) {
      for (int i = 0; i < 50; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + (i % 5), "before-" + i)).get(10, TimeUnit.SECONDS);
      }
      // Roll every key back to onprem: nothing replicates cloud -> onprem, so the 50 records exist only on cloud.
      writeDocument(file, split(topic, 2, 0) + "rule.r.rollback.allowed=true\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);
      long start = System.nanoTime();
      RecordMetadata first = producer.send(new ProducerRecord<>(topic, "k0", "after-0")).get(30, TimeUnit.SECONDS);
      long waitedMillis = (System.nanoTime() - start) / 1_000_000;
      for (int i = 1; i < 20; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + (i % 5), "after-" + i)).get(10, TimeUnit.SECONDS);
      }
      System.out.printf("[rollback] the first send after moving every slice back to onprem waited %d ms%n", waitedMillis);
      assertThat(first.offset()).isNotNegative();
      assertThat(reconciliation.reconciles.get()).isPositive();
      assertThat(CutoverChecks.metric(producer, "cutover-barrier-timeouts-total", Map.of())).isZero();
    }
    List<ConsumerRecord<String, String>> back = readAll(onprem, topic);
    assertThat(back).hasSize(70);
    Map<String, List<String>> perKey = new java.util.LinkedHashMap<>();
    back.forEach(r -> perKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value()));
    assertThat(perKey).hasSize(5).allSatisfy((key, values) -> {
      assertThat(values).as("every record of %s written to cloud comes first on onprem", key).hasSize(14);
      assertThat(values.subList(0, 10)).allSatisfy(v -> assertThat(v).startsWith("before-"));
      assertThat(values.subList(10, 14)).allSatisfy(v -> assertThat(v).startsWith("after-"));
    });
  }

  @Test
  void aBarrierThatCannotCompleteFailsClosedAndOpensWhenReplicationArrives() throws Exception {
    String topic = "solo-timeout";
    Path file = authority("timeout.properties", split(topic, 1, 0));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 1_500);
    List<String> moving = keys(topic, 5_000, true, 4);
    List<String> staying = keys(topic, 5_000, false, 4);
    Map<String, BitSet> acked = new ConcurrentHashMap<>();
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      for (int seq = 0; seq < 5; seq++) {
        for (String k : moving) {
          producer.send(new ProducerRecord<>(topic, k, k + ":" + seq)).get(10, TimeUnit.SECONDS);
          acked.computeIfAbsent(k, x -> new BitSet()).set(seq);
        }
      }
      writeDocument(file, split(topic, 2, 5_000));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);

      long start = System.nanoTime();
      Future<RecordMetadata> waiting = producer.send(new ProducerRecord<>(topic, moving.get(0), moving.get(0) + ":5"));
      assertThat(waiting).as("a moved slice waits; nothing replicates this topic").isNotDone();
      // A slice that did not move never waits.
      producer.send(new ProducerRecord<>(topic, staying.get(0), staying.get(0) + ":0")).get(5, TimeUnit.SECONDS);
      assertThat(waiting).isNotDone();
      assertThatThrownBy(() -> waiting.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.CUTOVER_BARRIER_TIMEOUT);
            assertThat(e.getMessage()).contains("turnout.cutover.max.pause.ms=1500").contains("'cloud'")
                .contains("nothing seems to replicate it there").contains("turnout.cutover.barrier=drained");
          });
      long timedOutAfter = (System.nanoTime() - start) / 1_000_000;
      assertThat(timedOutAfter).isBetween(1_000L, 10_000L);
      // Now the slice fails closed at once.
      Future<RecordMetadata> refused = producer.send(new ProducerRecord<>(topic, moving.get(1), moving.get(1) + ":5"));
      assertThat(refused).isDone();
      assertThatThrownBy(refused::get).cause().isInstanceOfSatisfying(OwnershipAmbiguousException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.CUTOVER_BARRIER_TIMEOUT));
      assertThat(CutoverChecks.metric(producer, "cutover-barrier-timeouts-total", Map.of())).isEqualTo(1);
      assertThat(CutoverChecks.metric(producer, "records-refused-total", Map.of("reason", "CUTOVER_BARRIER_TIMEOUT")))
          .isGreaterThanOrEqualTo(2);
      assertThat(readAll(cloud, topic)).as("nothing was written to the new owner").isEmpty();

      // Replication arrives: the barrier completes after all and the slice recovers by itself.
      try (InProcessMirrorMaker late = InProcessMirrorMaker.builder(pair).aliases("late-source", "late-target")
          .topics(topic).start()) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
          Future<RecordMetadata> probe = producer.send(new ProducerRecord<>(topic, moving.get(2), moving.get(2) + ":5"));
          producer.flush();
          try {
            probe.get();
            return true;
          } catch (ExecutionException e) {
            return false;
          }
        });
        acked.get(moving.get(2)).set(5);
        for (int seq = 6; seq < 10; seq++) {
          for (String k : moving) {
            producer.send(new ProducerRecord<>(topic, k, k + ":" + seq)).get(10, TimeUnit.SECONDS);
            acked.get(k).set(seq);
          }
        }
        CutoverChecks.Report report = CutoverChecks.check(cloud, topic, acked,
            (b, epoch) -> epoch >= 2 && b < 5_000 ? "cloud" : "onprem", Duration.ofSeconds(30), false);
        System.out.printf("[timeout] failed closed after %d ms, then recovered; %s%n", timedOutAfter, report);
        assertThat(report.missing).isZero();
        assertThat(report.orderViolations).isZero();
        assertThat(report.provenanceViolations).isZero();
      }
    }
  }

  @Test
  void whenReplicationIsMerelyBehindTheTimeoutDoesNotSuggestTheDrainedBarrier() throws Exception {
    String topic = "solo-slow";
    Path file = authority("slow.properties", split(topic, 1, 0));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 5_000);
    List<String> moving = keys(topic, 5_000, true, 6);
    long timestamp = System.currentTimeMillis();
    try (LogCapture logs = new LogCapture();
        RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      // Replication runs for a while: the first records reach the new owner...
      try (InProcessMirrorMaker slow = InProcessMirrorMaker.builder(pair).aliases("slow-source", "slow-target")
          .topics(topic).start()) {
        for (String k : moving) {
          producer.send(new ProducerRecord<>(topic, null, timestamp, k, k + ":replicated")).get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> readAll(cloud, topic).size() == moving.size());
      }
      // ...then it falls behind: the last records (timestamped with the first) never arrive.
      for (String k : moving) {
        producer.send(new ProducerRecord<>(topic, null, timestamp + 1, k, k + ":behind")).get(10, TimeUnit.SECONDS);
      }
      writeDocument(file, split(topic, 2, 5_000));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);

      Future<RecordMetadata> waiting = producer.send(new ProducerRecord<>(topic, moving.get(0), "waiting"));
      assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.CUTOVER_BARRIER_TIMEOUT);
            assertThat(e.getMessage()).contains("to be replicated to 'cloud'")
                .doesNotContain("turnout.cutover.barrier=drained");
          });
      assertThat(logs.lines("WARN", "did not complete within 5000 ms")).singleElement().asString()
          .contains("Check the replication from the old owner to the new owner.")
          .doesNotContain("turnout.cutover.barrier=drained");
    }
    assertThat(readAll(cloud, topic)).extracting(ConsumerRecord::value).doesNotContain("waiting");
  }

  @Test
  void aLaterEpochThatMovesTheSliceBackResolvesATimedOutBarrier() throws Exception {
    String topic = "solo-later";
    Path file = authority("later.properties", split(topic, 1, 0));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 1_000);
    List<String> moving = keys(topic, 5_000, true, 3);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      for (String k : moving) {
        producer.send(new ProducerRecord<>(topic, k, "epoch-1")).get(10, TimeUnit.SECONDS);
      }
      writeDocument(file, split(topic, 2, 5_000));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);
      Future<RecordMetadata> waiting = producer.send(new ProducerRecord<>(topic, moving.get(0), "epoch-2"));
      assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.CUTOVER_BARRIER_TIMEOUT));
      writeDocument(file, split(topic, 3, 0));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 3);
      for (String k : moving) {
        producer.send(new ProducerRecord<>(topic, k, "epoch-3")).get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(readAll(cloud, topic)).isEmpty();
    assertThat(readAll(onprem, topic)).extracting(ConsumerRecord::value)
        .containsOnly("epoch-1", "epoch-3").hasSize(2 * moving.size());
  }

  @Test
  void aTopicMovedAcrossAnEpochThatRoutesItNowhereStillWaitsAtItsBarrier() throws Exception {
    String topic = "solo-gap"; // not replicated: the replicated barrier cannot complete
    Path file = authority("gap.properties", split(topic, 1, 0));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 1_000);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      producer.send(new ProducerRecord<>(topic, "k", "epoch-1")).get(10, TimeUnit.SECONDS);
      writeDocument(file, "epoch=2\nsource=onprem\ntarget=cloud\nrule.o.topics=other\nrule.o.state=MIRROR\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);
      writeDocument(file, split(topic, 3, AuthorityMap.BUCKETS));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 3);
      Future<RecordMetadata> moved = producer.send(new ProducerRecord<>(topic, "k", "epoch-3"));
      assertThatThrownBy(() -> moved.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.CUTOVER_BARRIER_TIMEOUT));
    }
    assertThat(readAll(cloud, topic)).as("nothing reached the new owner before onprem's record").isEmpty();
  }

  @Test
  void aFullCutoverBufferBlocksForMaxBlockThenFailsLikeKafkaProducersBuffer() throws Exception {
    String topic = "solo-buffer";
    Path file = authority("buffer.properties", split(topic, 1, 0));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 20_000);
    config.put(TurnoutConfig.CUTOVER_BUFFER_BYTES, 4_096);
    config.put("max.block.ms", 1_000);
    List<String> moving = keys(topic, 5_000, true, 2);
    String value = "x".repeat(100);
    List<Future<RecordMetadata>> queued = new ArrayList<>();
    RoutingProducer<String, String> producer = new RoutingProducer<>(config);
    try {
      producer.send(new ProducerRecord<>(topic, moving.get(0), value)).get(10, TimeUnit.SECONDS);
      writeDocument(file, split(topic, 2, 5_000));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);
      long blockedMillis = -1;
      Future<RecordMetadata> exhausted = null;
      for (int i = 0; i < 100 && exhausted == null; i++) {
        long start = System.nanoTime();
        Future<RecordMetadata> f = producer.send(new ProducerRecord<>(topic, moving.get(i % 2), value));
        long took = (System.nanoTime() - start) / 1_000_000;
        if (f.isDone()) {
          exhausted = f;
          blockedMillis = took;
        } else {
          queued.add(f);
        }
      }
      assertThat(exhausted).as("a send that found the cutover buffer full").isNotNull();
      assertThatThrownBy(exhausted::get).cause().isInstanceOf(BufferExhaustedException.class)
          .hasMessageContaining("turnout.cutover.buffer.bytes");
      System.out.printf("[buffer] %d records fit in 4096 bytes; the next send blocked %d ms (max.block.ms 1000)%n",
          queued.size(), blockedMillis);
      assertThat(blockedMillis).isBetween(900L, 5_000L);
      assertThat(queued).hasSizeBetween(5, 30);
      assertThat(CutoverChecks.metric(producer, "cutover-bytes-waiting", Map.of())).isLessThanOrEqualTo(4_096);
      assertThat(CutoverChecks.metric(producer, "cutover-records-waiting", Map.of())).isEqualTo(queued.size());
      assertThat(CutoverChecks.metric(producer, "records-refused-total", Map.of("reason", "CUTOVER_BUFFER_EXHAUSTED")))
          .isEqualTo(1);
    } finally {
      producer.close(Duration.ZERO);
    }
    // Closing refuses what still waits: nothing is dropped silently.
    assertThat(queued).allSatisfy(f -> assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause()
        .isInstanceOf(KafkaException.class).hasMessageContaining("closed"));
    assertThat(readAll(cloud, topic)).isEmpty();
  }

  @Test
  void theClientInterceptorReportsTheTopicAfterTheCallersInterceptorsAndTheClusterId() throws Exception {
    List<String> topics = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> clusterIds = new java.util.concurrent.CopyOnWriteArrayList<>();
    Map<String, Object> config = cloud.clientConfig();
    config.put("key.serializer", StringSerializer.class);
    config.put("value.serializer", StringSerializer.class);
    config.put("interceptor.classes", List.of(RenamingInterceptor.class, dev.turnout.internal.cluster.ClientEventsInterceptor.class));
    config.put(dev.turnout.internal.cluster.ClientEventsInterceptor.EVENTS, new dev.turnout.internal.cluster.ClientEvents() {
      @Override
      public void sending(String topic) {
        topics.add(topic);
      }

      @Override
      public void clusterId(String clusterId) {
        clusterIds.add(clusterId);
      }
    });
    try (org.apache.kafka.clients.producer.KafkaProducer<String, String> producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(config)) {
      RecordMetadata metadata = producer.send(new ProducerRecord<>("pin", "k", "v")).get(10, TimeUnit.SECONDS);
      assertThat(metadata.topic()).isEqualTo("pin-renamed");
      assertThat(topics).containsExactly("pin-renamed");
      assertThat(clusterIds).isNotEmpty().allMatch(cloud.clusterId()::equals);
    }
  }

  /** A caller's interceptor that writes every record to another topic. */
  public static final class RenamingInterceptor
      implements org.apache.kafka.clients.producer.ProducerInterceptor<String, String> {
    @Override
    public ProducerRecord<String, String> onSend(ProducerRecord<String, String> record) {
      return new ProducerRecord<>(record.topic() + "-renamed", null, record.key(), record.value(),
          record.headers());
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  @Test
  void aClusterReportingAnotherIdIsRefusedEverySendNamingBothIds() throws Exception {
    String topic = "pin";
    Path file = authority("pin.properties", split(topic, 1, 5_000));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    // A configuration mistake: the id pinned for 'cloud' is onprem's.
    config.put("turnout.cluster.cloud.expected.cluster.id", onprem.clusterId());
    config.put("turnout.cluster.onprem.expected.cluster.id", onprem.clusterId());
    List<String> cloudKeys = keys(topic, 5_000, true, 3);
    List<String> onpremKeys = keys(topic, 5_000, false, 3);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      for (String k : cloudKeys) {
        Future<RecordMetadata> f = producer.send(new ProducerRecord<>(topic, k, "v"));
        assertThatThrownBy(() -> f.get(15, TimeUnit.SECONDS)).cause()
            .isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
              assertThat(e.reason()).isEqualTo(Reason.CLUSTER_ID_MISMATCH);
              assertThat(e.getMessage()).contains(onprem.clusterId()).contains(cloud.clusterId()).contains("'cloud'");
            });
      }
      for (String k : onpremKeys) {
        producer.send(new ProducerRecord<>(topic, k, "v")).get(10, TimeUnit.SECONDS);
      }
      assertThatThrownBy(() -> producer.partitionsFor("pin-unknown")).isInstanceOf(OwnershipAmbiguousException.class);
      assertThat(CutoverChecks.metric(producer, "cluster-id-mismatch", Map.of("cluster", "cloud"))).isEqualTo(1);
      assertThat(CutoverChecks.metric(producer, "cluster-id-mismatch", Map.of("cluster", "onprem"))).isZero();
      assertThat(CutoverChecks.metric(producer, "records-refused-total", Map.of("reason", "CLUSTER_ID_MISMATCH")))
          .isEqualTo(cloudKeys.size());
    }
    assertThat(readAll(cloud, topic)).isEmpty();
    assertThat(readAll(onprem, topic)).hasSize(onpremKeys.size());

    // Pinned to the right ids, both clusters take their slices.
    config.put("turnout.cluster.cloud.expected.cluster.id", cloud.clusterId());
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      for (String k : cloudKeys) {
        producer.send(new ProducerRecord<>(topic, k, "v")).get(10, TimeUnit.SECONDS);
      }
      assertThat(CutoverChecks.metric(producer, "cluster-id-mismatch", Map.of("cluster", "cloud"))).isZero();
    }
    assertThat(readAll(cloud, topic)).hasSize(cloudKeys.size());
  }
}
