package dev.turnout;

import static dev.turnout.ConsumerTestSupport.consumerConfig;
import static dev.turnout.ConsumerTestSupport.count;
import static dev.turnout.ConsumerTestSupport.pollFor;
import static dev.turnout.ConsumerTestSupport.producer;
import static dev.turnout.ConsumerTestSupport.values;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.internal.consumer.RecordIdentity;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer group moving back from the target to the source (a rollback) against two real clusters,
 * MirrorMaker 2 replicating onprem to cloud. The group reads onprem, moves to cloud with the promotion, and
 * processes there records replicated from onprem (other slices keep writing there) and records written only
 * to cloud; then the map rolls back. The test plays the reconciliation itself: it copies cloud's own records
 * to onprem (same key, value, timestamp and headers, plus the {@code turnout.reconciled} marker), interleaved
 * with new records on onprem, some of them processed on cloud before the rollback and some not.
 */
@TwoKafkaClusters
class ConsumerMoveBackIT {

  private static final AtomicLong IDS = new AtomicLong();
  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static InProcessMirrorMaker mirror;

  @TempDir
  Path dir;

  @BeforeAll
  static void start(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    for (String topic : List.of("mb-one", "mb-restart", "mb-window")) {
      clusters.createTopic(topic, 1);
    }
    mirror = InProcessMirrorMaker.builder(clusters).aliases("onprem", "cloud").topics("mb-.*").start();
  }

  @AfterAll
  static void stop() {
    if (mirror != null) {
      mirror.close();
    }
  }

  private static String doc(long epoch, String topic, String state) {
    String doc = "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.r.topics=" + topic + "\nrule.r.state=" + state
        + "\n";
    return state.equals("WRITE_PROMOTION") ? doc + "rule.r.slice.all.keys=0-9999\nrule.r.slice.all.owner=cloud\n" : doc;
  }

  /** Records {@code prefix-from..to-1} as a Turnout producer routed them to {@code origin} at {@code epoch}. */
  private static void write(KafkaTestCluster cluster, String topic, String prefix, int from, int to, String origin,
      long epoch) throws Exception {
    try (KafkaProducer<String, String> producer = producer(cluster)) {
      for (int i = from; i < to; i++) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ProvenanceHeaders.routeHeader(origin, epoch, "r", null));
        headers.add(new RecordHeader(ProvenanceHeaders.ID, ByteBuffer.allocate(16).putLong(0x5eed).putLong(
            IDS.incrementAndGet()).array()));
        producer.send(new ProducerRecord<>(topic, 0, null, "k-" + prefix + i, prefix + "-" + i, headers))
            .get(10, TimeUnit.SECONDS);
      }
    }
  }

  /** What reconciliation does: copies cloud's record {@code value} to onprem with its marker. */
  private static void reconcile(String topic, String... values) throws Exception {
    List<ConsumerRecord<String, String>> onCloud = Records.readAll(cloud, topic);
    try (KafkaProducer<String, String> producer = producer(onprem)) {
      for (String value : values) {
        ConsumerRecord<String, String> original = onCloud.stream().filter(r -> r.value().equals(value)).findFirst()
            .orElseThrow();
        RecordHeaders headers = new RecordHeaders(original.headers().toArray());
        headers.add(new RecordHeader(RecordIdentity.RECONCILED, ("cloud/" + original.partition() + "/"
            + original.offset()).getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(topic, 0, original.timestamp(), original.key(), original.value(), headers))
            .get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> names(String prefix, int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(prefix + "-" + i);
    }
    return out;
  }

  /** Polls (committing after each batch) until {@code received} holds every value of {@code expected}. */
  private static void pollUntil(RoutingConsumer<String, String> consumer, List<String> received,
      Collection<String> expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!received.containsAll(expected)) {
      assertThat(System.nanoTime()).as("waiting for %s; received %s", expected, received).isLessThan(deadline);
      var records = consumer.poll(Duration.ofMillis(100));
      records.forEach(r -> received.add(r.value()));
      if (!records.isEmpty()) {
        consumer.commitSync();
      }
    }
  }

  /** Applies a new document and polls (collecting) until the consumer reads the topic from {@code cluster}. */
  private static void moveTo(RoutingConsumer<String, String> consumer, Path file, String document, String topic,
      String cluster, List<String> received) {
    writeDocument(file, document);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!cluster.equals(consumer.readCluster(topic))) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      consumer.poll(Duration.ofMillis(100)).forEach(r -> received.add(r.value()));
    }
  }

  private Map<String, Object> config(Path file, String group) {
    return consumerConfig(onprem, cloud, file, group);
  }

  /**
   * The group reads s-0..9 on onprem, moves to cloud, processes s-10..12 (replicated) and t-0..2 (cloud only)
   * there, and moves back to onprem; then t-3 and t-4 arrive on cloud (a late writer), never processed there.
   */
  private void promoteAndRollBack(RoutingConsumer<String, String> consumer, Path file, String topic,
      List<String> received) throws Exception {
    consumer.subscribe(List.of(topic));
    write(onprem, topic, "s", 0, 10, "onprem", 1);
    pollUntil(consumer, received, names("s", 0, 10));
    await().atMost(Duration.ofSeconds(30)).until(() -> Records.readAll(cloud, topic).size() >= 10);
    moveTo(consumer, file, doc(2, topic, "WRITE_PROMOTION"), topic, "cloud", received);
    write(onprem, topic, "s", 10, 13, "onprem", 2);
    write(cloud, topic, "t", 0, 3, "cloud", 2);
    pollUntil(consumer, received, List.of("s-10", "s-11", "s-12", "t-0", "t-1", "t-2"));
    moveTo(consumer, file, doc(3, topic, "MIRROR"), topic, "onprem", received);
    write(cloud, topic, "t", 3, 5, "cloud", 2);
  }

  @Test
  void oneMemberProcessesEveryRecordOnceThroughThePromotionTheRollbackAndTheReconciliation() throws Exception {
    String topic = "mb-one";
    Path file = dir.resolve("one.properties");
    writeDocument(file, doc(1, topic, "MIRROR"));
    List<String> received = new ArrayList<>();
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config(file, "mb-one-g"))) {
      promoteAndRollBack(consumer, file, topic, received);
      write(onprem, topic, "s", 13, 14, "onprem", 3);
      reconcile(topic, "t-0");
      write(onprem, topic, "s", 14, 15, "onprem", 3);
      reconcile(topic, "t-1", "t-2");
      write(onprem, topic, "s", 15, 16, "onprem", 3);
      reconcile(topic, "t-3", "t-4");
      write(onprem, topic, "s", 16, 17, "onprem", 3);
      List<String> all = new ArrayList<>(names("s", 0, 17));
      all.addAll(names("t", 0, 5));
      pollUntil(consumer, received, all);
      received.addAll(values(pollFor(consumer, Duration.ofSeconds(2))));
      assertThat(received).as("every record exactly once").containsExactlyInAnyOrderElementsOf(all);
      assertThat(count(consumer, "duplicates-avoided-total", Map.of()))
          .as("at least the copies of t-0..2 on onprem").isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void aMemberStartedAfterTheMoveBackWithholdsTheSameCopies() throws Exception {
    String topic = "mb-restart";
    Path file = dir.resolve("restart.properties");
    writeDocument(file, doc(1, topic, "MIRROR"));
    List<String> received = new ArrayList<>();
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config(file, "mb-restart-g"))) {
      promoteAndRollBack(consumer, file, topic, received);
      write(onprem, topic, "s", 13, 14, "onprem", 3);
      reconcile(topic, "t-0");
      write(onprem, topic, "s", 14, 15, "onprem", 3);
      pollUntil(consumer, received, List.of("s-13", "s-14"));
    }
    // The reconciliation goes on while no member runs; a new instance of the group takes the partition.
    reconcile(topic, "t-1", "t-2");
    write(onprem, topic, "s", 15, 16, "onprem", 3);
    reconcile(topic, "t-3", "t-4");
    write(onprem, topic, "s", 16, 17, "onprem", 3);
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config(file, "mb-restart-g"))) {
      consumer.subscribe(List.of(topic));
      pollUntil(consumer, received, List.of("s-15", "s-16", "t-3", "t-4"));
      received.addAll(values(pollFor(consumer, Duration.ofSeconds(2))));
      assertThat(count(consumer, "duplicates-avoided-total", Map.of())).as("the copies of t-1 and t-2")
          .isEqualTo(2);
    }
    List<String> all = new ArrayList<>(names("s", 0, 17));
    all.addAll(names("t", 0, 5));
    assertThat(received).as("every record exactly once").containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void aPromotedRangeLargerThanTheWindowBlocksThePartitionWithTheTypedError() throws Exception {
    String topic = "mb-window";
    Path file = dir.resolve("window.properties");
    writeDocument(file, doc(1, topic, "MIRROR"));
    Map<String, Object> config = config(file, "mb-window-g");
    config.put(TurnoutConfig.CONSUMER_DEDUPE_WINDOW, 4);
    List<String> received = new ArrayList<>();
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      BoundaryNotVerifiedException[] thrown = new BoundaryNotVerifiedException[1];
      try {
        promoteAndRollBack(consumer, file, topic, received);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (thrown[0] == null) {
          assertThat(System.nanoTime()).isLessThan(deadline);
          consumer.poll(Duration.ofMillis(100)).forEach(r -> received.add(r.value()));
        }
      } catch (BoundaryNotVerifiedException e) {
        thrown[0] = e;
      }
      BoundaryNotVerifiedException e = thrown[0];
      assertThat(e.reason()).isEqualTo(BoundaryNotVerifiedException.Reason.DEDUPE_WINDOW_EXCEEDED);
      assertThat(e.blocked()).isTrue();
      assertThat(e.getMessage()).contains("the promoted range holds 6 records", "turnout.consumer.dedupe.window=4",
          "Raise turnout.consumer.dedupe.window to at least 6", "seek the partition");
      assertThat(count(consumer, "partitions-blocked", Map.of())).isEqualTo(1);
      write(onprem, topic, "s", 13, 14, "onprem", 3);
      assertThat(values(pollFor(consumer, Duration.ofSeconds(2)))).as("the partition stays blocked").isEmpty();
    }
  }
}
