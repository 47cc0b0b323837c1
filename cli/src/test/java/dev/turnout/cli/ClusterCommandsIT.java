package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.RoutingConsumer;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code turnout status} and {@code turnout reconcile} against two real clusters and real routing clients. */
@TwoKafkaClusters
class ClusterCommandsIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @TempDir
  Path dir;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("status-orders", 1);
    clusters.createTopic("rc-orders", 1);
  }

  private Map<String, Object> client(Path authority) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", onprem.bootstrapServers());
    config.put("turnout.cluster.cloud.bootstrap.servers", cloud.bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_FILE, authority.toString());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 100);
    return config;
  }

  private Map<String, Object> producer(Path authority) {
    Map<String, Object> config = client(authority);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "drained");
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());
    config.put("acks", "all");
    config.put("max.block.ms", 10_000);
    return config;
  }

  private static Map<String, Object> publishing(Map<String, Object> config, String topic) {
    config.put(TurnoutConfig.STATUS_TOPIC, topic);
    config.put(TurnoutConfig.STATUS_TOPIC_CLUSTER, "cloud");
    config.put(TurnoutConfig.STATUS_INTERVAL_MS, 60_000);
    return config;
  }

  private static Cli status(String topic, String... more) {
    String[] args = new String[4 + more.length];
    System.arraycopy(new String[] {"status", "--topic", topic, "--bootstrap-server=" + cloud.bootstrapServers()}, 0,
        args, 0, 4);
    System.arraycopy(more, 0, args, 4, more.length);
    return Cli.run(args);
  }

  /** The raw status record (JSON) an instance published last. */
  private static ObjectNode lastStatusOf(String topic, String instanceId) throws Exception {
    Map<String, Object> config = cloud.clientConfig();
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    byte[] last = null;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (instanceId.equals(r.key()) && r.value() != null) {
            last = r.value();
          }
        }
      }
    }
    return (ObjectNode) new ObjectMapper().readTree(last);
  }

  @Test
  void statusShowsARealProducerAndConsumerAndARecordGoneStaleMakesItRed() throws Exception {
    String topic = "turnout-status";
    cloud.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
    Path authority = Cli.write(dir, "authority.properties", "epoch=1", "source=onprem", "target=cloud",
        "rule.orders.topics=status-orders", "rule.orders.state=MIRROR");
    Map<String, Object> producerConfig = publishing(producer(authority), topic);
    producerConfig.put("client.id", "orders-api-1");
    Map<String, Object> consumerConfig = publishing(client(authority), topic);
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "billing-group");
    consumerConfig.put(TurnoutConfig.SERVICE_NAME, "billing");
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig);
        RoutingConsumer<String, String> consumer = new RoutingConsumer<>(consumerConfig)) {
      consumer.subscribe(List.of("status-orders"));

      Cli green = await().atMost(Duration.ofSeconds(60)).until(() -> {
        consumer.poll(Duration.ofMillis(100));
        return status(topic);
      }, cli -> cli.out().contains("orders-api-1") && cli.out().matches("(?s).*billing-group +billing .*"
          + "status-orders +onprem.*"));

      assertThat(green.status()).as(green.toString()).isEqualTo(ExitCodes.OK);
      assertThat(green.out()).startsWith("GREEN").contains("2 instance(s), newest epoch applied 1, 0 stale")
          .containsPattern("orders-api +PRODUCER +\\S+ +orders-api-1 +1 ")
          .containsPattern("billing +CONSUMER ");
      Cli watched = status(topic, "--watch", "--watch-count", "2");
      assertThat(watched.out().split("GREEN  status topic", -1)).as("two refreshes, plain repeated blocks")
          .hasSize(3);
      assertThat(watched.out()).doesNotContain("\033[");
      JsonNode json = status(topic, "--json").json();
      assertThat(json.get("red").asBoolean()).isFalse();
      assertThat(json.get("instances").findValuesAsText("clientId")).contains("orders-api-1");

      ObjectNode ghost = lastStatusOf(topic, producer.status().instanceId());
      ghost.put("instanceId", "ghost").put("host", "gone-host")
          .put("publishedAt", Instant.now().minusSeconds(600).toString());
      try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(cloud.clientConfig(), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        raw.send(new ProducerRecord<>(topic, "ghost".getBytes(StandardCharsets.UTF_8),
            new ObjectMapper().writeValueAsBytes(ghost))).get();
      }

      Cli red = status(topic);
      assertThat(red.status()).as(red.toString()).isEqualTo(ExitCodes.RED);
      assertThat(red.out()).startsWith("RED").contains("1 stale").containsPattern("gone-host .* stale");
      JsonNode redJson = status(topic, "--json").json();
      assertThat(redJson.get("red").asBoolean()).isTrue();
      assertThat(redJson.get("stale").get(0).asText()).isEqualTo("ghost");
    }
  }

  @Test
  void aMissingStatusTopicIsAUsageError() {
    Cli result = status("no-such-status-topic");

    assertThat(result.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("Status topic 'no-such-status-topic' does not exist");
  }

  @Test
  void reconcilePlansAndAppliesTheTargetOnlyRecordsOfARule() throws Exception {
    Path authority = Cli.write(dir, "epoch1.properties", "epoch=1", "source=onprem", "target=cloud",
        "rule.orders.topics=rc-orders", "rule.orders.state=WRITE_PROMOTION", "rule.orders.slice.all.keys=0-9999",
        "rule.orders.slice.all.owner=cloud");
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producer(authority))) {
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>("rc-orders", "customer-" + i, "order-" + i)).get(30, TimeUnit.SECONDS);
      }
    }
    Path source = Files.writeString(dir.resolve("onprem.properties"),
        "bootstrap.servers=" + onprem.bootstrapServers() + "\n");
    Path target = Files.writeString(dir.resolve("cloud.properties"),
        "bootstrap.servers=" + cloud.bootstrapServers() + "\n");
    String[] common = {"--rule", "orders", "--epochs", "1-1", "--documents", authority.toString(),
        "--source-alias", "onprem", "--source-config", source.toString(), "--target-alias", "cloud",
        "--target-config", target.toString()};

    Cli plan = Cli.run(concat(new String[] {"reconcile", "--plan"}, common));
    assertThat(plan.status()).as(plan.toString()).isEqualTo(ExitCodes.OK);
    assertThat(plan.out()).contains("plan for rule orders, epochs 1-1: 5 target-only record(s), 0 already on onprem, "
        + "5 to copy").containsPattern("rc-orders +0 +all +5 +0 +5 ");

    Cli apply = Cli.run(concat(new String[] {"reconcile", "--apply"}, common));
    assertThat(apply.status()).as(apply.toString()).isEqualTo(ExitCodes.OK);
    assertThat(apply.out()).contains("copied 5 to onprem");

    Cli again = Cli.run(concat(new String[] {"reconcile", "--plan", "--json"}, common));
    assertThat(again.json().get("reconciled").asBoolean()).as(again.toString()).isTrue();
    assertThat(again.json().get("alreadyOnSource").asLong()).isEqualTo(5);
  }

  @Test
  void aReconciliationThatCannotBeDoneIsRefusedWithItsKind() throws Exception {
    Path authority = Cli.write(dir, "epoch1.properties", "epoch=1", "source=onprem", "target=cloud",
        "rule.orders.topics=rc-orders", "rule.orders.state=MIRROR");
    Path config = Files.writeString(dir.resolve("c.properties"), "bootstrap.servers=" + onprem.bootstrapServers());

    Cli result = Cli.run("reconcile", "--plan", "--rule", "payments", "--epochs", "1-1", "--documents",
        authority.toString(), "--source-alias", "onprem", "--source-config", config.toString(), "--target-alias",
        "cloud", "--target-config", config.toString());

    assertThat(result.status()).as(result.toString()).isIn(ExitCodes.RED);
    assertThat(result.err()).startsWith("error: ").doesNotContain("\n\n");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
