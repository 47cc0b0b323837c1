package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.DocumentSignatures;
import dev.turnout.source.AuthoritySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients and the monitor configured with trusted keys install signed documents only. No broker involved. */
class SignedAuthorityTest {

  private static final KeyPair SIGNER = TrustedKeysTest.generate("Ed25519");
  private static final KeyPair STRANGER = TrustedKeysTest.generate("Ed25519");

  @TempDir
  Path dir;

  private static Map<String, String> doc(long epoch) {
    Map<String, String> doc = new LinkedHashMap<>();
    doc.put("epoch", Long.toString(epoch));
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    doc.put("rule.orders.topics", "orders");
    doc.put("rule.orders.state", "MIRROR");
    return doc;
  }

  private static String text(Map<String, String> document) {
    StringBuilder text = new StringBuilder();
    document.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.toString();
  }

  @Test
  void aProducerWithTrustedKeysInstallsASignedFileAndRefusesAnUnsignedOne() throws Exception {
    Path pem = Files.writeString(dir.resolve("signer.pub.pem"), TrustedKeysTest.pem("PUBLIC KEY", SIGNER.getPublic()));
    MapAuthoritySource source = new MapAuthoritySource(text(DocumentSignatures.sign(doc(1), SIGNER.getPrivate())));
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", "localhost:1");
    config.put("turnout.cluster.cloud.bootstrap.servers", "localhost:2");
    config.put(TurnoutConfig.AUTHORITY_SOURCE, source);
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 20L);
    config.put(TurnoutConfig.AUTHORITY_TRUSTED_KEYS, pem.toString());
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());

    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      assertThat(producer.epoch()).isEqualTo(1);

      source.set(text(doc(2)));
      await().atMost(Duration.ofSeconds(10)).until(() -> rejected(producer, "UNSIGNED") == 1);
      assertThat(producer.epoch()).isEqualTo(1);

      source.set(text(DocumentSignatures.sign(doc(3), STRANGER.getPrivate())));
      await().atMost(Duration.ofSeconds(10)).until(() -> rejected(producer, "UNKNOWN_SIGNING_KEY") == 1);
      assertThat(producer.epoch()).isEqualTo(1);

      source.set(text(DocumentSignatures.sign(doc(4), SIGNER.getPrivate())));
      await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == 4);
    }
  }

  @Test
  void theMonitorAgreesWithTheClients() {
    AtomicReference<Map<String, String>> document = new AtomicReference<>(doc(1));
    AuthoritySource source = new AuthoritySource() {
      @Override
      public Map<String, String> read() {
        return document.get();
      }

      @Override
      public String description() {
        return "test source";
      }
    };
    try (AuthorityMonitor monitor = new AuthorityMonitor(source, List.of("onprem", "cloud"), Duration.ofMinutes(1),
        Duration.ofMinutes(5), List.of(SIGNER.getPublic()))) {
      assertThat(monitor.refresh()).isFalse();
      assertThat(monitor.map()).isNull();
      assertThat(monitor.rejectionProblems()).extracting(DocumentProblem::kind)
          .containsExactly(DocumentProblem.Kind.UNSIGNED);
      assertThat(monitor.lastRejection().getMessage()).contains("UNSIGNED: the document is not signed");

      document.set(DocumentSignatures.sign(doc(1), SIGNER.getPrivate()));
      assertThat(monitor.refresh()).isTrue();
      assertThat(monitor.epoch()).isEqualTo(1);
    }
    try (AuthorityMonitor monitor = AuthorityMonitor.open(source, List.of("onprem", "cloud"), Duration.ofMinutes(1),
        Duration.ofMinutes(5), List.of())) {
      assertThat(monitor.epoch()).as("without trusted keys signatures are not required").isEqualTo(1);
    }
  }

  private static long rejected(RoutingProducer<?, ?> producer, String reason) {
    return producer.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals("authority-documents-rejected-total")
            && reason.equals(e.getKey().tags().get("reason")))
        .mapToLong(e -> ((Number) e.getValue().metricValue()).longValue()).sum();
  }
}
