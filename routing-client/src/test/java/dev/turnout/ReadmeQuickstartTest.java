package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The README's Quickstart: its Java snippets compiled by the build (and the producer's run against two real
 * clusters by {@code ReadmeQuickstartIT}), its authority document read from the README, and checks that the
 * README shows them verbatim.
 */
class ReadmeQuickstartTest {

  /** The producer snippet, as the README shows it; {@code props} holds the application's producer settings. */
  static Producer<String, String> quickstartProducer(Properties props, Callback callback) {
    // README:producer:begin
    props.put("turnout.clusters", "onprem,cloud");
    props.put("turnout.cluster.onprem.bootstrap.servers", "kafka-old:9092");
    props.put("turnout.cluster.cloud.bootstrap.servers", "kafka-new:9092");
    props.put("turnout.authority.file", "/etc/turnout/authority.properties");
    props.put("turnout.cutover.barrier", "drained"); // nothing replicates onprem to cloud yet: see below
    Producer<String, String> producer = new RoutingProducer<>(props); // serializers, acks, callbacks: unchanged
    producer.send(new ProducerRecord<>("orders", "customer-42", "{...}"), callback);
    // README:producer:end
    return producer;
  }

  /** The consumer snippet, as the README shows it; {@code props} holds the application's consumer settings. */
  static Consumer<String, String> quickstartConsumer(Properties props) {
    // README:consumer:begin
    // MirrorMaker 2 checkpoints (add org.apache.kafka:connect-mirror-client); identity for offset-preserving links
    props.put("turnout.consumer.offset.translation", "mirrormaker2");
    Consumer<String, String> consumer = new RoutingConsumer<>(props);
    consumer.subscribe(List.of("orders"));
    // README:consumer:end
    return consumer;
  }

  /** The Quickstart's {@code authority.properties}, read from the README. */
  static String quickstartAuthorityDocument() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    String quickstart = readme.substring(readme.indexOf("## Quickstart"));
    String start = "```properties\n";
    int from = quickstart.indexOf(start) + start.length();
    return quickstart.substring(from, quickstart.indexOf("```", from));
  }

  private static String snippet(String name) throws IOException {
    String source = Files.readString(Path.of("src/test/java/dev/turnout/ReadmeQuickstartTest.java"));
    String begin = "// README:" + name + ":begin\n";
    return source.substring(source.indexOf(begin) + begin.length(), source.indexOf("    // README:" + name + ":end"))
        .stripTrailing().stripIndent();
  }

  @Test
  void theReadmeShowsTheProducerSnippetVerbatim() throws IOException {
    assertThat(Files.readString(Path.of("../README.md"))).contains("```java\n" + snippet("producer") + "\n```");
  }

  @Test
  void theReadmeShowsTheConsumerSnippetVerbatim() throws IOException {
    assertThat(Files.readString(Path.of("../README.md"))).contains("```java\n" + snippet("consumer") + "\n```");
  }

  @Test
  void theQuickstartDocumentIsTheOneThisTestReads() throws IOException {
    assertThat(quickstartAuthorityDocument()).startsWith("epoch=1\n").contains("rule.orders.slice.canary.keys=0-999\n")
        .contains("rule.orders.slice.rest.owner=onprem\n");
  }
}
