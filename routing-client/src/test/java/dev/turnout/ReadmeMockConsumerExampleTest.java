package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example of the README and docs/consumers.md ("Testing your service without a broker"): a service's
 * consumption unit-tested with kafka-clients' {@code MockConsumer}, one per cluster, and no broker. The second
 * test checks that the README shows exactly the code between the markers below.
 */
class ReadmeMockConsumerExampleTest {

  @TempDir
  Path dir;

  // --- example start
  @Test
  void consumesOrdersFromTheClusterTheAuthorityMapNames() throws Exception {
    Path authority = Files.writeString(dir.resolve("authority.properties"), """
        epoch=1
        source=onprem
        target=cloud
        rule.orders.topics=orders
        rule.orders.state=MIRROR
        """);
    Map<String, Object> config = new HashMap<>();
    config.put("turnout.clusters", "onprem,cloud");
    config.put("turnout.authority.file", authority.toString());
    config.put("group.id", "billing");
    MockConsumer<String, String> onprem = new MockConsumer<>("earliest");
    MockConsumer<String, String> cloud = new MockConsumer<>("earliest");
    TopicPartition orders = new TopicPartition("orders", 0);

    try (RoutingConsumer<String, String> consumer = RoutingConsumer.<String, String>builder(config)
        .client("onprem", onprem)
        .client("cloud", cloud)
        .build()) {
      List<TopicPartition> assigned = new ArrayList<>();
      consumer.subscribe(List.of("orders"), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          assigned.addAll(partitions);
        }
      });
      // MIRROR reads from the source: the onprem client is the one subscribed.
      assertThat(onprem.subscription()).containsExactly("orders");
      assertThat(cloud.subscription()).isEmpty();
      onprem.schedulePollTask(() -> {
        onprem.rebalance(List.of(orders));
        onprem.updateBeginningOffsets(Map.of(orders, 0L));
        onprem.addRecord(new ConsumerRecord<>("orders", 0, 0, "o-1", "42.00"));
      });

      ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(5));

      assertThat(assigned).containsExactly(orders);
      assertThat(records.records(orders)).extracting(ConsumerRecord::key).containsExactly("o-1");
      consumer.commitSync();
      assertThat(onprem.committed(java.util.Set.of(orders)).get(orders).offset()).isEqualTo(1);
      assertThat(consumer.committed(java.util.Set.of(orders)).get(orders)).isEqualTo(new OffsetAndMetadata(1, ""));
    }
    assertThat(onprem.closed()).isTrue();
  }
  // --- example end

  @Test
  void theReadmeShowsThisExampleVerbatim() throws IOException {
    String source = Files.readString(Path.of("src/test/java/dev/turnout/ReadmeMockConsumerExampleTest.java"));
    String example = source.substring(source.indexOf("// --- example start\n") + "// --- example start\n".length(),
        source.indexOf("  // --- example end"));
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).contains(example.stripTrailing().stripIndent());
  }
}
