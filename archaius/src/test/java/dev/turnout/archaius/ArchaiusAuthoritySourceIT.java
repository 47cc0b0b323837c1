package dev.turnout.archaius;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.netflix.config.ConfigurationManager;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.DocumentSignatures;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.RouteStatus;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.configuration.AbstractConfiguration;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@link RoutingProducer} configured with {@code turnout.authority.source=}{@link ArchaiusAuthoritySource} over
 * Archaius's own configuration ({@link ConfigurationManager#getConfigInstance()}), writing to two real in-process
 * clusters, onprem and cloud. The clients re-read their source every ten minutes only: whatever they pick up
 * sooner came through the source's change callback.
 */
@TwoKafkaClusters
class ArchaiusAuthoritySourceIT {

  private static final long TEN_MINUTES = 600_000;

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  private final AbstractConfiguration archaius = ConfigurationManager.getConfigInstance();

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    for (String topic : List.of("flip", "alias", "signed")) {
      clusters.createTopic(topic, 1);
    }
  }

  /** The document for {@code topic}: one rule in {@code state}, with its key-count. */
  private static Map<String, String> document(long epoch, String topic, String state) {
    Map<String, String> doc = new LinkedHashMap<>();
    doc.put("epoch", Long.toString(epoch));
    doc.put("key-count", "6");
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    doc.put("rule." + topic + ".topics", topic);
    doc.put("rule." + topic + ".state", state);
    return doc;
  }

  /** Sets the document's keys as Archaius properties under {@code prefix}, one by one, as a poll would. */
  private void publish(String prefix, Map<String, String> document) {
    document.forEach((k, v) -> archaius.setProperty(prefix + k, v));
  }

  private static Map<String, Object> producerConfig(String prefix) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", onprem.bootstrapServers());
    config.put("turnout.cluster.cloud.bootstrap.servers", cloud.bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_SOURCE, ArchaiusAuthoritySource.class.getName());
    config.put(ArchaiusAuthoritySource.PREFIX_CONFIG, prefix);
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, TEN_MINUTES);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 2 * TEN_MINUTES);
    config.put(TurnoutConfig.AUTHORITY_REQUIRED, true);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "drained");
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());
    config.put("acks", "all");
    config.put("max.block.ms", 10_000);
    return config;
  }

  /** The cluster the producer routed the record to, once the cluster acknowledged it. */
  private static String send(RoutingProducer<String, String> producer, String topic) throws Exception {
    return producer.sendRouted(new ProducerRecord<>(topic, "customer-42", "{}")).get(30, TimeUnit.SECONDS).cluster();
  }

  private static long records(KafkaTestCluster cluster, String topic) throws Exception {
    TopicPartition partition = new TopicPartition(topic, 0);
    return cluster.admin().listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
        .get(30, TimeUnit.SECONDS).offset();
  }

  private static String owner(ClientStatus status, String rule) {
    return status.routes().stream().filter(r -> r.rule().equals(rule) && r.inForce()).map(RouteStatus::owner)
        .findFirst().orElse(null);
  }

  @Test
  void routingFollowsTheDocumentAndAFlipIsReadAtOnce() throws Exception {
    String prefix = "it.flip.turnout.";
    publish(prefix, document(1, "flip", "MIRROR"));
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(prefix))) {
      assertThat(producer.status().epoch()).isEqualTo(1);
      assertThat(send(producer, "flip")).isEqualTo("onprem");
      assertThat(records(onprem, "flip")).isEqualTo(1);

      long flipped = System.nanoTime();
      publish(prefix, document(2, "flip", "TARGET_AUTHORITY"));

      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
          .until(() -> producer.status().epoch() == 2 && "cloud".equals(owner(producer.status(), "flip")));
      assertThat(Duration.ofNanos(System.nanoTime() - flipped)).isLessThan(Duration.ofMillis(TEN_MINUTES));
      assertThat(producer.status().authorityProblem()).isNull();
      assertThat(send(producer, "flip")).isEqualTo("cloud");
      assertThat(records(cloud, "flip")).isEqualTo(1);
      assertThat(records(onprem, "flip")).isEqualTo(1);
    }
  }

  @Test
  void aDocumentNamingAnUndeclaredClusterIsRejectedAndTheMapInForceStays() throws Exception {
    String prefix = "it.alias.turnout.";
    publish(prefix, document(1, "alias", "MIRROR"));
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(prefix))) {
      assertThat(send(producer, "alias")).isEqualTo("onprem");

      Map<String, String> elsewhere = document(2, "alias", "TARGET_AUTHORITY");
      elsewhere.put("target", "elsewhere");
      publish(prefix, elsewhere);

      await().atMost(Duration.ofSeconds(10)).until(() -> producer.status().authorityProblem() != null
          && producer.status().authorityProblem().contains("UNKNOWN_CLUSTER"));
      assertThat(producer.status().authorityProblem()).contains("elsewhere");
      assertThat(producer.status().epoch()).isEqualTo(1);
      assertThat(producer.failingClosed()).isFalse();
      assertThat(send(producer, "alias")).isEqualTo("onprem");
      assertThat(records(cloud, "alias")).isZero();
    }
  }

  @Test
  void aSignedDocumentIsInstalledAndATamperedOneRejected() throws Exception {
    KeyPair signer = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    String prefix = "it.signed.turnout.";
    publish(prefix, DocumentSignatures.sign(document(1, "signed", "MIRROR"), signer.getPrivate()));
    Map<String, Object> config = producerConfig(prefix);
    config.put(TurnoutConfig.AUTHORITY_TRUSTED_KEYS, Base64.getEncoder().encodeToString(signer.getPublic().getEncoded()));
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      assertThat(producer.status().epoch()).isEqualTo(1);
      assertThat(send(producer, "signed")).isEqualTo("onprem");

      Map<String, String> tampered = new LinkedHashMap<>(
          DocumentSignatures.sign(document(2, "signed", "DUAL_READ"), signer.getPrivate()));
      tampered.put("rule.signed.state", "TARGET_AUTHORITY"); // changed after signing
      publish(prefix, tampered);

      await().atMost(Duration.ofSeconds(10)).until(() -> producer.status().authorityProblem() != null
          && producer.status().authorityProblem().contains("BAD_SIGNATURE"));
      assertThat(producer.status().epoch()).isEqualTo(1);
      assertThat(send(producer, "signed")).isEqualTo("onprem");

      publish(prefix, DocumentSignatures.sign(document(3, "signed", "TARGET_AUTHORITY"), signer.getPrivate()));

      await().atMost(Duration.ofSeconds(10)).until(() -> producer.status().epoch() == 3);
      assertThat(producer.status().authorityProblem()).isNull();
      assertThat(send(producer, "signed")).isEqualTo("cloud");
      assertThat(records(cloud, "signed")).isEqualTo(1);
    }
  }
}
