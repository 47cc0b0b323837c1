package dev.turnout;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Quickstart followed literally against two real clusters with nothing replicating between them:
 * its producer snippet (run as the README shows it, its addresses and file path mapped to the test's), its
 * authority document, and a flip written to the file with a higher epoch. Also the same setup with the default
 * {@code replicated} barrier: the timeout says that nothing replicates and names the {@code drained} setting.
 */
@TwoKafkaClusters
class ReadmeQuickstartIT {

  private static final String TOPIC = "orders";
  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @TempDir
  Path dir;

  @BeforeAll
  static void start(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic(TOPIC, 3);
  }

  /**
   * The application's own producer settings; the README's addresses and file path, when the snippet puts them,
   * become the test clusters' and the test's file.
   */
  private static Properties applicationProperties(Path authority) {
    Map<String, String> local = Map.of("kafka-old:9092", onprem.bootstrapServers(),
        "kafka-new:9092", cloud.bootstrapServers(), "/etc/turnout/authority.properties", authority.toString());
    Properties props = new Properties() {
      @Override
      public synchronized Object put(Object key, Object value) {
        return super.put(key, value instanceof String s ? local.getOrDefault(s, s) : value);
      }
    };
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    props.put("acks", "all");
    return props;
  }

  /** The flip: a higher epoch moving buckets 1000-4999 from onprem to cloud. */
  private static String flipped(String document) {
    String flipped = document.replace("epoch=1\n", "epoch=2\n")
        .replace("rule.orders.slice.canary.keys=0-999\n", "rule.orders.slice.canary.keys=0-4999\n")
        .replace("rule.orders.slice.rest.keys=1000-9999\n", "rule.orders.slice.rest.keys=5000-9999\n");
    assertThat(flipped).contains("epoch=2\n").contains("0-4999").contains("5000-9999");
    return flipped;
  }

  /** Keys whose bucket lies in 1000-4999: owned by onprem at epoch 1, by cloud after the flip. */
  private static List<String> movingKeys(int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      String key = "customer-" + i;
      int bucket = AuthorityMap.bucket(new StringSerializer().serialize(TOPIC, key));
      if (bucket >= 1_000 && bucket < 5_000) {
        keys.add(key);
      }
    }
    return keys;
  }

  @Test
  void theQuickstartAsWrittenMovesASliceAndItsRecordsAreAcknowledged() throws Exception {
    String document = ReadmeQuickstartTest.quickstartAuthorityDocument();
    Path file = dir.resolve("authority.properties");
    writeDocument(file, document);
    ConcurrentLinkedQueue<RoutedMetadata> acknowledged = new ConcurrentLinkedQueue<>();
    List<String> moving = movingKeys(6);
    try (Producer<String, String> producer = ReadmeQuickstartTest.quickstartProducer(applicationProperties(file),
        (RoutedCallback) (metadata, error) -> {
          if (error == null) {
            acknowledged.add(metadata);
          }
        })) {
      RoutingProducer<String, String> routing = (RoutingProducer<String, String>) producer;
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() == 1);
      assertThat(acknowledged.peek().topic()).isEqualTo(TOPIC);
      for (String key : moving) {
        RoutedMetadata before = routing.sendRouted(new ProducerRecord<>(TOPIC, key, key + ":before"))
            .get(30, TimeUnit.SECONDS);
        assertThat(before.cluster()).isEqualTo("onprem");
      }

      writeDocument(file, flipped(document));
      await().atMost(Duration.ofSeconds(10)).until(() -> routing.epoch() == 2);

      List<Future<RoutedMetadata>> after = new ArrayList<>();
      for (String key : moving) {
        after.add(routing.sendRouted(new ProducerRecord<>(TOPIC, key, key + ":after")));
      }
      for (Future<RoutedMetadata> f : after) {
        RoutedMetadata m = f.get(30, TimeUnit.SECONDS); // well under turnout.cutover.max.pause.ms (30 s)
        assertThat(m.cluster()).isEqualTo("cloud");
        assertThat(m.hasOffset()).isTrue();
      }
    }
    assertThat(readAll(cloud, TOPIC)).extracting(ConsumerRecord::value).filteredOn(v -> v.endsWith(":after"))
        .containsExactlyInAnyOrderElementsOf(moving.stream().map(k -> k + ":after").toList());
    assertThat(readAll(onprem, TOPIC)).extracting(ConsumerRecord::value).noneMatch(v -> v.endsWith(":after"));
  }

  @Test
  void withTheDefaultBarrierAndNothingReplicatingTheTimeoutNamesTheDrainedSetting() throws Exception {
    String document = ReadmeQuickstartTest.quickstartAuthorityDocument();
    Path file = dir.resolve("authority.properties");
    writeDocument(file, document);
    // The README's settings without the turnout.cutover.barrier line, and a short pause so the test is quick.
    Properties props = applicationProperties(file);
    props.put("turnout.clusters", "onprem,cloud");
    props.put("turnout.cluster.onprem.bootstrap.servers", "kafka-old:9092");
    props.put("turnout.cluster.cloud.bootstrap.servers", "kafka-new:9092");
    props.put("turnout.authority.file", "/etc/turnout/authority.properties");
    props.put("turnout.cutover.max.pause.ms", "1500");
    List<String> moving = movingKeys(3);
    try (LogCapture logs = new LogCapture();
        RoutingProducer<String, String> producer = new RoutingProducer<>(props)) {
      for (String key : moving) {
        producer.send(new ProducerRecord<>(TOPIC, key, key + ":before")).get(30, TimeUnit.SECONDS);
      }
      writeDocument(file, flipped(document));
      await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == 2);

      Future<RecordMetadata> waiting = producer.send(new ProducerRecord<>(TOPIC, moving.get(0), "stuck"));
      assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.CUTOVER_BARRIER_TIMEOUT);
            assertThat(e.getMessage())
                .contains("to be replicated to 'cloud'")
                .contains("No record written to the old owner was ever found on the new owner ('onprem' to 'cloud')")
                .contains("turnout.cutover.barrier=drained");
          });
      assertThat(logs.lines("WARN", "did not complete within 1500 ms"))
          .singleElement().asString().contains("turnout.cutover.barrier=drained")
          .doesNotContain("Check the replication from the old owner to the new owner.");
    }
    assertThat(readAll(cloud, TOPIC)).extracting(ConsumerRecord::value).doesNotContain("stuck");
  }
}
