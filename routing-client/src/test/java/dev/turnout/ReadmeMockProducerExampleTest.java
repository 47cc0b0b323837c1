package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Testing your service without a broker" example, compiled and run by the build; the second
 * test checks that the README shows exactly the code between the markers below.
 */
class ReadmeMockProducerExampleTest {

  // README:begin
  @Test
  void ordersGoToTheirOwnerAndUnknownTopicsAreRefused(@TempDir Path dir) throws Exception {
    Path authority = Files.writeString(dir.resolve("authority.properties"), """
        epoch=1
        source=onprem
        target=cloud
        rule.orders.topics=orders
        rule.orders.state=TARGET_AUTHORITY
        """);
    Map<String, Object> configs = Map.of(
        "turnout.clusters", "onprem,cloud",
        "turnout.authority.file", authority.toString(),
        "turnout.cutover.barrier", "drained"); // the mocks have no partitions to check replication in
    MockProducer<String, String> onprem = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    MockProducer<String, String> cloud = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());

    try (RoutingProducer<String, String> producer = RoutingProducer.<String, String>builder(configs)
        .serializers(new StringSerializer(), new StringSerializer())
        .client("onprem", onprem) // no bootstrap.servers needed for supplied clients
        .client("cloud", cloud)
        .build()) {
      producer.send(new ProducerRecord<>("orders", "customer-42", "{...}")).get();
      Future<RecordMetadata> refused = producer.send(new ProducerRecord<>("invoices", "customer-42", "{...}"));

      assertThat(onprem.history()).isEmpty();
      assertThat(cloud.history()).hasSize(1);
      assertThat(cloud.history().get(0).headers().lastHeader("turnout.route")).isNotNull();
      assertThatThrownBy(refused::get).hasCauseInstanceOf(OwnershipAmbiguousException.class);
    }
  }
  // README:end

  @Test
  void theReadmeShowsThisExampleVerbatim() throws IOException {
    String source = Files.readString(Path.of("src/test/java/dev/turnout/ReadmeMockProducerExampleTest.java"));
    String example = source.substring(source.indexOf("// README:begin\n") + "// README:begin\n".length(),
        source.indexOf("  // README:end"));
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).contains(example.stripTrailing().stripIndent());
  }
}
