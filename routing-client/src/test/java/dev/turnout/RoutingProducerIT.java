package dev.turnout;

import static dev.turnout.Records.producerConfig;
import static dev.turnout.Records.readAll;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RoutingProducer against two real in-process KRaft clusters: onprem (source) and cloud (target). */
@TwoKafkaClusters
class RoutingProducerIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @TempDir
  Path dir;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    for (String topic : List.of("mirror", "dual", "promo", "target", "audit.a", "audit.deep.b", "unrouted",
        "nullkeys", "headers", "resend", "stale", "noload", "flip", "txn-a", "txn-b", "meta", "metrics", "rw-from",
        "rw-same", "rw-other")) {
      clusters.createTopic(topic, 3);
    }
    onprem.createTopic("parts", 2);
    cloud.createTopic("parts", 5);
  }

  private Path authority(String document) {
    Path file = dir.resolve("authority.properties");
    writeDocument(file, document);
    return file;
  }

  private static final String ALL_STATES = """
      epoch=1
      source=onprem
      target=cloud
      rule.mirror.topics=mirror
      rule.mirror.state=MIRROR
      rule.dual.topics=dual
      rule.dual.state=DUAL_READ
      rule.promo.topics=promo
      rule.promo.state=WRITE_PROMOTION
      rule.promo.slice.canary.keys=0-2999
      rule.promo.slice.canary.owner=cloud
      rule.promo.slice.rest.keys=3000-9999
      rule.promo.slice.rest.owner=onprem
      rule.promo.null-key-owner=cloud
      rule.target.topics=target
      rule.target.state=TARGET_AUTHORITY
      rule.audit.topic-prefix=audit.
      rule.audit.state=MIRROR
      rule.deep.topic-prefix=audit.deep.
      rule.deep.state=TARGET_AUTHORITY
      rule.nullkeys.topics=nullkeys
      rule.nullkeys.state=WRITE_PROMOTION
      rule.nullkeys.slice.all.keys=0-9999
      rule.nullkeys.slice.all.owner=cloud
      """;

  @Test
  void everyStateAndSliceWritesToExactlyItsOwner() throws Exception {
    Path file = authority(ALL_STATES);
    Map<String, String> expectedOwner = Map.of("mirror", "onprem", "dual", "onprem", "target", "cloud",
        "audit.a", "onprem", "audit.deep.b", "cloud");
    int perTopic = 200;
    List<Future<RecordMetadata>> futures = new ArrayList<>();
    java.util.Queue<RoutedMetadata> routed = new java.util.concurrent.ConcurrentLinkedQueue<>();
    RoutedCallback whichCluster = (metadata, error) -> routed.add(metadata);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, file))) {
      for (String topic : List.of("mirror", "dual", "promo", "target", "audit.a", "audit.deep.b")) {
        for (int i = 0; i < perTopic; i++) {
          futures.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i), whichCluster));
        }
      }
      futures.add(producer.send(new ProducerRecord<>("promo", null, "null-key"), whichCluster));
      producer.flush();
      for (Future<RecordMetadata> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> routed.size() == futures.size());
    }
    // Each callback named the cluster that took the record.
    assertThat(routed).filteredOn(m -> expectedOwner.containsKey(m.topic())).hasSize(perTopic * expectedOwner.size())
        .allSatisfy(m -> assertThat(m.cluster()).as("cluster of %s", m).isEqualTo(expectedOwner.get(m.topic())));
    assertThat(routed).filteredOn(m -> m.topic().equals("promo")).extracting(RoutedMetadata::cluster)
        .contains("onprem", "cloud");
    for (Map.Entry<String, String> e : expectedOwner.entrySet()) {
      KafkaTestCluster owner = e.getValue().equals("onprem") ? onprem : cloud;
      KafkaTestCluster other = owner == onprem ? cloud : onprem;
      assertThat(readAll(owner, e.getKey())).as("records of %s on its owner %s", e.getKey(), e.getValue())
          .hasSize(perTopic);
      assertThat(readAll(other, e.getKey())).as("records of %s on the other cluster", e.getKey()).isEmpty();
    }
    // The sliced topic: each key on the owner of its bucket, never on both.
    List<ConsumerRecord<String, String>> promoOnprem = readAll(onprem, "promo");
    List<ConsumerRecord<String, String>> promoCloud = readAll(cloud, "promo");
    assertThat(promoOnprem.size() + promoCloud.size()).isEqualTo(perTopic + 1);
    assertThat(promoOnprem).isNotEmpty().allSatisfy(r -> assertThat(bucket(r.key())).isGreaterThanOrEqualTo(3000));
    assertThat(promoCloud).isNotEmpty()
        .allSatisfy(r -> assertThat(r.key() == null || bucket(r.key()) < 3000).as("key %s", r.key()).isTrue());
    assertThat(promoCloud).anySatisfy(r -> assertThat(r.key()).isNull());
    for (ConsumerRecord<String, String> r : promoCloud) {
      Provenance p = Provenance.of(r).orElseThrow();
      assertThat(p.origin()).isEqualTo("cloud");
      assertThat(p.slice()).contains(r.key() == null ? "null-key" : "canary");
    }
    for (ConsumerRecord<String, String> r : promoOnprem) {
      assertThat(Provenance.of(r).orElseThrow().slice()).contains("rest");
    }
  }

  private static int bucket(String key) {
    return AuthorityMap.bucket(new StringSerializer().serialize("promo", key));
  }

  @Test
  void refusedWritesFailTheFutureCallTheCallbackAndWriteNothing() throws Exception {
    Path file = authority(ALL_STATES.replace("rule.nullkeys.slice.all.owner=cloud",
        "rule.nullkeys.slice.all.owner=cloud\nrule.unused.topics=none\nrule.unused.state=MIRROR"));
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, file))) {
      AtomicReference<Exception> callbackError = new AtomicReference<>();
      AtomicReference<RecordMetadata> callbackMetadata = new AtomicReference<>();
      Future<RecordMetadata> noRule = producer.send(new ProducerRecord<>("unrouted", "k", "v"), (m, e) -> {
        callbackMetadata.set(m);
        callbackError.set(e);
      });
      assertRefused(noRule, Reason.NO_MATCHING_RULE, "unrouted");
      assertThat(callbackError.get()).isInstanceOf(OwnershipAmbiguousException.class);
      assertThat(callbackMetadata.get().topic()).isEqualTo("unrouted");

      Future<RecordMetadata> nullKey = producer.send(new ProducerRecord<>("nullkeys", null, "v"));
      assertRefused(nullKey, Reason.NULL_KEY_NOT_ROUTABLE, "null-key-owner");
      // A keyed record for the same rule is routed.
      producer.send(new ProducerRecord<>("nullkeys", "k", "v")).get(10, TimeUnit.SECONDS);
      producer.flush();
      assertThat(producer.metrics()).anySatisfy((name, metric) -> {
        assertThat(name.name()).isEqualTo("records-refused-total");
        assertThat(name.tags()).containsEntry("reason", "NO_MATCHING_RULE");
        assertThat(metric.metricValue()).isEqualTo(1L);
      });
    }
    assertThat(readAll(onprem, "unrouted")).isEmpty();
    assertThat(readAll(cloud, "unrouted")).isEmpty();
    assertThat(readAll(onprem, "nullkeys")).isEmpty();
    assertThat(readAll(cloud, "nullkeys")).extracting(ConsumerRecord::key).containsExactly("k");
  }

  @Test
  void noValidMapMeansEveryWriteIsRefusedUntilOneLoads() throws Exception {
    Path file = dir.resolve("missing.properties");
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, file))) {
      assertThat(producer.epoch()).isEqualTo(-1);
      assertThat(producer.authorityMap()).isNull();
      assertThat(producer.failingClosed()).isTrue();
      assertThat(producer.recentRefusals()).isEmpty();
      assertRefused(producer.send(new ProducerRecord<>("noload", "k", "v")), Reason.NO_AUTHORITY_MAP,
          "The last read of file " + file.toAbsolutePath() + " failed: NoSuchFileException: " + file.toAbsolutePath()
              + ": authority file not found");
      assertThat(producer.recentRefusals()).singleElement().satisfies(r -> {
        assertThat(r.refusal().reason()).isEqualTo(Reason.NO_AUTHORITY_MAP);
        assertThat(r.refusal().topic()).isEqualTo("noload");
        assertThat(r.at()).isBeforeOrEqualTo(java.time.Instant.now());
      });
      writeDocument(file, "epoch=3\nsource=onprem\ntarget=cloud\nrule.x.topics=noload\nrule.x.state=BOGUS\n");
      // The bad document has been read once the refresher has counted its rejection.
      await().atMost(Duration.ofSeconds(5)).until(() ->
          CutoverChecks.metric(producer, "authority-documents-rejected-total", Map.of("reason", "UNKNOWN_STATE")) == 1);
      assertRefused(producer.send(new ProducerRecord<>("noload", "k", "v")), Reason.NO_AUTHORITY_MAP,
          "was rejected (1 problem): UNKNOWN_STATE: 'rule.x.state' is 'BOGUS'");
      writeDocument(file, "epoch=3\nsource=onprem\ntarget=cloud\nrule.x.topics=noload\nrule.x.state=MIRROR\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 3);
      assertThat(producer.authorityMap().epoch()).isEqualTo(3);
      assertThat(producer.authorityMap().rules()).extracting(r -> r.name()).containsExactly("x");
      assertThat(producer.failingClosed()).isFalse();
      assertThat(producer.send(new ProducerRecord<>("noload", "after-load", "v")).get(10, TimeUnit.SECONDS).topic())
          .isEqualTo("noload");
    }
    assertThat(readAll(onprem, "noload")).extracting(ConsumerRecord::key).containsExactly("after-load");
    assertThat(readAll(cloud, "noload")).isEmpty();
  }

  @Test
  void aStaleMapFailsClosedAndRecoversWhenTheSourceIsBack() throws Exception {
    String document = "epoch=1\nsource=onprem\ntarget=cloud\nrule.s.topics=stale\nrule.s.state=MIRROR\n";
    Path file = authority(document);
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 600);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      producer.send(new ProducerRecord<>("stale", "before", "v")).get(10, TimeUnit.SECONDS);
      Files.delete(file);
      // Until the map is older than the maximum staleness, sends still route by it.
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        Future<RecordMetadata> probe = producer.send(new ProducerRecord<>("stale", "probe", "v"));
        producer.flush();
        return probe.isDone() && isRefused(probe);
      });
      assertRefused(producer.send(new ProducerRecord<>("stale", "during", "v")), Reason.STALE_AUTHORITY_MAP,
          "until the source is readable and valid again. The last read of file " + file.toAbsolutePath()
              + " failed: NoSuchFileException: " + file.toAbsolutePath() + ": authority file not found");
      assertThat(producer.failingClosed()).isTrue();
      assertThat(producer.authorityMap().epoch()).isEqualTo(1);
      assertThat(producer.recentRefusals().get(0).refusal().reason()).isEqualTo(Reason.STALE_AUTHORITY_MAP);
      writeDocument(file, document);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(producer.send(new ProducerRecord<>("stale", "after", "v")).get(10, TimeUnit.SECONDS)).isNotNull());
      assertThat(producer.failingClosed()).isFalse();
    }
    List<String> written = readAll(onprem, "stale").stream().map(ConsumerRecord::key).toList();
    assertThat(written).contains("before", "after").doesNotContain("during");
    assertThat(readAll(cloud, "stale")).isEmpty();
  }

  @Test
  void provenanceHeadersAreStampedAndTheCallersRecordIsUntouched() throws Exception {
    Path file = authority("epoch=7\nsource=onprem\ntarget=cloud\nrule.h.topics=headers,resend\nrule.h.state=TARGET_AUTHORITY\n");
    ProducerRecord<String, String> record = new ProducerRecord<>("resend", "same", "value");
    record.headers().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
    record.headers().add(Provenance.ROUTE_HEADER, "forged/1/x/-".getBytes(StandardCharsets.UTF_8));
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, file))) {
      producer.send(record).get(10, TimeUnit.SECONDS);
      producer.send(record).get(10, TimeUnit.SECONDS);
      // The caller's headers were neither extended nor made read-only.
      assertThat(record.headers().toArray()).hasSize(2);
      record.headers().add("still-writable", new byte[0]);
      record.headers().remove("still-writable");
      for (int i = 0; i < 50; i++) {
        producer.send(new ProducerRecord<>("headers", "k" + i, "v")).get(10, TimeUnit.SECONDS);
      }
    }
    List<ConsumerRecord<String, String>> resent = readAll(cloud, "resend");
    assertThat(resent).hasSize(2);
    for (ConsumerRecord<String, String> r : resent) {
      List<String> keys = new ArrayList<>();
      for (Header h : r.headers()) {
        keys.add(h.key());
      }
      assertThat(keys).containsExactly("trace", "turnout.route", "turnout.id");
      assertThat(new String(r.headers().lastHeader("turnout.route").value(), StandardCharsets.UTF_8))
          .isEqualTo("cloud/7/h/-");
      assertThat(r.headers().lastHeader("turnout.id").value()).hasSizeLessThanOrEqualTo(24);
    }
    assertThat(Provenance.of(resent.get(0)).orElseThrow().id()).isNotEqualTo(Provenance.of(resent.get(1)).orElseThrow().id());

    List<ConsumerRecord<String, String>> stamped = readAll(cloud, "headers");
    assertThat(stamped).hasSize(50);
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<String, String> r : stamped) {
      Provenance p = Provenance.of(r).orElseThrow();
      assertThat(p.origin()).isEqualTo("cloud");
      assertThat(p.epoch()).isEqualTo(7);
      assertThat(p.rule()).isEqualTo("h");
      assertThat(p.slice()).isEmpty();
      ids.add(p.id());
    }
    assertThat(ids).hasSize(50);
  }

  @Test
  void aFlipOfTheFileMovesNewSendsWithinTheRefreshIntervalAndLosesNothing() throws Exception {
    String before = "epoch=10\nsource=onprem\ntarget=cloud\nrule.f.topics=flip\nrule.f.state=MIRROR\n";
    String after = "epoch=11\nsource=onprem\ntarget=cloud\nrule.f.topics=flip\nrule.f.state=TARGET_AUTHORITY\n";
    Path file = authority(before);
    long refreshMs = 100;
    List<Future<RecordMetadata>> acked = new ArrayList<>();
    long flipAtMillis;
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, file))) {
      long start = System.currentTimeMillis();
      int i = 0;
      flipAtMillis = 0;
      while (System.currentTimeMillis() - start < 2_000) {
        if (flipAtMillis == 0 && System.currentTimeMillis() - start >= 800) {
          writeDocument(file, after);
          flipAtMillis = System.currentTimeMillis();
        }
        acked.add(producer.send(new ProducerRecord<>("flip", "k" + (i % 50), Integer.toString(i++))));
        Thread.sleep(1);
      }
      producer.flush();
      for (Future<RecordMetadata> f : acked) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    List<ConsumerRecord<String, String>> onSource = readAll(onprem, "flip");
    List<ConsumerRecord<String, String>> onTarget = readAll(cloud, "flip");
    assertThat(onSource.size() + onTarget.size()).as("every acknowledged record is somewhere").isEqualTo(acked.size());
    assertThat(onSource).isNotEmpty().allSatisfy(r -> assertThat(Provenance.of(r).orElseThrow().epoch()).isEqualTo(10));
    assertThat(onTarget).isNotEmpty().allSatisfy(r -> assertThat(Provenance.of(r).orElseThrow().epoch()).isEqualTo(11));
    long lastOldEpochSend = onSource.stream().mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
    long propagation = lastOldEpochSend - flipAtMillis;
    System.out.printf("flip propagation: last send routed by the old epoch %d ms after the file was replaced "
        + "(refresh %d ms); %d records on source, %d on target%n", propagation, refreshMs, onSource.size(),
        onTarget.size());
    assertThat(propagation).isLessThanOrEqualTo(refreshMs + 400);
  }

  @Test
  void transactionsAreBoundToOneClusterAndFollowFlipsAtTheNextBegin() throws Exception {
    String before = "epoch=1\nsource=onprem\ntarget=cloud\nrule.a.topics=txn-a\nrule.a.state=MIRROR\n"
        + "rule.b.topics=txn-b\nrule.b.state=TARGET_AUTHORITY\n";
    Path file = authority(before);
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put("transactional.id", "turnout-it-txn");
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("txn-a", "in-txn", "v")).get(10, TimeUnit.SECONDS);
      assertRefused(producer.send(new ProducerRecord<>("txn-b", "other-cluster", "v")),
          Reason.TRANSACTION_BOUND_TO_OTHER_CLUSTER, "onprem");
      // The transaction in flight is unaffected by a flip made now.
      writeDocument(file, before.replace("epoch=1", "epoch=2").replace("rule.a.state=MIRROR", "rule.a.state=TARGET_AUTHORITY"));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);
      producer.send(new ProducerRecord<>("txn-a", "still-onprem", "v")).get(10, TimeUnit.SECONDS);
      producer.commitTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>("txn-a", "now-cloud", "v")).get(10, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>("txn-b", "also-cloud", "v")).get(10, TimeUnit.SECONDS);
      producer.commitTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>("txn-a", "aborted", "v")).get(10, TimeUnit.SECONDS);
      producer.abortTransaction();
    }
    assertThat(readAll(onprem, "txn-a", true)).extracting(ConsumerRecord::key)
        .containsExactlyInAnyOrder("in-txn", "still-onprem");
    assertThat(readAll(cloud, "txn-a", true)).extracting(ConsumerRecord::key).containsExactly("now-cloud");
    assertThat(readAll(cloud, "txn-b", true)).extracting(ConsumerRecord::key).containsExactly("also-cloud");
    assertThat(readAll(onprem, "txn-b", true)).isEmpty();
  }

  @Test
  void partitionsForAsksTheOwnerAndRefusesWhenWritesAreSplit() throws Exception {
    Path file = authority("epoch=1\nsource=onprem\ntarget=cloud\nrule.p.topics=parts\nrule.p.state=MIRROR\n");
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, file))) {
      assertThat(producer.partitionsFor("parts")).hasSize(2);
      writeDocument(file, "epoch=2\nsource=onprem\ntarget=cloud\nrule.p.topics=parts\nrule.p.state=TARGET_AUTHORITY\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);
      assertThat(producer.partitionsFor("parts")).hasSize(5);
      writeDocument(file, "epoch=3\nsource=onprem\ntarget=cloud\nrule.p.topics=parts\nrule.p.state=WRITE_PROMOTION\n"
          + "rule.p.rollback.allowed=true\n"
          + "rule.p.slice.a.keys=0-4999\nrule.p.slice.a.owner=cloud\nrule.p.slice.b.keys=5000-9999\nrule.p.slice.b.owner=onprem\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 3);
      assertThatThrownBy(() -> producer.partitionsFor("parts")).isInstanceOfSatisfying(OwnershipAmbiguousException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.OWNER_SPLIT_ACROSS_CLUSTERS));
      assertThatThrownBy(() -> producer.partitionsFor("nope")).isInstanceOfSatisfying(OwnershipAmbiguousException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.NO_MATCHING_RULE));
    }
  }

  @Test
  void metricsMergeEveryClusterWithAClusterTagAndCountRoutedRecords() throws Exception {
    Path file = authority("epoch=1\nsource=onprem\ntarget=cloud\nrule.m.topics=metrics\nrule.m.state=WRITE_PROMOTION\n"
        + "rule.m.slice.a.keys=0-4999\nrule.m.slice.a.owner=cloud\nrule.m.slice.b.keys=5000-9999\nrule.m.slice.b.owner=onprem\n");
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put("client.id", "metrics-it");
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(Records.asProperties(config))) {
      for (int i = 0; i < 100; i++) {
        producer.send(new ProducerRecord<>("metrics", "k" + i, "v"));
      }
      producer.flush();
      Map<MetricName, ? extends Metric> metrics = producer.metrics();
      long routedOnprem = value(metrics, "records-routed-total", "onprem");
      long routedCloud = value(metrics, "records-routed-total", "cloud");
      assertThat(routedOnprem + routedCloud).isEqualTo(100);
      assertThat(routedOnprem).isPositive();
      assertThat(routedCloud).isPositive();
      assertThat(metrics.keySet()).anySatisfy(n -> {
        assertThat(n.name()).isEqualTo("record-send-total");
        assertThat(n.tags()).containsEntry("cluster", "cloud").containsEntry("client-id", "metrics-it-cloud");
      });
      Map<String, Long> bySlice = new java.util.TreeMap<>();
      metrics.forEach((n, m) -> {
        if (n.name().equals("records-routed-by-rule-total")) {
          bySlice.put(n.tags().get("cluster") + "/" + n.tags().get("rule") + "/" + n.tags().get("slice"),
              (Long) m.metricValue());
        }
      });
      assertThat(bySlice).containsOnlyKeys("cloud/m/a", "onprem/m/b")
          .containsEntry("cloud/m/a", routedCloud).containsEntry("onprem/m/b", routedOnprem);
      assertThat(metrics.keySet()).anySatisfy(n -> {
        assertThat(n.name()).isEqualTo("authority-epoch");
        assertThat(metrics.get(n).metricValue()).isEqualTo(1L);
      });
    }
  }

  /** Rewrites a record whose value is {@code to:<topic>} to that topic. */
  public static final class RewritingInterceptor implements org.apache.kafka.clients.producer.ProducerInterceptor<String, String> {
    @Override
    public ProducerRecord<String, String> onSend(ProducerRecord<String, String> record) {
      return record.value() != null && record.value().startsWith("to:")
          ? new ProducerRecord<>(record.value().substring(3), null, record.key(), record.value(), record.headers())
          : record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  @Test
  void anInterceptorRewriteToATopicOfAnotherOwnerIsRefusedAndOneToTheSameOwnerIsWritten() throws Exception {
    Map<String, Object> config = producerConfig(onprem, cloud, authority("""
        epoch=1
        source=onprem
        target=cloud
        rule.a.topics=rw-from,rw-same
        rule.a.state=MIRROR
        rule.b.topics=rw-other
        rule.b.state=TARGET_AUTHORITY
        """));
    config.put("interceptor.classes", RewritingInterceptor.class.getName());
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      AtomicReference<Exception> called = new AtomicReference<>();
      Future<RecordMetadata> refused = producer.send(new ProducerRecord<>("rw-from", "k", "to:rw-other"),
          (metadata, error) -> called.set(error));
      assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOf(OwnershipAmbiguousException.class).hasMessageContaining("'rw-other'")
          .hasMessageContaining("'cloud'");
      assertThat(((OwnershipAmbiguousException) called.get()).reason())
          .isEqualTo(OwnershipAmbiguousException.Reason.TOPIC_REWRITTEN_TO_OTHER_OWNER);
      RecordMetadata same = producer.send(new ProducerRecord<>("rw-from", "k", "to:rw-same")).get(10, TimeUnit.SECONDS);
      assertThat(same.topic()).isEqualTo("rw-same");
    }
    assertThat(readAll(onprem, "rw-other")).isEmpty();
    assertThat(readAll(cloud, "rw-other")).isEmpty();
    assertThat(readAll(onprem, "rw-same")).extracting(r -> r.value()).containsExactly("to:rw-same");
  }

  private static long value(Map<MetricName, ? extends Metric> metrics, String name, String cluster) {
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("turnout")
            && cluster.equals(e.getKey().tags().get("cluster")))
        .mapToLong(e -> (Long) e.getValue().metricValue()).sum();
  }

  @Test
  void aClosedProducerRejectsCalls() {
    Path file = authority("epoch=1\nsource=onprem\ntarget=cloud\nrule.m.topics=mirror\nrule.m.state=MIRROR\n");
    RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, file));
    producer.close();
    producer.close();
    assertThatThrownBy(() -> producer.send(new ProducerRecord<>("mirror", "k", "v")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(producer::flush).isInstanceOf(IllegalStateException.class);
  }

  private static boolean isRefused(Future<RecordMetadata> future) {
    try {
      future.get();
      return false;
    } catch (ExecutionException e) {
      return e.getCause() instanceof OwnershipAmbiguousException;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertRefused(Future<RecordMetadata> future, Reason reason, String messagePart) {
    assertThat(future).isDone();
    assertThatThrownBy(() -> future.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
          assertThat(e.reason()).isEqualTo(reason);
          assertThat(e.getMessage()).contains(messagePart);
        });
  }
}
