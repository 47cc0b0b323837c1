package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.status.ClusterStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document can never introduce an endpoint: it names only aliases the client declares in
 * {@code turnout.clusters}, whatever the source it comes from. A document naming another alias, a broker
 * address in place of an alias, or a connection setting is rejected whole; the map in force stays and the
 * client's clusters stay the declared ones. No broker is involved: nothing is sent.
 */
class DocumentAliasesTest {

  private static final Map<String, String> VALID = doc(1);

  @TempDir
  Path dir;

  private static Map<String, String> doc(long epoch, String... extra) {
    Map<String, String> doc = new LinkedHashMap<>();
    doc.put("epoch", Long.toString(epoch));
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    doc.put("rule.orders.topics", "orders");
    doc.put("rule.orders.state", "TARGET_AUTHORITY");
    for (int i = 0; i < extra.length; i += 2) {
      doc.put(extra[i], extra[i + 1]);
    }
    return doc;
  }

  private static Map<String, Object> config(String sourceKey, Object source) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", "localhost:1");
    config.put("turnout.cluster.cloud.bootstrap.servers", "localhost:2");
    config.put(sourceKey, source);
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 20L);
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());
    return config;
  }

  private static long rejected(RoutingProducer<?, ?> producer, String reason) {
    return producer.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals("authority-documents-rejected-total")
            && reason.equals(e.getKey().tags().get("reason")))
        .mapToLong(e -> ((Number) e.getValue().metricValue()).longValue()).sum();
  }

  /**
   * Offers each hostile document in turn through {@code offer} to a producer that installed {@link #VALID},
   * and checks each is rejected for its reason while epoch 1 and the declared clusters stay.
   */
  private static void rejectsEveryDocumentNamingAnUndeclaredEndpoint(Map<String, Object> config,
      Consumer<Map<String, String>> offer) {
    offer.accept(VALID);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      assertThat(producer.epoch()).isEqualTo(1);
      Object[][] hostile = {
          {doc(2, "target", "aws"), "UNKNOWN_CLUSTER", 1L},
          {doc(3, "rule.orders.target", "aws-broker.example:9092"), "UNKNOWN_CLUSTER", 2L},
          {doc(4, "rule.orders.slice.all.owner", "aws", "rule.orders.state", "WRITE_PROMOTION",
              "rule.orders.slice.all.keys", "0-9999"), "UNKNOWN_CLUSTER", 3L},
          {doc(5, "cluster.aws.bootstrap.servers", "aws-broker.example:9092"), "UNKNOWN_KEY", 1L},
          {doc(6, "rule.orders.bootstrap.servers", "aws-broker.example:9092"), "UNKNOWN_KEY", 2L},
      };
      for (Object[] c : hostile) {
        @SuppressWarnings("unchecked")
        Map<String, String> document = (Map<String, String>) c[0];
        offer.accept(document);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(rejected(producer, (String) c[1])).as("%s", document).isEqualTo((Long) c[2]));
        assertThat(producer.epoch()).as("the map in force stays").isEqualTo(1);
        assertThat(producer.failingClosed()).isFalse();
        assertThat(producer.status().clusters()).extracting(ClusterStatus::alias)
            .containsExactlyInAnyOrder("onprem", "cloud");
      }
    }
  }

  @Test
  void fromTheFileSource() {
    Path file = dir.resolve("authority.properties");
    rejectsEveryDocumentNamingAnUndeclaredEndpoint(config(TurnoutConfig.AUTHORITY_FILE, file.toString()),
        document -> write(file, document));
  }

  @Test
  void fromACustomSourceInstance() {
    MapAuthoritySource source = new MapAuthoritySource("");
    rejectsEveryDocumentNamingAnUndeclaredEndpoint(config(TurnoutConfig.AUTHORITY_SOURCE, source),
        document -> source.set(text(document)));
  }

  @Test
  void fromACustomSourceClass() {
    rejectsEveryDocumentNamingAnUndeclaredEndpoint(
        config(TurnoutConfig.AUTHORITY_SOURCE, StaticDocumentSource.class.getName()), StaticDocumentSource::set);
  }

  private static String text(Map<String, String> document) {
    StringBuilder text = new StringBuilder();
    document.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.toString();
  }

  private void write(Path file, Map<String, String> document) {
    try {
      Path tmp = dir.resolve("authority.tmp");
      Files.writeString(tmp, text(document), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
