package dev.turnout.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.Provenance;
import dev.turnout.reconcile.ReconcileScenario.Ack;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconciliation against two real clusters with MirrorMaker 2 copying onprem (source) to cloud (target): records
 * are written by a RoutingProducer under epoch 1 (MIRROR) and epoch 2 (WRITE_PROMOTION, slice s20 on cloud); the
 * records cloud acknowledged are the target-only ones.
 */
@TwoKafkaClusters
class ReconcilerIT {

  private static final List<String> SCENARIO_TOPICS = List.of("rc-plan", "rc-apply", "rc-resume", "rc-concurrent");
  private static final List<String> ONE_PARTITION_TOPICS = List.of("rc-noprov", "rc-gap", "rc-slice");

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static InProcessMirrorMaker mirror;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    SCENARIO_TOPICS.forEach(t -> clusters.createTopic(t, 3));
    ONE_PARTITION_TOPICS.forEach(t -> clusters.createTopic(t, 1));
    onprem.createTopic("pcm", 2);
    cloud.createTopic("pcm", 3);
    cloud.createTopic("only-on-target", 1);
    mirror = InProcessMirrorMaker.builder(clusters).topics("rc-.*").start();
  }

  @AfterAll
  static void stop() {
    if (mirror != null) {
      mirror.close();
    }
  }

  @Test
  void planCountsExactlyTheTargetOnlyRecordsAndWritesNothing() throws Exception {
    ReconcileScenario s = scenario("rc-plan", 300);
    Map<Integer, Long> sourceBefore = endOffsets(onprem, s.topic);
    Map<Integer, Long> targetBefore = endOffsets(cloud, s.topic);
    List<Ack> targetOnly = s.onCloud();
    assertThat(targetOnly).as("records the target acknowledged").isNotEmpty();

    ReconcilePlan plan;
    try (Reconciler reconciler = reconciler()) {
      plan = reconciler.plan(request(s).build());
      assertThat(reconciler.plan(request(s).slice("rest").build()).toCopy()).isZero();
      assertThatThrownBy(() -> reconciler.plan(request(s).slice("nope").build()))
          .isInstanceOfSatisfying(ReconcileException.class,
              e -> assertThat(e.kind()).isEqualTo(ReconcileException.Kind.RULE_MISSING));
    }

    assertThat(plan.targetOnly()).isEqualTo(targetOnly.size());
    assertThat(plan.toCopy()).isEqualTo(targetOnly.size());
    assertThat(plan.alreadyOnSource()).isZero();
    Map<Integer, List<Ack>> byPartition = targetOnly.stream().collect(Collectors.groupingBy(Ack::partition));
    assertThat(plan.entries()).hasSize(byPartition.size());
    for (ReconcilePlan.Entry e : plan.entries()) {
      List<Ack> acks = byPartition.get(e.partition());
      assertThat(e.topic()).isEqualTo(s.topic);
      assertThat(e.slice()).isEqualTo("s20");
      assertThat(e.targetOnly()).isEqualTo(acks.size());
      assertThat(e.firstOffset()).isEqualTo(acks.stream().mapToLong(Ack::offset).min().orElseThrow());
      assertThat(e.lastOffset()).isEqualTo(acks.stream().mapToLong(Ack::offset).max().orElseThrow());
      assertThat(e.minBucket()).isBetween(0, e.maxBucket());
      assertThat(e.maxBucket()).isLessThan(ReconcileScenario.MOVED_BELOW);
      assertThat(e.firstTimestamp()).isBeforeOrEqualTo(e.lastTimestamp());
    }
    assertThat(endOffsets(onprem, s.topic)).as("source end offsets after plan").isEqualTo(sourceBefore);
    assertThat(endOffsets(cloud, s.topic)).as("target end offsets after plan").isEqualTo(targetBefore);
  }

  @Test
  void applyCopiesEachTargetOnlyRecordOnceWithItsHeadersAndAMarkerAndARerunCopiesNothing() throws Exception {
    ReconcileScenario s = scenario("rc-apply", 300);
    int n = s.onCloud().size();
    Map<Integer, Long> targetBefore = endOffsets(cloud, s.topic);

    try (Reconciler reconciler = reconcilerBuilder().recordsPerTransaction(5).build()) {
      ReconcileReport report = reconciler.apply(request(s).build());
      assertThat(report.copied()).isEqualTo(n);
      assertThat(report.alreadyPresent()).isZero();
      assertThat(report.complete()).isTrue();
      assertThat(report.read()).isEqualTo(report.copied() + report.skippedTotal());

      assertCopiedOnce(s);
      // The reconciler wrote nothing to the target: it grew only by replication, of the copies.
      await().atMost(Duration.ofSeconds(30)).until(() -> total(cloud, s.topic) == sum(targetBefore) + n);
      List<ConsumerRecord<String, String>> grown = readAll(cloud, s.topic).stream()
          .filter(r -> r.offset() >= targetBefore.get(r.partition())).toList();
      assertThat(grown).hasSize(n).allSatisfy(r -> assertThat(r.headers().lastHeader(Provenance.RECONCILED_HEADER))
          .as("a replicated copy").isNotNull());

      ReconcileReport again = reconciler.apply(request(s).build());
      assertThat(again.copied()).isZero();
      assertThat(again.alreadyPresent()).isEqualTo(n);
      assertThat(again.skipped().get(SkipReason.RECONCILED_COPY)).isEqualTo(n);
      assertThat(reconciler.plan(request(s).build()).toCopy()).isZero();
    }
    assertCopiedOnce(s);
  }

  @Test
  void anInterruptedRunThenAFullRunWriteNothingTwice() throws Exception {
    ReconcileScenario s = scenario("rc-resume", 300);
    int n = s.onCloud().size();
    try (Reconciler reconciler = reconciler()) {
      ReconcilePlan plan = reconciler.plan(request(s).build());
      ReconcileRequest.Builder half = request(s);
      for (ReconcilePlan.Entry e : plan.entries()) {
        half.targetOffsets(new TopicPartition(s.topic, e.partition()), 0, (e.firstOffset() + e.lastOffset()) / 2 + 1);
      }
      long first = reconciler.apply(half.build()).copied();
      assertThat(first).isPositive().isLessThan(n);
      assertThat(reconciler.plan(request(s).build()).toCopy()).isEqualTo(n - first);

      ReconcileReport full = reconciler.apply(request(s).build());
      assertThat(full.copied()).isEqualTo(n - first);
      assertThat(full.alreadyPresent()).isEqualTo(first);
      assertThat(reconciler.apply(request(s).build()).copied()).isZero();
    }
    assertCopiedOnce(s);
  }

  @Test
  void twoReconcilersApplyingAtOnceWriteEachRecordOnce() throws Exception {
    ReconcileScenario s = scenario("rc-concurrent", 600);
    int n = s.onCloud().size();
    CountDownLatch go = new CountDownLatch(1);
    Supplier<ReconcileReport> run = () -> {
      try (Reconciler reconciler = reconcilerBuilder().recordsPerTransaction(7).build()) {
        go.await();
        return reconciler.apply(request(s).build());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    };
    CompletableFuture<ReconcileReport> a = CompletableFuture.supplyAsync(run);
    CompletableFuture<ReconcileReport> b = CompletableFuture.supplyAsync(run);
    go.countDown();
    ReconcileReport ra = a.get(120, TimeUnit.SECONDS);
    ReconcileReport rb = b.get(120, TimeUnit.SECONDS);
    System.out.printf("[concurrent reconcilers] %s / %s%n", ra, rb);

    assertCopiedOnce(s);
    assertThat(ra.copied() + rb.copied()).isEqualTo(n);
    try (Reconciler reconciler = reconciler()) {
      assertThat(reconciler.plan(request(s).build()).toCopy()).isZero();
    }
  }

  @Test
  void aTopicWithAnotherPartitionCountOnEachSideIsRefused() {
    assertRefused(ReconcileException.Kind.PARTITION_COUNT_MISMATCH, "pcm", request("pcm"), reconciler(),
        "'pcm'", "3 partitions", "2 on the source");
  }

  @Test
  void aTopicMissingOnTheSourceIsRefused() {
    assertRefused(ReconcileException.Kind.TOPIC_MISSING, null, request("only-on-target"), reconciler(),
        "only-on-target", "'onprem'");
  }

  @Test
  void aRecordWithoutProvenanceInsideTheRangeIsRefused() throws Exception {
    String topic = "rc-noprov";
    ReconcileScenario s = new ReconcileScenario(onprem, cloud, dir, topic);
    long offset;
    try (s) {
      s.send(100);
      Map<String, Object> config = cloud.clientConfig();
      try (KafkaProducer<String, String> raw = new KafkaProducer<>(config, new StringSerializer(),
          new StringSerializer())) {
        offset = raw.send(new ProducerRecord<>(topic, 0, "k-raw", "no headers")).get(10, TimeUnit.SECONDS).offset();
      }
      s.send(100);
    }
    assertThat(s.onCloud()).anyMatch(a -> a.offset() < offset).anyMatch(a -> a.offset() > offset);
    assertRefused(ReconcileException.Kind.MISSING_PROVENANCE, topic, request(s), reconciler(),
        "offset " + offset, topic + "-0");
  }

  @Test
  void recordsDeletedInsideTheRangeAreAGap() throws Exception {
    ReconcileScenario s = scenario("rc-gap", 100);
    TopicPartition tp = new TopicPartition(s.topic, 0);
    long firstTargetOnly = s.onCloud().stream().mapToLong(Ack::offset).min().orElseThrow();
    cloud.admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(firstTargetOnly + 1))).all()
        .get(10, TimeUnit.SECONDS);
    assertRefused(ReconcileException.Kind.GAP, s.topic, request(s), reconciler(), "starts at offset "
        + (firstTargetOnly + 1));
    long end = endOffsets(cloud, s.topic).get(0);
    assertRefused(ReconcileException.Kind.GAP, s.topic, request(s).targetOffsets(tp, firstTargetOnly, end),
        reconciler(), "records " + firstTargetOnly + ".." + firstTargetOnly);
  }

  @Test
  void aTargetOnlyRecordOfASliceTheDocumentGivesToTheSourceIsRefused() throws Exception {
    ReconcileScenario s = scenario("rc-slice", 100);
    ReconcileRequest.Builder wrongDocument = ReconcileRequest.forRule(ReconcileScenario.RULE).epochs(2, 2)
        .documents(List.of(ReconcileScenario.parse(ReconcileScenario.mirror(s.topic, 1)),
            ReconcileScenario.parse(ReconcileScenario.promoted(s.topic, 2, "onprem"))));
    assertRefused(ReconcileException.Kind.SLICE_NOT_ON_TARGET, s.topic, wrongDocument, reconciler(),
        "epoch 2", "slice 's20'", "'onprem'");
  }

  @Test
  void anUnreachableClusterIsReportedWithinTheTimeout() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Reconciler reconciler = Reconciler.builder()
        .source("onprem", Map.of("bootstrap.servers", "127.0.0.1:" + port))
        .target("cloud", cloud.clientConfig())
        .requestTimeout(Duration.ofSeconds(1)).build();
    long started = System.nanoTime();
    assertRefused(ReconcileException.Kind.UNREACHABLE, null, request("only-on-target"), reconciler,
        "'onprem' (127.0.0.1:" + port + ")", "within 1000 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }

  // --- helpers ---

  private static void assertRefused(ReconcileException.Kind kind, String topic, ReconcileRequest.Builder request,
      Reconciler reconciler, String... messageParts) {
    Map<Integer, Long> sourceBefore = topic == null ? Map.of() : endOffsets(onprem, topic);
    try (reconciler) {
      assertThatThrownBy(() -> reconciler.apply(request.build())).isInstanceOfSatisfying(ReconcileException.class,
          e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.getMessage()).contains(messageParts);
          });
    }
    if (topic != null) {
      assertThat(endOffsets(onprem, topic)).as("nothing written to the source").isEqualTo(sourceBefore);
    }
  }

  /** Writes a scenario with {@code count} records under epoch 2 and waits until MirrorMaker copied onprem's. */
  private static ReconcileScenario scenario(String topic, int count) throws Exception {
    ReconcileScenario s = new ReconcileScenario(onprem, cloud, dir, topic);
    try (s) {
      s.send(count);
    }
    await().atMost(Duration.ofSeconds(30))
        .until(() -> total(cloud, topic) == s.onOnprem() + s.onCloud().size());
    return s;
  }

  private static Reconciler reconciler() {
    return reconcilerBuilder().build();
  }

  private static Reconciler.Builder reconcilerBuilder() {
    return Reconciler.builder().source("onprem", onprem.clientConfig()).target("cloud", cloud.clientConfig())
        .requestTimeout(Duration.ofSeconds(20));
  }

  private static ReconcileRequest.Builder request(ReconcileScenario s) {
    return ReconcileRequest.forRule(ReconcileScenario.RULE).epochs(2, 2).documents(s.documents());
  }

  private static ReconcileRequest.Builder request(String topic) {
    return ReconcileRequest.forRule(ReconcileScenario.RULE).epochs(2, 2)
        .documents(List.of(ReconcileScenario.parse(ReconcileScenario.promoted(topic, 2, "cloud"))));
  }

  /**
   * The source holds every record the target acknowledged exactly once, in the same partition, with its key,
   * value, timestamp and provenance headers, the marker naming its place on the target, in target order.
   */
  private static void assertCopiedOnce(ReconcileScenario s) {
    List<ConsumerRecord<String, String>> target = readAll(cloud, s.topic);
    List<ConsumerRecord<String, String>> source = readAll(onprem, s.topic);
    Map<String, ConsumerRecord<String, String>> targetAt = new HashMap<>();
    target.forEach(r -> targetAt.put(r.partition() + "/" + r.offset(), r));
    Map<String, List<ConsumerRecord<String, String>>> sourceById = source.stream()
        .filter(r -> r.headers().lastHeader(Provenance.ID_HEADER) != null)
        .collect(Collectors.groupingBy(r -> hex(r.headers().lastHeader(Provenance.ID_HEADER))));
    for (Ack ack : s.onCloud()) {
      ConsumerRecord<String, String> original = targetAt.get(ack.partition() + "/" + ack.offset());
      assertThat(original.value()).isEqualTo(ack.value());
      List<ConsumerRecord<String, String>> copies = sourceById.get(hex(original.headers().lastHeader(Provenance.ID_HEADER)));
      assertThat(copies).as("copies of %s on the source", ack).hasSize(1);
      ConsumerRecord<String, String> copy = copies.get(0);
      assertThat(copy.partition()).isEqualTo(ack.partition());
      assertThat(copy.key()).isEqualTo(ack.key());
      assertThat(copy.value()).isEqualTo(ack.value());
      assertThat(copy.timestamp()).isEqualTo(original.timestamp());
      assertThat(copy.headers().lastHeader(Provenance.ROUTE_HEADER).value())
          .isEqualTo(original.headers().lastHeader(Provenance.ROUTE_HEADER).value());
      assertThat(text(copy.headers().lastHeader(Provenance.RECONCILED_HEADER)))
          .isEqualTo("cloud/" + ack.partition() + "/" + ack.offset());
    }
    List<ConsumerRecord<String, String>> copies = source.stream()
        .filter(r -> r.headers().lastHeader(Provenance.RECONCILED_HEADER) != null).toList();
    assertThat(copies).hasSize(s.onCloud().size());
    Map<Integer, List<Long>> originalOffsets = new HashMap<>();
    for (ConsumerRecord<String, String> copy : copies) {
      String[] marker = text(copy.headers().lastHeader(Provenance.RECONCILED_HEADER)).split("/");
      originalOffsets.computeIfAbsent(copy.partition(), p -> new ArrayList<>()).add(Long.parseLong(marker[2]));
    }
    originalOffsets.forEach((p, offsets) -> assertThat(offsets).as("target order in source partition %d", p)
        .isSorted());
  }

  private static String text(Header h) {
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String hex(Header h) {
    return Arrays.toString(h.value());
  }

  static long total(KafkaTestCluster cluster, String topic) {
    return sum(endOffsets(cluster, topic));
  }

  private static long sum(Map<Integer, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  static Map<Integer, Long> endOffsets(KafkaTestCluster cluster, String topic) {
    try {
      int partitions = cluster.admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
          .get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<Integer, Long> out = new HashMap<>();
      cluster.admin().listOffsets(request).all().get(10, TimeUnit.SECONDS)
          .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every committed record of {@code topic}, by partition in offset order. */
  static List<ConsumerRecord<String, String>> readAll(KafkaTestCluster cluster, String topic) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new StringDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out reading " + topic + " on " + cluster.name());
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
        : Long.compare(a.offset(), b.offset()));
    return out;
  }
}
