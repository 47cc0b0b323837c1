package dev.turnout;

import static dev.turnout.ConsumerTestSupport.consumerConfig;
import static dev.turnout.ConsumerTestSupport.drain;
import static dev.turnout.ConsumerTestSupport.sequence;
import static dev.turnout.ConsumerTestSupport.values;
import static dev.turnout.ConsumerTestSupport.writeSame;
import static dev.turnout.LastKnownGoodIT.cacheWrittenAt;
import static dev.turnout.LastKnownGoodIT.isRefused;
import static dev.turnout.Records.producerConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.DocumentSignatures;
import dev.turnout.source.AuthoritySource;
import dev.turnout.source.KafkaTopicAuthoritySource;
import dev.turnout.status.TurnoutListener;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authority document read from a compacted Kafka control topic, against two real in-process KRaft clusters
 * (the control topic lives on one of them): flips without a refresh interval, the highest valid epoch among the
 * records, signatures, undeclared aliases, the last-known-good cache when the control cluster is unreachable,
 * and a consumer whose reads flip.
 */
@TwoKafkaClusters
class ControlTopicAuthoritySourceIT {

  private static final Logger log = LoggerFactory.getLogger(ControlTopicAuthoritySourceIT.class);
  /** So long that only the control topic's own notification can explain a flip within the test. */
  private static final long NO_POLLING_MS = 600_000;
  private static final KeyPair SIGNER = TrustedKeysTest.generate("Ed25519");
  private static final KeyPair STRANGER = TrustedKeysTest.generate("Ed25519");

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @TempDir
  Path dir;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    for (String topic : List.of("ctl-orders", "ctl-start", "ctl-signed", "ctl-alias", "ctl-cache", "ctl-reads")) {
      clusters.createTopic(topic, 1);
    }
  }

  /** Creates a compacted control topic on {@code cluster}, as operators are told to. */
  private static void controlTopic(KafkaTestCluster cluster, String topic, int partitions) throws Exception {
    cluster.admin().createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
  }

  private static Map<String, String> doc(long epoch, String topic, String state) {
    Map<String, String> doc = new LinkedHashMap<>();
    doc.put("epoch", Long.toString(epoch));
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    doc.put("rule.r.topics", topic);
    doc.put("rule.r.state", state);
    return doc;
  }

  private static String text(Map<String, String> document) {
    StringBuilder text = new StringBuilder();
    document.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.toString();
  }

  /** Publishes documents (or tombstones: null) to a control topic; returns when the last was acknowledged (nanoTime). */
  private static long publish(KafkaTestCluster cluster, String topic, Integer partition, String... values)
      throws Exception {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
        new StringSerializer())) {
      long acknowledged = 0;
      for (String value : values) {
        producer.send(new ProducerRecord<>(topic, partition, "authority", value)).get(10, TimeUnit.SECONDS);
        acknowledged = System.nanoTime();
      }
      return acknowledged;
    }
  }

  /** A producer configuration reading the control topic on the cluster of {@code alias}. */
  private static Map<String, Object> topicConfig(String topic, String alias) {
    Map<String, Object> config = producerConfig(onprem, cloud, Path.of("unused"));
    config.remove(TurnoutConfig.AUTHORITY_FILE);
    config.put(TurnoutConfig.AUTHORITY_TOPIC, topic);
    config.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, alias);
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, NO_POLLING_MS);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 2 * NO_POLLING_MS);
    config.put("client.id", "ctl-" + topic);
    return config;
  }

  private static String sentTo(RoutingProducer<String, String> producer, String topic, String key) throws Exception {
    return producer.sendRouted(new ProducerRecord<>(topic, key, "v")).get(10, TimeUnit.SECONDS).cluster();
  }

  @Test
  void aDocumentPublishedOnTheControlTopicFlipsTheProducerWithoutWaitingForARefresh() throws Exception {
    controlTopic(onprem, "turnout-control-flip", 1);
    publish(onprem, "turnout-control-flip", null, text(doc(1, "ctl-orders", "MIRROR")));
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(topicConfig("turnout-control-flip", "onprem"))) {
      assertThat(producer.epoch()).isEqualTo(1);
      assertThat(sentTo(producer, "ctl-orders", "a")).isEqualTo("onprem");
      AtomicLong installedAt = new AtomicLong();
      producer.addListener(new TurnoutListener() {
        @Override
        public void onEpochApplied(String clientId, long previousEpoch, long epoch) {
          if (epoch == 2) {
            installedAt.set(System.nanoTime());
          }
        }
      });

      long published = publish(onprem, "turnout-control-flip", null, text(doc(2, "ctl-orders", "TARGET_AUTHORITY")));
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> installedAt.get() != 0);

      long millis = TimeUnit.NANOSECONDS.toMillis(installedAt.get() - published);
      log.info("Control topic flip: publish acknowledged to epoch 2 installed in {} ms (refresh interval {} ms)",
          millis, NO_POLLING_MS);
      assertThat(millis).as("installed on consumption, not at a refresh").isLessThan(10_000);
      assertThat(producer.epoch()).isEqualTo(2);
      assertThat(sentTo(producer, "ctl-orders", "b")).isEqualTo("cloud");
      // The tail consumer: its own client.id derived from the client's, and no group.
      assertThat(java.lang.management.ManagementFactory.getPlatformMBeanServer().queryNames(
          new javax.management.ObjectName("kafka.consumer:type=app-info,id=ctl-turnout-control-flip-turnout-authority"),
          null)).hasSize(1);
    }
  }

  @Test
  void oneSourceSharedByTwoClientsFlipsBothAtOnce() throws Exception {
    controlTopic(cloud, "turnout-control-shared", 1);
    publish(cloud, "turnout-control-shared", null, text(doc(1, "ctl-orders", "MIRROR")));
    Map<String, Object> cloudClient = cloud.clientConfig();
    try (KafkaTopicAuthoritySource source = new KafkaTopicAuthoritySource("turnout-control-shared", "cloud",
        cloudClient, List.of("onprem", "cloud"), List.of(), "shared")) {
      Map<String, Object> config = topicConfig("turnout-control-shared", "cloud");
      config.remove(TurnoutConfig.AUTHORITY_TOPIC);
      config.remove(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER);
      config.put(TurnoutConfig.AUTHORITY_SOURCE, new Unclosed(source));
      config.put("client.id", "shared-a");
      try (RoutingProducer<String, String> a = new RoutingProducer<>(config)) {
        config.put("client.id", "shared-b");
        try (RoutingProducer<String, String> b = new RoutingProducer<>(config)) {
          assertThat(a.epoch()).isEqualTo(1);
          assertThat(b.epoch()).isEqualTo(1);

          publish(cloud, "turnout-control-shared", null, text(doc(2, "ctl-orders", "TARGET_AUTHORITY")));
          await().atMost(Duration.ofSeconds(20)).until(() -> a.epoch() == 2 && b.epoch() == 2);
          assertThat(sentTo(a, "ctl-orders", "a")).isEqualTo("cloud");
          assertThat(sentTo(b, "ctl-orders", "b")).isEqualTo("cloud");
        }
      }
    }
  }

  /** A source shared by several clients, which the clients do not close (as the Spring starter shares one). */
  private record Unclosed(AuthoritySource delegate) implements AuthoritySource {
    @Override
    public Map<String, String> read() throws Exception {
      synchronized (delegate) {
        return delegate.read();
      }
    }

    @Override
    public void onChange(Runnable changed) {
      delegate.onChange(changed);
    }

    @Override
    public String description() {
      return delegate.description();
    }
  }

  @Test
  void atStartTheHighestValidEpochAmongTheRecordsWins() throws Exception {
    controlTopic(cloud, "turnout-control-start", 2);
    Map<String, String> gap = doc(9, "ctl-start", "WRITE_PROMOTION");
    gap.put("rule.r.slice.a.keys", "0-999");
    gap.put("rule.r.slice.a.owner", "cloud");
    // partition 0: an old valid document, the valid winner, and a newer invalid document; partition 1: an older
    // valid one, garbage and a tombstone.
    publish(cloud, "turnout-control-start", 0, text(doc(1, "ctl-start", "MIRROR")),
        text(doc(3, "ctl-start", "TARGET_AUTHORITY")), text(gap));
    publish(cloud, "turnout-control-start", 1, text(doc(2, "ctl-start", "MIRROR")), "epoch=\\u12", null);

    try (LogCapture logs = new LogCapture();
        RoutingProducer<String, String> producer = new RoutingProducer<>(topicConfig("turnout-control-start", "cloud"))) {
      assertThat(producer.epoch()).isEqualTo(3);
      assertThat(sentTo(producer, "ctl-start", "k")).isEqualTo("cloud");
      assertThat(logs.lines("WARN", "topic turnout-control-start of cluster cloud partition 0 offset 2 skipped"))
          .singleElement().asString().contains("SLICE_GAP");
      assertThat(logs.lines("WARN", "partition 1 offset 1 skipped")).singleElement().asString()
          .contains("not properties text");
    }
  }

  @Test
  void withTrustedKeysUnsignedForgedAndAlteredRecordsRerouteNothing() throws Exception {
    controlTopic(onprem, "turnout-control-signed", 1);
    Map<String, String> good = DocumentSignatures.sign(doc(1, "ctl-signed", "MIRROR"), SIGNER.getPrivate());
    publish(onprem, "turnout-control-signed", null, text(good));
    Map<String, Object> config = topicConfig("turnout-control-signed", "onprem");
    config.put(TurnoutConfig.AUTHORITY_TRUSTED_KEYS, TrustedKeysTest.base64(SIGNER.getPublic()));
    try (LogCapture logs = new LogCapture(); RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      assertThat(producer.epoch()).isEqualTo(1);

      Map<String, String> altered = new LinkedHashMap<>(DocumentSignatures.sign(doc(4, "ctl-signed", "MIRROR"),
          SIGNER.getPrivate()));
      altered.put("rule.r.state", "TARGET_AUTHORITY");
      Map<String, String> forged = new LinkedHashMap<>(doc(5, "ctl-signed", "TARGET_AUTHORITY"));
      forged.put(DocumentSignatures.KEY_ID, good.get(DocumentSignatures.KEY_ID));
      forged.put(DocumentSignatures.VALUE, good.get(DocumentSignatures.VALUE));
      publish(onprem, "turnout-control-signed", null, text(doc(2, "ctl-signed", "TARGET_AUTHORITY")),
          text(DocumentSignatures.sign(doc(3, "ctl-signed", "TARGET_AUTHORITY"), STRANGER.getPrivate())),
          text(altered), text(forged));

      // Each record had its chance: each was read and skipped with the reason.
      await().atMost(Duration.ofSeconds(20)).until(() -> logs.lines("WARN", "turnout-control-signed").size() >= 4);
      assertThat(logs.lines("WARN", "offset 1 skipped")).singleElement().asString().contains("UNSIGNED");
      assertThat(logs.lines("WARN", "offset 2 skipped")).singleElement().asString().contains("UNKNOWN_SIGNING_KEY");
      assertThat(logs.lines("WARN", "offset 3 skipped")).singleElement().asString().contains("BAD_SIGNATURE");
      assertThat(logs.lines("WARN", "offset 4 skipped")).singleElement().asString().contains("BAD_SIGNATURE");
      assertThat(producer.epoch()).isEqualTo(1);
      assertThat(sentTo(producer, "ctl-signed", "k")).isEqualTo("onprem");

      publish(onprem, "turnout-control-signed", null,
          text(DocumentSignatures.sign(doc(6, "ctl-signed", "TARGET_AUTHORITY"), SIGNER.getPrivate())));
      await().atMost(Duration.ofSeconds(20)).until(() -> producer.epoch() == 6);
      assertThat(sentTo(producer, "ctl-signed", "k")).isEqualTo("cloud");
    }
  }

  @Test
  void aDocumentCannotIntroduceAnEndpoint() throws Exception {
    controlTopic(onprem, "turnout-control-alias", 1);
    publish(onprem, "turnout-control-alias", null, text(doc(1, "ctl-alias", "MIRROR")));
    try (LogCapture logs = new LogCapture();
        RoutingProducer<String, String> producer = new RoutingProducer<>(topicConfig("turnout-control-alias", "onprem"))) {
      Map<String, String> elsewhere = doc(2, "ctl-alias", "TARGET_AUTHORITY");
      elsewhere.put("target", "attacker");
      elsewhere.put("rule.r.target", "attacker");
      publish(onprem, "turnout-control-alias", null, text(elsewhere));

      await().atMost(Duration.ofSeconds(20)).until(() -> !logs.lines("WARN", "offset 1 skipped").isEmpty());
      assertThat(logs.lines("WARN", "offset 1 skipped")).singleElement().asString().contains("UNKNOWN_CLUSTER",
          "attacker");
      assertThat(producer.epoch()).isEqualTo(1);
      assertThat(sentTo(producer, "ctl-alias", "k")).isEqualTo("onprem");
      assertThat(producer.status().clusters()).extracting(c -> c.alias()).containsExactly("onprem", "cloud");
    }
  }

  @Test
  void aRestartWithTheControlClusterUnreachableRoutesByTheCacheThenRefusesWhenItIsStale() throws Exception {
    long maxStalenessMs = 6_000;
    controlTopic(cloud, "turnout-control-cache", 1);
    publish(cloud, "turnout-control-cache", null, text(doc(3, "ctl-cache", "TARGET_AUTHORITY")));
    Path cache = dir.resolve("authority.cache");
    Map<String, Object> config = topicConfig("turnout-control-cache", "cloud");
    config.remove(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER);
    config.put(TurnoutConfig.AUTHORITY_TOPIC_BOOTSTRAP_SERVERS, cloud.bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 500L);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, maxStalenessMs);
    config.put(TurnoutConfig.AUTHORITY_CACHE_FILE, cache.toString());
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      assertThat(sentTo(producer, "ctl-cache", "first-run")).isEqualTo("cloud");
    }
    assertThat(Files.readString(cache, StandardCharsets.UTF_8)).contains("\nepoch=3\n");

    // The restart: the control cluster cannot be reached.
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    config.put(TurnoutConfig.AUTHORITY_TOPIC_BOOTSTRAP_SERVERS, "localhost:" + closedPort);
    config.put("turnout.authority.topic.default.api.timeout.ms", 1_500);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      long writtenAt = cacheWrittenAt(cache);
      assertThat(producer.epoch()).isEqualTo(3);
      assertThat(sentTo(producer, "ctl-cache", "from-cache")).isEqualTo("cloud");

      await().atMost(Duration.ofMillis(maxStalenessMs + 10_000)).pollInterval(Duration.ofMillis(100)).until(() -> {
        Future<RecordMetadata> probe = producer.send(new ProducerRecord<>("ctl-cache", "probe", "v"));
        producer.flush();
        return probe.isDone() && isRefused(probe);
      });
      assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(writtenAt + maxStalenessMs);
      Future<RecordMetadata> refused = producer.send(new ProducerRecord<>("ctl-cache", "after-stale", "v"));
      assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.STALE_AUTHORITY_MAP);
            assertThat(e.getMessage()).contains("control cluster unreachable: topic turnout-control-cache of cluster "
                + "localhost:" + closedPort, "last-known-good cache " + cache.toAbsolutePath());
          });
    }
  }

  @Test
  void aConsumerReadingTheControlTopicMovesItsReadsWhenTheDocumentFlips() throws Exception {
    controlTopic(onprem, "turnout-control-reads", 1);
    publish(onprem, "turnout-control-reads", null, text(doc(1, "ctl-reads", "MIRROR")));
    long base = System.currentTimeMillis() - 60_000;
    writeSame(sequence("ctl-reads", 0, "v", 0, 10, base), onprem, cloud);
    Map<String, Object> config = consumerConfig(onprem, cloud, Path.of("unused"), "ctl-reads-g");
    config.remove(TurnoutConfig.AUTHORITY_FILE);
    config.put(TurnoutConfig.AUTHORITY_TOPIC, "turnout-control-reads");
    config.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, "onprem");
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, NO_POLLING_MS);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 2 * NO_POLLING_MS);
    config.put(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, "identity");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      consumer.subscribe(List.of("ctl-reads"));
      List<String> all = new ArrayList<>(values(drain(consumer, 10)));
      assertThat(consumer.readCluster("ctl-reads")).isEqualTo("onprem");

      publish(onprem, "turnout-control-reads", null, text(doc(2, "ctl-reads", "TARGET_AUTHORITY")));
      writeSame(sequence("ctl-reads", 0, "v", 10, 15, base), onprem, cloud);
      all.addAll(values(drain(consumer, r -> r.size() >= 5, Duration.ofSeconds(30))));

      assertThat(consumer.epoch()).isEqualTo(2);
      assertThat(consumer.readCluster("ctl-reads")).isEqualTo("cloud");
      assertThat(all).containsExactlyElementsOf(IntStream.range(0, 15).mapToObj(i -> "v-" + i).toList());
    }
  }
}
