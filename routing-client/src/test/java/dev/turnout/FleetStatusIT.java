package dev.turnout;

import static dev.turnout.ConsumerTestSupport.consumerConfig;
import static dev.turnout.Records.producerConfig;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.fleet.FleetStatusReader;
import dev.turnout.fleet.FleetView;
import dev.turnout.fleet.InstanceStatus;
import dev.turnout.internal.fleet.StatusDocument;
import dev.turnout.status.ClientRole;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fleet acknowledgement against real KRaft clusters: clients publish their status, the reader reads the fleet. */
@TwoKafkaClusters
class FleetStatusIT {

  private static final String JAAS_SECRET = "jaas-Pa55w0rd-7f3a";
  private static final String KEYSTORE_SECRET = "keystore-Pa55-91c2";
  private static final String TRUSTSTORE_SECRET = "truststore-Pa55-44de";
  private static final String STATUS_JAAS_SECRET = "status-jaas-Pa55-0b1e";

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @TempDir
  Path dir;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("fleet-orders", 1);
  }

  /** A compacted status topic on the cloud cluster, as docs/control-plane.md says to create it. */
  private static String statusTopic(String name) throws Exception {
    cloud.admin().createTopics(List.of(new NewTopic(name, 1, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
    return name;
  }

  private Path authority(long epoch) {
    Path file = dir.resolve("authority.properties");
    writeDocument(file, "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.o.topics=fleet-orders\n"
        + "rule.o.state=MIRROR\n");
    return file;
  }

  private static Map<String, Object> publishing(Map<String, Object> config, String topic, long intervalMs) {
    config.put(TurnoutConfig.STATUS_TOPIC, topic);
    config.put(TurnoutConfig.STATUS_TOPIC_CLUSTER, "cloud");
    config.put(TurnoutConfig.STATUS_INTERVAL_MS, intervalMs);
    return config;
  }

  private static FleetStatusReader reader(String topic) {
    return new FleetStatusReader(cloud.clientConfig(), topic);
  }

  /** Every record of the status topic, in order, key and value as text (a null value for a tombstone). */
  private static List<String[]> rawRecords(String topic) {
    Map<String, Object> config = cloud.clientConfig();
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<String[]> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(new String[] {new String(r.key(), StandardCharsets.UTF_8),
              r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)});
        }
      }
    }
    return out;
  }

  @Test
  void aProducerAndAConsumerPublishAtStartAndTheReaderGroupsThemByService() throws Exception {
    String topic = statusTopic("status-start");
    Path file = authority(1);
    Map<String, Object> producerConfig = publishing(producerConfig(onprem, cloud, file), topic, 60_000);
    producerConfig.put("client.id", "orders-api-3");
    Map<String, Object> consumerConfig = publishing(consumerConfig(onprem, cloud, file, "billing-group"), topic,
        60_000);
    consumerConfig.put(TurnoutConfig.SERVICE_NAME, "billing");
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig);
        RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig);
        FleetStatusReader reader = reader(topic)) {
      consumer.subscribe(List.of("fleet-orders"));
      String producerId = producer.status().instanceId();
      String consumerId = consumer.status().instanceId();
      assertThat(producerId).isNotEqualTo(consumerId);

      FleetView fleet = await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(100)); // a consumer applies its epoch when it polls
        return reader.read();
      }, view -> view.epochOf(producerId).orElse(-2) == 1 && view.epochOf(consumerId).orElse(-2) == 1
          // published on the change of its read clusters, which the consumer sets after it applied the epoch
          && view.instance(consumerId).status().consumer().readClusters().containsKey("fleet-orders"));

      assertThat(fleet.byService()).containsOnlyKeys("orders-api", "billing");
      InstanceStatus p = fleet.instance(producerId);
      assertThat(p.clientId()).isEqualTo("orders-api-3");
      assertThat(p.role()).isEqualTo(ClientRole.PRODUCER);
      assertThat(p.host()).isNotBlank();
      assertThat(p.principals()).isEqualTo(Map.of("onprem", "ANONYMOUS", "cloud", "ANONYMOUS"));
      assertThat(p.intervalMs()).isEqualTo(60_000);
      assertThat(p.publishFailures()).isZero();
      assertThat(p.status().routes()).extracting(r -> r.rule() + "/" + r.owner()).containsExactly("o/onprem");
      InstanceStatus c = fleet.instance(consumerId);
      assertThat(c.role()).isEqualTo(ClientRole.CONSUMER);
      assertThat(c.service()).isEqualTo("billing");
      assertThat(c.status().consumer().readClusters()).containsEntry("fleet-orders", "onprem");
      assertThat(fleet.stale(Instant.now())).isEmpty();
      assertThat(fleet.skipped()).isZero();
    }
  }

  @Test
  void anEpochFlipIsPublishedAtOnceNotAtTheNextInterval() throws Exception {
    String topic = statusTopic("status-flip");
    Path file = authority(1);
    try (RoutingProducer<String, String> producer =
            new RoutingProducer<>(publishing(producerConfig(onprem, cloud, file), topic, 600_000));
        FleetStatusReader reader = reader(topic)) {
      String id = producer.status().instanceId();
      await().until(reader::read, view -> view.epochOf(id).orElse(-2) == 1);
      assertThat(reader.read().stragglers(2)).extracting(InstanceStatus::instanceId).containsExactly(id);

      authority(2);

      // The interval is 10 minutes: only the epoch change can have published this.
      FleetView fleet = await().atMost(Duration.ofSeconds(30)).until(reader::read,
          view -> view.epochOf(id).orElse(-2) == 2);
      assertThat(fleet.instance(id).epochSince()).isNotNull();
      assertThat(fleet.stragglers(2)).isEmpty();
    }
  }

  @Test
  void aStatusIsPublishedEveryIntervalAndATombstoneOnClose() throws Exception {
    String topic = statusTopic("status-periodic");
    String id;
    try (RoutingProducer<String, String> producer =
            new RoutingProducer<>(publishing(producerConfig(onprem, cloud, authority(1)), topic, 300))) {
      id = producer.status().instanceId();
      await().atMost(Duration.ofSeconds(30)).until(() -> rawRecords(topic).size() >= 4);
    }
    List<String[]> records = rawRecords(topic);
    assertThat(records).allSatisfy(r -> assertThat(r[0]).isEqualTo(id));
    assertThat(records.get(records.size() - 1)[1]).as("the tombstone written on close").isNull();
    List<Instant> published = new ArrayList<>();
    try (FleetStatusReader reader = reader(topic)) {
      assertThat(reader.read().instances()).as("closed instances leave the fleet").isEmpty();
    }
    for (String[] r : records.subList(0, records.size() - 1)) {
      String json = r[1];
      int at = json.indexOf("\"publishedAt\":\"") + "\"publishedAt\":\"".length();
      published.add(Instant.parse(json.substring(at, json.indexOf('"', at))));
    }
    for (int i = 1; i < published.size(); i++) {
      assertThat(Duration.between(published.get(i - 1), published.get(i))).isGreaterThanOrEqualTo(
          Duration.ofMillis(250));
    }
  }

  @Test
  void anInstanceSilentForThreeIntervalsIsStaleAndNotAStraggler() throws Exception {
    String topic = statusTopic("status-stale");
    try (RoutingProducer<String, String> producer =
            new RoutingProducer<>(publishing(producerConfig(onprem, cloud, authority(1)), topic, 1_000));
        FleetStatusReader reader = reader(topic)) {
      String live = producer.status().instanceId();
      // An instance that stopped publishing without its tombstone (killed): its last status is 5 s old, its
      // interval 1 s.
      byte[] ghost = StatusDocument.render(producer.status(), new StatusDocument.Identity("ghost", "orders-api",
          "gone-host", Map.of(), 1_000), Instant.now().minusSeconds(5), 0);
      try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(cloud.clientConfig(), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        raw.send(new ProducerRecord<>(topic, "ghost".getBytes(StandardCharsets.UTF_8), ghost)).get();
        raw.send(new ProducerRecord<>(topic, "junk".getBytes(StandardCharsets.UTF_8),
            "{not json".getBytes(StandardCharsets.UTF_8))).get();
      }

      FleetView fleet = await().until(reader::read, view -> view.instance(live) != null
          && view.instance("ghost") != null);

      assertThat(fleet.stale(Instant.now())).extracting(InstanceStatus::instanceId).containsExactly("ghost");
      assertThat(fleet.stragglers(2)).extracting(InstanceStatus::instanceId).containsExactly(live);
      assertThat(fleet.epochOf("ghost")).hasValue(1);
      assertThat(fleet.skipped()).isEqualTo(1);
    }
  }

  @Test
  void noStatusRecordEverHoldsAConfiguredSecret() throws Exception {
    String topic = statusTopic("status-secrets");
    Path file = authority(1);
    String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"svc\" password=\""
        + JAAS_SECRET + "\";";
    // PLAINTEXT brokers: these settings are passed to the clients, which ignore them for PLAINTEXT.
    Map<String, Object> producerConfig = publishing(producerConfig(onprem, cloud, file), topic, 200);
    producerConfig.put("turnout.cluster.onprem.sasl.jaas.config", jaas);
    producerConfig.put("turnout.cluster.cloud.ssl.keystore.password", KEYSTORE_SECRET);
    producerConfig.put("ssl.truststore.password", TRUSTSTORE_SECRET);
    producerConfig.remove(TurnoutConfig.STATUS_TOPIC_CLUSTER);
    producerConfig.put("turnout.status.topic.bootstrap.servers", cloud.bootstrapServers());
    producerConfig.put("turnout.status.topic.sasl.jaas.config", jaas.replace(JAAS_SECRET, STATUS_JAAS_SECRET));
    producerConfig.put("turnout.status.topic.ssl.key.password", KEYSTORE_SECRET);
    Map<String, Object> consumerConfig = publishing(consumerConfig(onprem, cloud, file, "secret-group"), topic, 200);
    consumerConfig.put("sasl.jaas.config", jaas);
    consumerConfig.put("turnout.cluster.cloud.ssl.truststore.password", TRUSTSTORE_SECRET);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig);
        RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig)) {
      consumer.subscribe(List.of("fleet-orders"));
      producer.send(new ProducerRecord<>("fleet-orders", "k", "v")).get(10, TimeUnit.SECONDS);
      assertThat(producer.send(new ProducerRecord<>("not-governed", "k", "v")))
          .failsWithin(Duration.ofSeconds(10)); // a refusal, whose message is in the status
      String producerId = producer.status().instanceId();
      String consumerId = consumer.status().instanceId();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(100));
        List<String[]> records = rawRecords(topic);
        return records.stream().filter(r -> r[1] != null && r[1].contains("NO_MATCHING_RULE\",\"topic\""))
            .anyMatch(r -> r[0].equals(producerId)) && records.stream().anyMatch(r -> r[0].equals(consumerId));
      });
    }
    List<String[]> records = rawRecords(topic);
    assertThat(records).hasSizeGreaterThanOrEqualTo(4);
    for (String[] record : records) {
      if (record[1] != null) {
        assertThat(record[1]).doesNotContain(JAAS_SECRET, KEYSTORE_SECRET, TRUSTSTORE_SECRET, STATUS_JAAS_SECRET,
            "PlainLoginModule", "password");
      }
    }
  }
}
