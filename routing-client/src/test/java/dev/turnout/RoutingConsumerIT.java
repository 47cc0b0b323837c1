package dev.turnout;

import static dev.turnout.ConsumerTestSupport.committed;
import static org.awaitility.Awaitility.await;
import static dev.turnout.ConsumerTestSupport.consumerConfig;
import static dev.turnout.ConsumerTestSupport.count;
import static dev.turnout.ConsumerTestSupport.drain;
import static dev.turnout.ConsumerTestSupport.metric;
import static dev.turnout.ConsumerTestSupport.pollFor;
import static dev.turnout.ConsumerTestSupport.sequence;
import static dev.turnout.ConsumerTestSupport.values;
import static dev.turnout.ConsumerTestSupport.writeSame;
import static dev.turnout.Records.producerConfig;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.turnout.internal.consumer.CommitStamp;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RoutingConsumer against two real in-process KRaft clusters: onprem (source) and cloud (target). */
@TwoKafkaClusters
class RoutingConsumerIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @TempDir
  Path dir;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    for (String topic : List.of("r-mirror", "r-dual", "r-promo", "r-target", "ident", "rewind", "back", "governed",
        "nobody", "nomap", "stale", "eos", "auto", "byid", "twins", "manual", "api-a", "api-b", "pat.a", "pat.b")) {
      clusters.createTopic(topic, 1);
    }
    clusters.createTopic("lacking", 2);
  }

  private Path authority(String name, String document) {
    Path file = dir.resolve(name + ".properties");
    writeDocument(file, document);
    return file;
  }

  private static String doc(long epoch, String... rules) {
    StringBuilder sb = new StringBuilder("epoch=" + epoch + "\nsource=onprem\ntarget=cloud\n");
    for (String rule : rules) {
      sb.append(rule).append('\n');
    }
    return sb.toString();
  }

  private static String rule(String name, String topics, String state) {
    String r = "rule." + name + ".topics=" + topics + "\nrule." + name + ".state=" + state;
    if (state.equals("WRITE_PROMOTION")) {
      r += "\nrule." + name + ".slice.all.keys=0-9999\nrule." + name + ".slice.all.owner=cloud";
    }
    return r;
  }

  private static long base() {
    return System.currentTimeMillis() - 60_000;
  }

  // -------------------------------------------------------------------------------------------------------

  @Test
  void productionReadsFollowTheStateAndTheValidationRoleReadsTheTargetOfDualReadUnderItsOwnGroup() throws Exception {
    long base = base();
    for (String topic : List.of("r-mirror", "r-dual", "r-promo", "r-target")) {
      writeSame(sequence(topic, 0, topic + "@onprem", 0, 5, base), onprem);
      writeSame(sequence(topic, 0, topic + "@cloud", 0, 5, base), cloud);
    }
    Path file = authority("reads", doc(1, rule("m", "r-mirror", "MIRROR"), rule("d", "r-dual", "DUAL_READ"),
        rule("p", "r-promo", "WRITE_PROMOTION"), rule("t", "r-target", "TARGET_AUTHORITY")));
    List<String> all = List.of("r-mirror", "r-dual", "r-promo", "r-target");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig(onprem, cloud, file, "reads"))) {
      consumer.subscribe(all);
      List<ConsumerRecord<String, String>> got = drain(consumer, 20);
      assertThat(got).hasSize(20);
      Map<String, String> expected = Map.of("r-mirror", "onprem", "r-dual", "onprem", "r-promo", "cloud",
          "r-target", "cloud");
      for (ConsumerRecord<String, String> r : got) {
        assertThat(r.value()).startsWith(r.topic() + "@" + expected.get(r.topic()));
      }
      expected.forEach((topic, cluster) -> {
        assertThat(consumer.readCluster(topic)).isEqualTo(cluster);
        assertThat(metric(consumer, "read-cluster", Map.of("topic", topic))).isEqualTo(cluster);
      });
      assertThat(consumer.subscription()).containsExactlyInAnyOrderElementsOf(all);
    }
    Map<TopicPartition, OffsetAndMetadata> productionOnprem = committed(onprem, "reads");
    assertThat(productionOnprem).containsKeys(new TopicPartition("r-dual", 0), new TopicPartition("r-mirror", 0));

    Map<String, Object> validation = consumerConfig(onprem, cloud, file, "reads");
    validation.put(TurnoutConfig.CONSUMER_ROLE, "validation");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(validation)) {
      consumer.subscribe(List.of("r-dual", "r-mirror"));
      List<ConsumerRecord<String, String>> got = drain(consumer, 10);
      assertThat(got).filteredOn(r -> r.topic().equals("r-dual")).extracting(ConsumerRecord::value)
          .allSatisfy(v -> assertThat(v).startsWith("r-dual@cloud")).hasSize(5);
      assertThat(got).filteredOn(r -> r.topic().equals("r-mirror")).extracting(ConsumerRecord::value)
          .allSatisfy(v -> assertThat(v).startsWith("r-mirror@onprem")).hasSize(5);
      assertThat(consumer.readCluster("r-dual")).isEqualTo("cloud");
      consumer.commitSync(Map.of(new TopicPartition("r-dual", 0), new OffsetAndMetadata(5)));
      consumer.subscribe(List.of("r-dual"));
      assertThat(consumer.groupMetadata().groupId()).isEqualTo("reads.turnout-validation");
    }
    assertThat(committed(cloud, "reads.turnout-validation")).containsKey(new TopicPartition("r-dual", 0));
    assertThat(committed(cloud, "reads")).as("the production group on the target").doesNotContainKey(
        new TopicPartition("r-dual", 0));
    assertThat(committed(onprem, "reads")).as("the production group's commits are untouched")
        .isEqualTo(productionOnprem);
  }

  @Test
  void identityTranslationMovesTheGroupToTheTargetAtTheExactOffsetWithAConsistentRevokeAndAssign() throws Exception {
    long base = base();
    TopicPartition tp = new TopicPartition("ident", 0);
    writeSame(sequence("ident", 0, "v", 0, 40, base), onprem, cloud);
    Path file = authority("ident", doc(1, rule("i", "ident", "MIRROR")));
    Map<String, Object> config = consumerConfig(onprem, cloud, file, "ident-g");
    config.put(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, "identity");
    List<String> events = new CopyOnWriteArrayList<>();
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      consumer.subscribe(List.of("ident"), recorder(events));
      List<ConsumerRecord<String, String>> first = drain(consumer, 40);
      assertThat(consumer.readCluster("ident")).isEqualTo("onprem");

      writeDocument(file, doc(2, rule("i", "ident", "TARGET_AUTHORITY")));
      writeSame(sequence("ident", 0, "v", 40, 60, base), onprem, cloud);
      List<ConsumerRecord<String, String>> second = drain(consumer, r -> r.size() >= 20, Duration.ofSeconds(30));
      // A little longer: nothing more may arrive.
      second.addAll(pollFor(consumer, Duration.ofSeconds(1)));

      List<String> all = new ArrayList<>(values(first));
      all.addAll(values(second));
      assertThat(all).containsExactlyElementsOf(IntStream.range(0, 60).mapToObj(i -> "v-" + i).toList());
      assertThat(consumer.readCluster("ident")).isEqualTo("cloud");
      assertThat(consumer.epoch()).isEqualTo(2);
      assertThat(count(consumer, "boundary-verifications-total", Map.of("outcome", "verified"))).isEqualTo(1);
      assertThat(count(consumer, "duplicates-avoided-total", Map.of())).isZero();
      assertThat(count(consumer, "read-switches-total", Map.of())).isEqualTo(1);
      assertThat((Double) metric(consumer, "switch-duration-ms-max", Map.of())).isGreaterThan(0);
      long longest = (Long) metric(consumer, "switch-duration-ms-longest", Map.of());
      assertThat(longest).isEqualTo(((Double) metric(consumer, "switch-duration-ms-max", Map.of())).longValue());
      assertThat(consumer.status().consumer().switchDurationMaxMs()).as("the longest since the start")
          .isEqualTo((double) longest);
      assertThat(consumer.committed(Set.of(tp)).get(tp).offset()).isEqualTo(60);
      assertThat(events).containsExactly("assigned [ident-0]", "revoked [ident-0]", "assigned [ident-0]");
    }
    assertThat(events).as("close revokes, as KafkaConsumer does").endsWith("revoked [ident-0]");
    OffsetAndMetadata onTarget = committed(cloud, "ident-g").get(tp);
    assertThat(onTarget.offset()).isEqualTo(60);
    assertThat(CommitStamp.parse(onTarget.metadata()).epoch()).isEqualTo(2);
    OffsetAndMetadata handover = committed(onprem, "ident-g").get(tp);
    assertThat(CommitStamp.parse(handover.metadata()).kind()).isEqualTo(CommitStamp.Kind.HANDOVER);
    assertThat(handover.offset()).isBetween(40L, 60L);
  }

  private static ConsumerRebalanceListener recorder(List<String> events) {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
          events.add("revoked " + partitions);
        }
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
          events.add("assigned " + partitions);
        }
      }
    };
  }

  @Test
  void aTurnoutIdIdentifiesTheLastProcessedRecordWhereOffsetsAndTimestampsDiffer() throws Exception {
    TopicPartition tp = new TopicPartition("byid", 0);
    Path producerFile = authority("byid-producer", doc(1, rule("b", "byid", "MIRROR")));
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, producerFile))) {
      for (int i = 0; i < 8; i++) {
        producer.send(new ProducerRecord<>("byid", 0, "k" + i, "b-" + i)).get(10, TimeUnit.SECONDS);
      }
    }
    // A copy on the target at other offsets (one unrelated record first) and with other timestamps: only the ids match.
    List<ProducerRecord<String, String>> copies = new ArrayList<>();
    copies.add(new ProducerRecord<>("byid", 0, base(), "other", "unrelated"));
    for (ConsumerRecord<String, String> r : Records.readAll(onprem, "byid")) {
      copies.add(new ProducerRecord<>("byid", 0, r.timestamp() + 5, r.key(), r.value(), r.headers()));
    }
    writeSame(copies, cloud);
    Path file = authority("byid", doc(1, rule("b", "byid", "MIRROR")));
    Map<String, Object> config = consumerConfig(onprem, cloud, file, "byid-g");
    config.put(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, "identity");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      consumer.subscribe(List.of("byid"));
      drain(consumer, 8);
      writeDocument(file, doc(2, rule("b", "byid", "TARGET_AUTHORITY")));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (count(consumer, "boundary-verifications-total", Map.of("outcome", "verified")) < 1) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        assertThat(consumer.poll(Duration.ofMillis(100))).isEmpty();
      }
      assertThat(consumer.position(tp)).as("after the copy of b-7, at offset 8 on the target").isEqualTo(9);
      assertThat(count(consumer, "duplicates-avoided-total", Map.of()))
          .as("identity said 8, one short because of the extra record: trusting it would have delivered b-7 again")
          .isEqualTo(1);
    }
  }

  @Test
  void identicalPlainRecordsMakeTheBoundaryAmbiguousAndItFailsClosed() throws Exception {
    long base = base();
    TopicPartition tp = new TopicPartition("twins", 0);
    List<ProducerRecord<String, String>> records = new ArrayList<>(sequence("twins", 0, "t", 0, 4, base));
    records.add(new ProducerRecord<>("twins", 0, base + 3, "k3", "t-3")); // the same record written twice
    writeSame(records, onprem, cloud);
    Path file = authority("twins", doc(1, rule("t", "twins", "MIRROR")));
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig(onprem, cloud, file, "twins-g"))) {
      consumer.subscribe(List.of("twins"));
      drain(consumer, 5);
      writeDocument(file, doc(2, rule("t", "twins", "TARGET_AUTHORITY")));
      BoundaryNotVerifiedException failure = catchThrowableOfType(BoundaryNotVerifiedException.class,
          () -> pollFor(consumer, Duration.ofSeconds(15)));
      assertThat(failure).isNotNull();
      assertThat(failure.partition()).isEqualTo(tp);
      assertThat(failure.reason()).isEqualTo(BoundaryNotVerifiedException.Reason.AMBIGUOUS_MATCH);
      assertThat(failure.getMessage()).contains("offsets 3 and 4");
    }
  }

  @Test
  void aBoundaryTheTargetCannotShowFailsClosedForThatPartitionOnlyUntilTheApplicationSeeks() throws Exception {
    long base = base();
    TopicPartition lacking = new TopicPartition("lacking", 0);
    TopicPartition complete = new TopicPartition("lacking", 1);
    writeSame(sequence("lacking", 0, "v", 0, 10, base), onprem, cloud);
    writeSame(sequence("lacking", 0, "v", 10, 20, base), onprem); // never replicated
    writeSame(sequence("lacking", 1, "w", 0, 20, base), onprem, cloud);
    Path file = authority("lacking", doc(1, rule("l", "lacking", "MIRROR")));
    Map<String, Object> config = consumerConfig(onprem, cloud, file, "lacking-g");
    config.put(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, 1500);
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      consumer.subscribe(List.of("lacking"));
      drain(consumer, 40);
      writeDocument(file, doc(2, rule("l", "lacking", "TARGET_AUTHORITY")));
      writeSame(sequence("lacking", 1, "w", 20, 25, base), cloud);

      List<ConsumerRecord<String, String>> after = new ArrayList<>();
      BoundaryNotVerifiedException failure = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while ((failure == null || after.size() < 5) && System.nanoTime() < deadline) {
        try {
          consumer.poll(Duration.ofMillis(200)).forEach(after::add);
        } catch (BoundaryNotVerifiedException e) {
          assertThat(failure).as("reported once").isNull();
          failure = e;
        }
      }
      assertThat(failure).isNotNull();
      assertThat(failure.partition()).isEqualTo(lacking);
      assertThat(failure.reason()).isEqualTo(BoundaryNotVerifiedException.Reason.LAST_RECORD_NOT_FOUND);
      assertThat(failure.blocked()).isTrue();
      assertThat(failure.fromCluster()).isEqualTo("onprem");
      assertThat(failure.toCluster()).isEqualTo("cloud");
      assertThat(failure.getMessage()).contains("offset 19").contains("Seek");
      assertThat(values(after)).containsExactly("w-20", "w-21", "w-22", "w-23", "w-24");
      assertThat(count(consumer, "partitions-blocked", Map.of())).isEqualTo(1);
      assertThat(count(consumer, "boundary-verifications-total", Map.of("outcome", "failed-closed"))).isEqualTo(1);
      assertThat(count(consumer, "boundary-verifications-total", Map.of("outcome", "verified"))).isEqualTo(1);
      assertThat(catchThrowableOfType(BoundaryNotVerifiedException.class, () -> consumer.position(lacking)))
          .isNotNull();
      assertThat(consumer.committed(Set.of(lacking)).get(lacking)).as("nothing committed on the target").isNull();

      // Still nothing from the blocked partition, even when the target has new records there.
      writeSame(sequence("lacking", 0, "v", 100, 103, base + 1000), cloud);
      assertThat(pollFor(consumer, Duration.ofSeconds(1))).isEmpty();

      // An explicit seek is the application's decision: the partition resumes there.
      consumer.seek(lacking, 10);
      List<ConsumerRecord<String, String>> resumed = drain(consumer, 3);
      assertThat(values(resumed)).containsExactly("v-100", "v-101", "v-102");
      assertThat(count(consumer, "partitions-blocked", Map.of())).isZero();
      assertThat(consumer.committed(Set.of(complete)).get(complete).offset()).isEqualTo(25);
    }
  }

  @Test
  void withRewindAnUnverifiedBoundaryResumesAtTheTranslatedOffsetAndCountsTheDuplicates() throws Exception {
    long base = base();
    writeSame(sequence("rewind", 0, "v", 0, 10, base), onprem, cloud);
    writeSame(sequence("rewind", 0, "v", 10, 20, base), onprem);
    Path file = authority("rewind", doc(1, rule("r", "rewind", "MIRROR")));
    Map<String, Object> config = consumerConfig(onprem, cloud, file, "rewind-g");
    config.put(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, 1000);
    config.put(TurnoutConfig.CONSUMER_UNVERIFIED, "rewind");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      consumer.subscribe(List.of("rewind"));
      drain(consumer, 20);
      writeDocument(file, doc(2, rule("r", "rewind", "TARGET_AUTHORITY")));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (count(consumer, "boundary-verifications-total", Map.of("outcome", "rewound")) < 1) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        assertThat(consumer.poll(Duration.ofMillis(100))).isEmpty();
      }
      // The replica catches up late: the consumer, rewound to the translated offset, sees ten records again.
      writeSame(sequence("rewind", 0, "v", 10, 25, base), cloud);
      List<ConsumerRecord<String, String>> after = drain(consumer, 15);
      assertThat(values(after)).containsExactlyElementsOf(IntStream.range(10, 25).mapToObj(i -> "v-" + i).toList());
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (count(consumer, "duplicates-admitted-total", Map.of()) < 10) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(100));
      }
      assertThat(count(consumer, "duplicates-admitted-total", Map.of())).isEqualTo(10);
      assertThat(count(consumer, "partitions-blocked", Map.of())).isZero();
    }
  }

  @Test
  void movingBackFromTheTargetResumesOnTheSourceAfterTheLastRecordThatCameFromIt() throws Exception {
    long base = base();
    writeSame(sequence("back", 0, "s", 0, 10, base), onprem, cloud);
    Path producerFile = authority("back-producer", doc(1, rule("b", "back", "TARGET_AUTHORITY")));
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, producerFile))) {
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>("back", 0, "t" + i, "t-" + i)).get(10, TimeUnit.SECONDS);
      }
    }
    Path file = authority("back", doc(1, rule("b", "back", "TARGET_AUTHORITY")));
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig(onprem, cloud, file, "back-g"))) {
      consumer.subscribe(List.of("back"));
      List<ConsumerRecord<String, String>> onTarget = drain(consumer, 15);
      assertThat(values(onTarget)).endsWith("t-0", "t-1", "t-2", "t-3", "t-4");
      assertThat(consumer.readCluster("back")).isEqualTo("cloud");

      writeDocument(file, doc(2, rule("b", "back", "MIRROR"), "rule.b.rollback.allowed=true"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!"onprem".equals(consumer.readCluster("back")) && System.nanoTime() < deadline) {
        assertThat(consumer.poll(Duration.ofMillis(100))).isEmpty();
      }
      // Only the source's records after the switch: the last processed record on the target was written there.
      writeSame(sequence("back", 0, "s", 10, 15, base), onprem, cloud);
      List<ConsumerRecord<String, String>> onSource = drain(consumer, 5);
      onSource.addAll(pollFor(consumer, Duration.ofSeconds(1)));
      assertThat(values(onSource)).containsExactly("s-10", "s-11", "s-12", "s-13", "s-14");
      assertThat(consumer.readCluster("back")).isEqualTo("onprem");
      assertThat(count(consumer, "boundary-verifications-total", Map.of("outcome", "verified"))).isEqualTo(1);
    }
    assertThat(committed(onprem, "back-g").get(new TopicPartition("back", 0)).offset()).isEqualTo(15);
    OffsetAndMetadata handover = committed(cloud, "back-g").get(new TopicPartition("back", 0));
    assertThat(handover.offset()).isEqualTo(15);
    assertThat(CommitStamp.parse(handover.metadata()).kind()).isEqualTo(CommitStamp.Kind.HANDOVER);
  }

  @Test
  void aTopicNoRuleGovernsIsReadNowhereAndReportedOnce() throws Exception {
    writeSame(sequence("governed", 0, "g", 0, 5, base()), onprem);
    writeSame(sequence("nobody", 0, "n", 0, 5, base()), onprem, cloud);
    Path file = authority("governed", doc(1, rule("g", "governed", "MIRROR")));
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig(onprem, cloud, file, "gov-g"))) {
      consumer.subscribe(List.of("governed", "nobody"));
      OwnershipAmbiguousException refusal = catchThrowableOfType(OwnershipAmbiguousException.class,
          () -> consumer.poll(Duration.ofMillis(100)));
      assertThat(refusal).isNotNull();
      assertThat(refusal.reason()).isEqualTo(OwnershipAmbiguousException.Reason.NO_MATCHING_RULE);
      assertThat(refusal.topic()).isEqualTo("nobody");
      List<ConsumerRecord<String, String>> got = drain(consumer, 5);
      got.addAll(pollFor(consumer, Duration.ofSeconds(1)));
      assertThat(values(got)).containsExactly("g-0", "g-1", "g-2", "g-3", "g-4");
      assertThat(consumer.readCluster("nobody")).isNull();
      assertThat(count(consumer, "records-refused-total", Map.of("reason", "NO_MATCHING_RULE"))).isEqualTo(1);
      assertThatThrownBy(() -> consumer.partitionsFor("nobody")).isInstanceOf(OwnershipAmbiguousException.class);
      assertThatThrownBy(() -> consumer.commitSync(Map.of(new TopicPartition("nobody", 0), new OffsetAndMetadata(1))))
          .isInstanceOf(OwnershipAmbiguousException.class);
    }
  }

  @Test
  void withoutAValidMapNothingIsReadUntilOneLoads() throws Exception {
    writeSame(sequence("nomap", 0, "x", 0, 3, base()), onprem);
    Path file = dir.resolve("nomap.properties");
    writeDocument(file, "epoch=1\nrule.broken.state=NOPE\n");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig(onprem, cloud, file, "nomap-g"))) {
      consumer.subscribe(List.of("nomap"));
      OwnershipAmbiguousException refusal = catchThrowableOfType(OwnershipAmbiguousException.class,
          () -> consumer.poll(Duration.ofMillis(100)));
      assertThat(refusal.reason()).isEqualTo(OwnershipAmbiguousException.Reason.NO_AUTHORITY_MAP);
      assertThat(refusal.getMessage()).contains("The last document read from file " + file.toAbsolutePath()
          + " was rejected").contains("UNKNOWN_STATE: 'rule.broken.state' is 'NOPE'");
      assertThat(consumer.poll(Duration.ofMillis(300))).isEmpty();
      writeDocument(file, doc(1, rule("n", "nomap", "MIRROR")));
      // From the first record: nothing was delivered before the map loaded.
      assertThat(values(drain(consumer, 3))).containsExactly("x-0", "x-1", "x-2");
    }
  }

  @Test
  void aStaleMapPausesEveryPartitionUntilTheSourceIsBack() throws Exception {
    long base = base();
    writeSame(sequence("stale", 0, "s", 0, 3, base), onprem);
    Path file = authority("stale", doc(1, rule("s", "stale", "MIRROR")));
    Map<String, Object> config = consumerConfig(onprem, cloud, file, "stale-g");
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 600);
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      consumer.subscribe(List.of("stale"));
      assertThat(values(drain(consumer, 3))).containsExactly("s-0", "s-1", "s-2");
      java.nio.file.Files.delete(file);
      // Stale once reads have failed for longer than the maximum staleness (600 ms).
      await().atMost(Duration.ofSeconds(10)).until(() -> count(consumer, "authority-read-failures-total", Map.of()) > 0
          && count(consumer, "authority-map-age-ms", Map.of()) > 600);
      writeSame(sequence("stale", 0, "s", 3, 6, base), onprem);
      OwnershipAmbiguousException refusal = catchThrowableOfType(OwnershipAmbiguousException.class,
          () -> pollFor(consumer, Duration.ofSeconds(2)));
      assertThat(refusal.reason()).isEqualTo(OwnershipAmbiguousException.Reason.STALE_AUTHORITY_MAP);
      assertThat(refusal.getMessage()).contains("The last read of file " + file.toAbsolutePath()
          + " failed: NoSuchFileException: " + file.toAbsolutePath() + ": authority file not found");
      assertThat(consumer.poll(Duration.ofMillis(100))).as("nothing while stale").isEmpty();
      writeDocument(file, doc(1, rule("s", "stale", "MIRROR")));
      // From s-3: nothing was delivered while the map was stale, although s-3 to s-5 were there to read.
      assertThat(values(drain(consumer, 3))).containsExactly("s-3", "s-4", "s-5");
    }
  }

  @Test
  void autoCommitStampsTheConsumedPositionsAndHandsThemOver() throws Exception {
    long base = base();
    TopicPartition tp = new TopicPartition("auto", 0);
    writeSame(sequence("auto", 0, "a", 0, 10, base), onprem, cloud);
    Path file = authority("auto", doc(1, rule("a", "auto", "MIRROR")));
    Map<String, Object> config = consumerConfig(onprem, cloud, file, "auto-g");
    config.put("enable.auto.commit", true);
    config.put("auto.commit.interval.ms", 200);
    config.put(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, "identity");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      consumer.subscribe(List.of("auto"));
      List<ConsumerRecord<String, String>> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (committed(onprem, "auto-g").getOrDefault(tp, new OffsetAndMetadata(0)).offset() < 10) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(100)).forEach(got::add);
      }
      assertThat(committed(onprem, "auto-g").get(tp).metadata()).isEqualTo("turnout:1:c:");
      writeDocument(file, doc(2, rule("a", "auto", "TARGET_AUTHORITY")));
      while (!"cloud".equals(consumer.readCluster("auto"))) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(100)).forEach(got::add);
      }
      writeSame(sequence("auto", 0, "a", 10, 13, base), onprem, cloud);
      while (got.size() < 13) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(100)).forEach(got::add);
      }
      assertThat(values(got)).containsExactlyElementsOf(IntStream.range(0, 13).mapToObj(i -> "a-" + i).toList());
      assertThat(consumer.readCluster("auto")).isEqualTo("cloud");
    }
    assertThat(CommitStamp.parse(committed(onprem, "auto-g").get(tp).metadata()).kind())
        .isEqualTo(CommitStamp.Kind.HANDOVER);
    assertThat(committed(cloud, "auto-g").get(tp).offset()).as("committed on close").isEqualTo(13);
  }

  @Test
  void anUnstampedCommitPastTheVerifiedBoundaryIsKept() throws Exception {
    // A transactional producer's sendOffsetsToTransaction commits without Turnout's stamp.
    long base = base();
    TopicPartition tp = new TopicPartition("eos", 0);
    writeSame(sequence("eos", 0, "e", 0, 10, base), onprem, cloud);
    Path file = authority("eos", doc(1, rule("e", "eos", "MIRROR")));
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig(onprem, cloud, file, "eos-g"))) {
      consumer.subscribe(List.of("eos"));
      drain(consumer, 10);
      writeDocument(file, doc(2, rule("e", "eos", "TARGET_AUTHORITY")));
      writeSame(sequence("eos", 0, "e", 10, 15, base), onprem, cloud);
      assertThat(values(drain(consumer, 5))).containsExactly("e-10", "e-11", "e-12", "e-13", "e-14");
      consumer.commitSync();
    }
    cloud.admin().alterConsumerGroupOffsets("eos-g", Map.of(tp, new OffsetAndMetadata(15))).all()
        .get(10, TimeUnit.SECONDS);
    writeSame(sequence("eos", 0, "e", 15, 17, base), onprem, cloud);
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig(onprem, cloud, file, "eos-g"))) {
      consumer.subscribe(List.of("eos"));
      List<ConsumerRecord<String, String>> got = drain(consumer, 2);
      got.addAll(pollFor(consumer, Duration.ofSeconds(1)));
      assertThat(values(got)).containsExactly("e-15", "e-16");
      assertThat(count(consumer, "boundary-verifications-total", Map.of("outcome", "continued"))).isEqualTo(1);
    }
  }

  @Test
  void manualAssignmentSeeksPausesCommitsWithStampsAndFollowsASwitch() throws Exception {
    long base = base();
    TopicPartition p = new TopicPartition("manual", 0);
    writeSame(sequence("manual", 0, "m", 0, 10, base), onprem, cloud);
    Path file = authority("manual", doc(1, rule("m", "manual", "MIRROR")));
    Map<String, Object> config = consumerConfig(onprem, cloud, file, "manual-g");
    config.put(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, "identity");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      consumer.assign(List.of(p));
      assertThat(consumer.assignment()).containsExactly(p);
      assertThat(consumer.position(p)).isZero();
      consumer.seek(p, 5);
      consumer.pause(List.of(p));
      assertThat(consumer.paused()).containsExactly(p);
      assertThat(consumer.poll(Duration.ofMillis(300))).isEmpty();
      consumer.resume(List.of(p));
      assertThat(values(drain(consumer, r -> r.size() >= 5, Duration.ofSeconds(10))))
          .containsExactly("m-5", "m-6", "m-7", "m-8", "m-9");
      consumer.commitSync(Map.of(p, new OffsetAndMetadata(10, "app-meta")));
      assertThat(consumer.committed(Set.of(p)).get(p)).isEqualTo(new OffsetAndMetadata(10, "app-meta"));
      assertThat(committed(onprem, "manual-g").get(p).metadata()).isEqualTo("turnout:1:c:app-meta");
      assertThat(consumer.endOffsets(List.of(p))).containsEntry(p, 10L);
      assertThat(consumer.currentLag(p)).hasValue(0);

      AtomicReference<Map<TopicPartition, OffsetAndMetadata>> asyncResult = new AtomicReference<>();
      consumer.commitAsync(Map.of(p, new OffsetAndMetadata(10, "again")), (offsets, e) -> {
        assertThat(e).isNull();
        asyncResult.set(offsets);
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (asyncResult.get() == null && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(50));
      }
      assertThat(asyncResult.get()).containsEntry(p, new OffsetAndMetadata(10, "again"));

      writeDocument(file, doc(2, rule("m", "manual", "TARGET_AUTHORITY")));
      writeSame(sequence("manual", 0, "m", 10, 13, base), onprem, cloud);
      List<ConsumerRecord<String, String>> after = drain(consumer, 3);
      after.addAll(pollFor(consumer, Duration.ofSeconds(1)));
      assertThat(values(after)).containsExactly("m-10", "m-11", "m-12");
      assertThat(consumer.readCluster("manual")).isEqualTo("cloud");
      assertThat(consumer.assignment()).containsExactly(p);
    }
  }

  @Test
  void aPatternSubscriptionMatchesTopicsOnEveryClusterAndRoutesEach() throws Exception {
    writeSame(sequence("pat.a", 0, "a", 0, 2, base()), onprem);
    writeSame(sequence("pat.b", 0, "b", 0, 2, base()), cloud);
    Path file = authority("pattern", "epoch=1\nsource=onprem\ntarget=cloud\nrule.a.topics=pat.a\nrule.a.state=MIRROR\n"
        + "rule.b.topics=pat.b\nrule.b.state=TARGET_AUTHORITY\n");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig(onprem, cloud, file, "pat-g"))) {
      consumer.subscribe(Pattern.compile("pat\\..*"));
      List<ConsumerRecord<String, String>> got = drain(consumer, 4);
      assertThat(values(got)).containsExactlyInAnyOrder("a-0", "a-1", "b-0", "b-1");
      assertThat(consumer.subscription()).containsExactlyInAnyOrder("pat.a", "pat.b");
      assertThatThrownBy(consumer::groupMetadata).isInstanceOf(OwnershipAmbiguousException.class)
          .extracting(e -> ((OwnershipAmbiguousException) e).reason())
          .isEqualTo(OwnershipAmbiguousException.Reason.OWNER_SPLIT_ACROSS_CLUSTERS);
      assertThat(consumer.listTopics()).containsKeys("pat.a", "pat.b").doesNotContainKey("nobody");
      assertThatThrownBy(() -> consumer.subscribe(List.of("pat.a"))).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void unsupportedAndInvalidCallsFailClearlyAndAWakeupInterruptsPoll() throws Exception {
    Path file = authority("api", doc(1, rule("a", "api-a", "MIRROR")));
    RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig(onprem, cloud, file, "api-g"));
    assertThatThrownBy(() -> consumer.poll(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not subscribed");
    assertThatThrownBy(() -> consumer.subscribe(new SubscriptionPattern("x")))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("java.util.regex.Pattern");
    assertThatThrownBy(() -> consumer.clientInstanceId(Duration.ofSeconds(1)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> consumer.seek(new TopicPartition("api-a", 0), 1)).isInstanceOf(IllegalStateException.class);
    consumer.subscribe(List.of("api-a"));
    assertThatThrownBy(() -> consumer.assign(List.of(new TopicPartition("api-a", 0))))
        .isInstanceOf(IllegalStateException.class);
    consumer.wakeup();
    assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(WakeupException.class);
    Thread waker = new Thread(() -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      }
      consumer.wakeup();
    });
    waker.start();
    long started = System.nanoTime();
    assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(20))).isInstanceOf(WakeupException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5000);
    waker.join();
    assertThat(consumer.poll(Duration.ofMillis(100))).isEmpty();
    consumer.unsubscribe();
    assertThat(consumer.subscription()).isEmpty();
    consumer.close();
    consumer.close();
    assertThatThrownBy(() -> consumer.subscribe(List.of("api-a"))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
