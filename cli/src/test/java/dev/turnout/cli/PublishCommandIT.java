package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.SingleKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code turnout publish} against a real broker: what it writes, and each refusal writing nothing. */
@SingleKafkaCluster
class PublishCommandIT {

  private static KafkaTestCluster kafka;

  @TempDir
  Path dir;

  @BeforeAll
  static void cluster(KafkaTestCluster cluster) {
    kafka = cluster;
  }

  private static String controlTopic(String name) throws Exception {
    kafka.admin().createTopics(List.of(new NewTopic(name, 1, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
    return name;
  }

  private Path doc(String name, long epoch, String state, String... more) {
    List<String> lines = new ArrayList<>(List.of("epoch=" + epoch, "source=onprem", "target=cloud",
        "rule.orders.topics=orders", "rule.orders.state=" + state));
    lines.addAll(List.of(more));
    return Cli.write(dir, name, lines.toArray(String[]::new));
  }

  private static Cli publish(String topic, Path file, String... more) {
    List<String> args = new ArrayList<>(List.of("publish", file.toString(), "--topic", topic, "--bootstrap-server",
        kafka.bootstrapServers()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static long endOffset(String topic) {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.clientConfig(), new StringDeserializer(),
        new StringDeserializer())) {
      return consumer.endOffsets(List.of(new TopicPartition(topic, 0))).values().iterator().next();
    }
  }

  /** Every record of the topic, key and value. */
  private static List<ConsumerRecord<String, String>> records(String topic) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.clientConfig(), new StringDeserializer(),
        new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  @Test
  void publishesTheFileAsOneRecordKeyedAuthorityAndSaysWhere() throws Exception {
    String topic = controlTopic("control-happy");
    Path first = doc("1", 1, "MIRROR");

    Cli one = publish(topic, first);
    Cli two = publish(topic, doc("2", 2, "DUAL_READ"), "--json");

    assertThat(one.status()).as(one.toString()).isEqualTo(ExitCodes.OK);
    assertThat(one.out()).contains("published epoch 1 to topic " + topic + " partition 0 offset 0 (the first document)");
    assertThat(two.status()).as(two.toString()).isEqualTo(ExitCodes.OK);
    assertThat(two.json().get("offset").asLong()).isEqualTo(1);
    assertThat(two.json().get("previousEpoch").asLong()).isEqualTo(1);
    List<ConsumerRecord<String, String>> records = records(topic);
    assertThat(records).hasSize(2);
    assertThat(records.get(0).key()).isEqualTo("authority");
    assertThat(records.get(0).value()).isEqualTo(Files.readString(first, StandardCharsets.UTF_8));
  }

  @Test
  void anInvalidDocumentIsRefusedAndNothingWritten() throws Exception {
    String topic = controlTopic("control-invalid");

    Cli result = publish(topic, doc("bad", 1, "WRITE_PROMOTION"));

    assertThat(result.status()).isEqualTo(ExitCodes.RED);
    assertThat(result.err()).startsWith("error: ").contains("is invalid").contains("SLICES_REQUIRED");
    assertThat(endOffset(topic)).isZero();
  }

  @Test
  void anEpochNotGreaterThanThePublishedOneIsRefused() throws Exception {
    String topic = controlTopic("control-epoch");
    assertThat(publish(topic, doc("5", 5, "MIRROR")).status()).isEqualTo(ExitCodes.OK);

    Cli same = publish(topic, doc("5b", 5, "DUAL_READ"));
    Cli lower = publish(topic, doc("4", 4, "DUAL_READ"));

    assertThat(same.status()).isEqualTo(ExitCodes.RED);
    assertThat(same.err()).contains("epoch 5 is not greater than the published epoch 5 (partition 0 offset 0): raise "
        + "epoch to 6");
    assertThat(lower.status()).isEqualTo(ExitCodes.RED);
    assertThat(endOffset(topic)).isEqualTo(1);
  }

  @Test
  void anUnsignedDocumentIsRefusedWhenTheFleetTrustsKeysOrThePublishedOneIsSigned() throws Exception {
    String topic = controlTopic("control-signed");
    String prefix = dir.resolve("ops").toString();
    assertThat(Cli.run("keygen", "--out", prefix).status()).isEqualTo(ExitCodes.OK);
    Path unsigned = doc("1", 1, "MIRROR");

    Cli trusted = publish(topic, unsigned, "--trusted-keys", prefix + ".pub.pem");
    assertThat(trusted.status()).isEqualTo(ExitCodes.RED);
    assertThat(trusted.err()).contains("is not signed and the fleet trusts keys");
    assertThat(endOffset(topic)).isZero();

    Path signed = dir.resolve("1.signed");
    assertThat(Cli.run("sign", unsigned.toString(), "--key", prefix + ".pem", "--out", signed.toString()).status())
        .isZero();
    Cli accepted = publish(topic, signed, "--trusted-keys", prefix + ".pub.pem");
    assertThat(accepted.status()).as(accepted.toString()).isEqualTo(ExitCodes.OK);

    Cli afterSigned = publish(topic, doc("2", 2, "DUAL_READ"));
    assertThat(afterSigned.status()).isEqualTo(ExitCodes.RED);
    assertThat(afterSigned.err()).contains("is not signed but the published document (epoch 1) is");
    assertThat(endOffset(topic)).isEqualTo(1);
  }

  @Test
  void aSkippedStateIsRefusedWithoutForceAndPublishedWithIt() throws Exception {
    String topic = controlTopic("control-skip");
    assertThat(publish(topic, doc("1", 1, "MIRROR")).status()).isEqualTo(ExitCodes.OK);
    Path skipping = doc("2", 2, "WRITE_PROMOTION", "rule.orders.slice.all.keys=0-9999",
        "rule.orders.slice.all.owner=cloud");

    Cli refused = publish(topic, skipping);
    assertThat(refused.status()).isEqualTo(ExitCodes.RED);
    assertThat(refused.err()).contains("MIRROR -> WRITE_PROMOTION skips DUAL_READ").contains("--force");
    assertThat(endOffset(topic)).isEqualTo(1);

    Cli forced = publish(topic, skipping, "--force");
    assertThat(forced.status()).as(forced.toString()).isEqualTo(ExitCodes.OK);
    assertThat(forced.out()).contains("published epoch 2").contains("(was epoch 1)");
    assertThat(endOffset(topic)).isEqualTo(2);
  }

  @Test
  void aDryRunPrintsTheDiffAgainstThePublishedDocumentAndWritesNothing() throws Exception {
    String topic = controlTopic("control-dry");
    assertThat(publish(topic, doc("1", 1, "DUAL_READ")).status()).isEqualTo(ExitCodes.OK);
    long before = endOffset(topic);

    Cli dry = publish(topic, doc("2", 2, "WRITE_PROMOTION", "rule.orders.slice.canary.keys=0-999",
        "rule.orders.slice.canary.owner=cloud", "rule.orders.slice.rest.keys=1000-9999",
        "rule.orders.slice.rest.owner=onprem"), "--dry-run");

    assertThat(dry.status()).as(dry.toString()).isEqualTo(ExitCodes.OK);
    assertThat(dry.out()).contains("dry run: would publish epoch 2 to topic " + topic + " (published: epoch 1 at "
        + "partition 0 offset 0); nothing written")
        .contains("rule orders keys 0-999 (slice canary): writes move from onprem to cloud");
    assertThat(endOffset(topic)).isEqualTo(before).isEqualTo(1);
  }

  @Test
  void aMissingTopicIsAUsageError() {
    Cli result = publish("no-such-control-topic", doc("1", 1, "MIRROR"));

    assertThat(result.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("control topic no-such-control-topic does not exist");
  }
}
