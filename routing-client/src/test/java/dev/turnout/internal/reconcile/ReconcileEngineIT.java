package dev.turnout.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine against two real clusters, with target-only records written directly (rule "orders", epoch 2,
 * origin "cloud"): repeated plans continue from what the last one read and start over when a log start moved; an
 * apply whose records exceed the memory budget reads the target again; the source search finds copies written
 * after records with later timestamps.
 */
@TwoKafkaClusters
class ReconcileEngineIT {

  private static final AtomicLong IDS = new AtomicLong(1);
  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static ClusterSide source;
  private static ClusterSide target;

  @BeforeAll
  static void start(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    List.of("eng-repeat", "eng-tgap", "eng-sgap", "eng-budget", "eng-stall").forEach(t -> clusters.createTopic(t, 2));
    onprem.createTopic("eng-bound", 1);
    source = new ClusterSide("onprem", onprem.clientConfig(), Duration.ofSeconds(20));
    target = new ClusterSide("cloud", cloud.clientConfig(), Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    if (source != null) {
      source.close();
      target.close();
    }
  }

  @Test
  void aRepeatedPlanReadsOnlyWhatWasAppendedAndCountsLikeAFullPlan() throws Exception {
    String topic = "eng-repeat";
    Scope scope = scope(topic);
    ReconcileEngine engine = new ReconcileEngine(source, target, 1_000);
    writeTargetOnly(topic, 200);
    assertThat(toCopy(engine.plan(scope))).isEqualTo(200);
    assertThat(engine.lastPlanTargetReads()).isEqualTo(200);

    writeTargetOnly(topic, 50);
    List<SliceTally> again = engine.plan(scope(topic));
    assertThat(toCopy(again)).isEqualTo(250);
    assertThat(engine.lastPlanTargetReads()).as("only the appended records are read").isEqualTo(50);
    assertThat(again).isEqualTo(new ReconcileEngine(source, target, 1_000).plan(scope));

    long copied = engine.apply(scope).stream().mapToLong(CopyOutcome::copied).sum();
    assertThat(copied).isEqualTo(250);
    List<SliceTally> afterApply = engine.plan(scope);
    assertThat(toCopy(afterApply)).isZero();
    assertThat(engine.lastPlanTargetReads()).isZero();
    assertThat(engine.lastPlanSourceReads()).as("the copies, appended since the last search").isEqualTo(250);
    assertThat(toCopy(engine.plan(scope))).isZero();
    assertThat(engine.lastPlanSourceReads()).isZero();
    assertThat(afterApply).isEqualTo(new ReconcileEngine(source, target, 1_000).plan(scope));
  }

  @Test
  void aPlanAfterTheTargetLogStartMovedReadsAgainAndFindsTheGap() throws Exception {
    String topic = "eng-tgap";
    ReconcileEngine engine = new ReconcileEngine(source, target, 1_000);
    writeTargetOnly(topic, 40);
    assertThat(toCopy(engine.plan(scope(topic)))).isEqualTo(40);
    TopicPartition tp = new TopicPartition(topic, 0);
    cloud.admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(1))).all().get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> engine.plan(scope(topic))).isInstanceOf(ReconcileFailure.class)
        .satisfies(e -> assertThat(((ReconcileFailure) e).kind()).isEqualTo(ReconcileFailure.Kind.GAP))
        .hasMessageContaining("starts at offset 1");
  }

  @Test
  void aPlanAfterTheSourceLogStartMovedSearchesTheSourceAgain() throws Exception {
    String topic = "eng-sgap";
    ReconcileEngine engine = new ReconcileEngine(source, target, 1_000);
    writeTargetOnly(topic, 30);
    assertThat(engine.apply(scope(topic)).stream().mapToLong(CopyOutcome::copied).sum()).isEqualTo(30);
    assertThat(toCopy(engine.plan(scope(topic)))).isZero();
    TopicPartition tp = new TopicPartition(topic, 0);
    // partition 0 holds 15 copies and a commit marker: delete all of it
    onprem.admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(endOffset(onprem, tp)))).all()
        .get(10, TimeUnit.SECONDS);

    List<SliceTally> plan = engine.plan(scope(topic));
    assertThat(toCopy(plan)).as("the copies deleted from the source are missing again").isEqualTo(15);
    assertThat(plan).isEqualTo(new ReconcileEngine(source, target, 1_000).plan(scope(topic)));
  }

  @Test
  void anApplyWhoseRecordsExceedTheMemoryBudgetReadsTheTargetAgainAndCopiesTheSame() throws Exception {
    String topic = "eng-budget";
    writeTargetOnly(topic, 120);
    // room for one partition's 60 records (about 330 bytes each) but not both: one is kept, the other read again
    ReconcileEngine engine = new ReconcileEngine(source, target, 7, 25_000L);
    List<CopyOutcome> outcomes = engine.apply(scope(topic));
    assertThat(outcomes.stream().mapToLong(CopyOutcome::copied).sum()).isEqualTo(120);

    for (int p = 0; p < 2; p++) {
      TopicPartition tp = new TopicPartition(topic, p);
      List<ConsumerRecord<byte[], byte[]>> originals = readAll(cloud, tp);
      List<ConsumerRecord<byte[], byte[]>> copies = readAll(onprem, tp);
      assertThat(copies).hasSameSizeAs(originals);
      for (int i = 0; i < originals.size(); i++) {
        ConsumerRecord<byte[], byte[]> o = originals.get(i);
        ConsumerRecord<byte[], byte[]> c = copies.get(i);
        assertThat(c.key()).isEqualTo(o.key());
        assertThat(c.value()).isEqualTo(o.value());
        assertThat(c.timestamp()).isEqualTo(o.timestamp());
        assertThat(c.headers().lastHeader(ProvenanceHeaders.ID).value())
            .isEqualTo(o.headers().lastHeader(ProvenanceHeaders.ID).value());
        assertThat(new String(c.headers().lastHeader(ProvenanceHeaders.RECONCILED).value(), StandardCharsets.UTF_8))
            .isEqualTo("cloud/" + p + "/" + o.offset());
      }
    }
    assertThat(toCopy(new ReconcileEngine(source, target, 7).plan(scope(topic)))).isZero();
  }

  @Test
  void theSourceSearchFindsACopyWrittenAfterRecordsWithLaterTimestamps() throws Exception {
    TopicPartition tp = new TopicPartition("eng-bound", 0);
    long now = System.currentTimeMillis();
    long copyTimestamp = now - Duration.ofHours(1).toMillis();
    byte[] copyId = id(IDS.getAndIncrement());
    try (KafkaProducer<byte[], byte[]> producer = producer(onprem)) {
      send(producer, tp, now - Duration.ofHours(2).toMillis(), id(IDS.getAndIncrement())); // offset 0: older
      send(producer, tp, now, id(IDS.getAndIncrement()));                                  // offset 1: newer
      send(producer, tp, copyTimestamp, copyId);                                           // offset 2: the copy
      producer.flush();
    }
    SourcePresence presence = new SourcePresence(source);

    assertThat(presence.ranges(Map.of(tp, copyTimestamp))).containsEntry(tp, new OffsetRange(1, 3));
    Set<ByteBuffer> found = presence.present(tp, Set.of(ByteBuffer.wrap(copyId)), copyTimestamp);
    assertThat(found).containsExactly(ByteBuffer.wrap(copyId));
  }

  @Test
  void aLogAppendTimeSourceTopicIsSearchedFromItsLogStart() throws Exception {
    onprem.admin().createTopics(List.of(new NewTopic("eng-append", 1, (short) 1)
        .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")))).all().get(10, TimeUnit.SECONDS);
    onprem.createTopic("eng-create", 1);
    TopicPartition tp = new TopicPartition("eng-append", 0);
    TopicPartition createTime = new TopicPartition("eng-create", 0);
    try (KafkaProducer<byte[], byte[]> producer = producer(onprem)) {
      for (int i = 0; i < 3; i++) {
        send(producer, tp, System.currentTimeMillis(), id(IDS.getAndIncrement()));
        send(producer, createTime, System.currentTimeMillis(), id(IDS.getAndIncrement()));
      }
    }
    long future = System.currentTimeMillis() + Duration.ofHours(2).toMillis();
    SourcePresence presence = new SourcePresence(source);

    assertThat(presence.ranges(Map.of(tp, future))).containsEntry(tp, new OffsetRange(0, 3));
    assertThat(presence.ranges(Map.of(createTime, future)))
        .as("a CreateTime topic holds no record that late").containsEntry(createTime, new OffsetRange(3, 3));
  }

  @Test
  void anOpenTransactionOnOneSourcePartitionStallsThePlanAndNamesThatPartition() throws Exception {
    String topic = "eng-stall";
    writeTargetOnly(topic, 20);
    Map<String, Object> config = onprem.clientConfig();
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "eng-stall-open");
    try (KafkaProducer<byte[], byte[]> open = new KafkaProducer<>(config, new ByteArraySerializer(),
        new ByteArraySerializer());
        ClusterSide impatient = new ClusterSide("onprem", onprem.clientConfig(), Duration.ofSeconds(2))) {
      open.initTransactions();
      open.beginTransaction();
      open.send(new ProducerRecord<>(topic, 1, null, new byte[1])).get(10, TimeUnit.SECONDS);

      assertThatThrownBy(() -> new ReconcileEngine(impatient, target, 1_000).plan(scope(topic)))
          .isInstanceOf(ReconcileFailure.class)
          .satisfies(e -> assertThat(((ReconcileFailure) e).kind()).isEqualTo(ReconcileFailure.Kind.STALLED))
          .hasMessageContaining("partition " + topic + "-1 of 'onprem'");
      open.abortTransaction();
    }
  }

  private static Scope scope(String topic) {
    AuthorityMap document = AuthorityMap.parse(Map.of("epoch", "2", "source", "onprem", "target", "cloud",
        "rule.orders.topics", topic, "rule.orders.state", "TARGET_AUTHORITY"), List.of("onprem", "cloud"));
    return new Scope("orders", null, 2, 2, new EpochDocuments(List.of(document)), Map.of(), null);
  }

  private static long toCopy(List<SliceTally> plan) {
    return plan.stream().mapToLong(t -> t.targetOnly() - t.alreadyOnSource()).sum();
  }

  /** {@code count} target-only records spread over partitions 0 and 1, each with a unique id. */
  private static void writeTargetOnly(String topic, int count) throws Exception {
    Header route = ProvenanceHeaders.routeHeader("cloud", 2, "orders", null);
    try (KafkaProducer<byte[], byte[]> producer = producer(cloud)) {
      for (int i = 0; i < count; i++) {
        long n = IDS.getAndIncrement();
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, i % 2,
            ("k" + n).getBytes(StandardCharsets.UTF_8), ("v" + n).getBytes(StandardCharsets.UTF_8));
        r.headers().add(route);
        r.headers().add(ProvenanceHeaders.ID, id(n));
        producer.send(r).get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, TopicPartition tp, long timestamp, byte[] id)
      throws Exception {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(tp.topic(), tp.partition(), timestamp, null,
        "x".getBytes(StandardCharsets.UTF_8));
    r.headers().add(ProvenanceHeaders.routeHeader("cloud", 2, "orders", null));
    r.headers().add(ProvenanceHeaders.ID, id);
    producer.send(r).get(10, TimeUnit.SECONDS);
  }

  private static byte[] id(long n) {
    byte[] bytes = new byte[ProvenanceHeaders.ID_LENGTH];
    for (int i = 0; i < 8; i++) {
      bytes[15 - i] = (byte) (n >>> (8 * i));
    }
    return bytes;
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaTestCluster cluster) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static long endOffset(KafkaTestCluster cluster, TopicPartition tp) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster)) {
      return consumer.endOffsets(List.of(tp)).get(tp);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaTestCluster cluster, TopicPartition tp) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster)) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).records(tp).forEach(out::add);
      }
    }
    return out;
  }

  private static KafkaConsumer<byte[], byte[]> consumer(KafkaTestCluster cluster) {
    Map<String, Object> config = new HashMap<>(cluster.clientConfig());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
