package dev.turnout;

import static dev.turnout.TurnoutSettingsTest.valid;
import static dev.turnout.TurnoutSettingsTest.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code turnout.status.*}: the status topic's cluster, the service name, and errors naming what to set. */
class FleetStatusTest {

  private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
      + "username=\"status-writer\" password=\"status-secret-pw\";";

  private static FleetStatus plan(Map<String, Object> config) {
    return FleetStatus.plan(TurnoutSettings.parse(config, "turnout-producer-1"));
  }

  private static TurnoutConfigException refused(Map<String, Object> config) {
    TurnoutConfigException[] caught = new TurnoutConfigException[1];
    assertThatThrownBy(() -> plan(config)).isInstanceOfSatisfying(TurnoutConfigException.class, e -> caught[0] = e);
    return caught[0];
  }

  @Test
  void nothingIsPublishedWithoutAStatusTopic() {
    assertThat(plan(valid())).isNull();
  }

  @Test
  void aDeclaredClusterGivesItsClientSettingsWithoutTheApplicationsInterceptorsOrSerializers() {
    FleetStatus fleet = plan(with(valid(), "turnout.status.topic", " turnout-status ",
        "turnout.status.topic.cluster", "cloud", "turnout.cluster.cloud.security.protocol", "SASL_SSL",
        "interceptor.classes", "com.example.Audit", "key.serializer", StringSerializer.class.getName(),
        "acks", "1"));

    assertThat(fleet.topic()).isEqualTo("turnout-status");
    assertThat(fleet.producerConfig()).containsEntry("bootstrap.servers", "cloud-1:9092")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("client.id", "turnout-producer-1-status").containsEntry("enable.idempotence", false)
        .doesNotContainKeys("interceptor.classes", "key.serializer", "acks", "turnout.status.topic.cluster");
  }

  @Test
  void ownBootstrapServersTakeOnlyTheStatusTopicsOwnSettings() {
    FleetStatus fleet = plan(with(valid(), "turnout.status.topic", "turnout-status",
        "turnout.status.topic.bootstrap.servers", "ops-1:9092", "turnout.status.topic.security.protocol", "SASL_SSL",
        "turnout.status.topic.sasl.jaas.config", JAAS, "security.protocol", "SSL"));

    assertThat(fleet.producerConfig()).containsEntry("bootstrap.servers", "ops-1:9092")
        .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.jaas.config", JAAS);
  }

  @Test
  void withoutItsOwnClusterTheStatusTopicUsesTheControlTopicsCluster() {
    TurnoutSettings settings = TurnoutSettings.parse(with(valid(), "turnout.status.topic", "turnout-status"), "p-1");
    Map<String, Object> raw = new HashMap<>(settings.originals());
    raw.put("turnout.authority.topic.cluster", "onprem");
    assertThat(FleetStatus.plan(settings, raw).producerConfig()).containsEntry("bootstrap.servers", "onprem-1:9092");

    raw.remove("turnout.authority.topic.cluster");
    raw.put("turnout.authority.topic.bootstrap.servers", "control-1:9092");
    raw.put("turnout.authority.topic.security.protocol", "SSL");
    assertThat(FleetStatus.plan(settings, raw).producerConfig()).containsEntry("bootstrap.servers", "control-1:9092")
        .containsEntry("security.protocol", "SSL");

    raw.put("turnout.status.topic.cluster", "cloud"); // its own keys come first
    assertThat(FleetStatus.plan(settings, raw).producerConfig()).containsEntry("bootstrap.servers", "cloud-1:9092");
  }

  @Test
  void aStatusTopicWithoutAnyClusterSaysWhatToSet() {
    TurnoutConfigException e = refused(with(valid(), "turnout.status.topic", "turnout-status"));

    assertThat(e.key()).isEqualTo("turnout.status.topic");
    assertThat(e.getMessage()).contains("turnout.status.topic.cluster=<one of turnout.clusters [onprem, cloud]>")
        .contains("turnout.status.topic.bootstrap.servers").contains("turnout.authority.topic.cluster")
        .contains("turnout.authority.topic.bootstrap.servers");
  }

  @Test
  void wrongClusterChoicesAreRefusedWithTheReason() {
    assertThat(refused(with(valid(), "turnout.status.topic", "s", "turnout.status.topic.cluster", "cloud",
        "turnout.status.topic.bootstrap.servers", "ops:9092")).getMessage())
        .contains("set only one of turnout.status.topic.cluster").contains("and turnout.status.topic.bootstrap.servers");
    TurnoutConfigException unknown = refused(with(valid(), "turnout.status.topic", "s",
        "turnout.status.topic.cluster", "ops"));
    assertThat(unknown.key()).isEqualTo("turnout.status.topic.cluster");
    assertThat(unknown.getMessage()).contains("cluster 'ops' is not declared in turnout.clusters [onprem, cloud]");
    assertThatThrownBy(() -> FleetStatus.plan(TurnoutSettings.parse(with(valid(), "turnout.status.topic", "s",
        "turnout.status.topic.cluster", "cloud", "turnout.cluster.cloud.bootstrap.servers", null), "p-1",
        Set.of("cloud")))).isInstanceOf(TurnoutConfigException.class)
        .hasMessageContaining("cluster 'cloud' has no bootstrap servers (its client is supplied to the builder)");
  }

  @Test
  void statusTopicSettingsThatWouldBeIgnoredAreRefused() {
    assertThat(refused(with(valid(), "turnout.status.topic.bootstrap.servers", "ops:9092")).getMessage())
        .isEqualTo("Invalid configuration turnout.status.topic.bootstrap.servers: the status topic is not set: set "
            + "turnout.status.topic, or remove the turnout.status.topic.* settings");
    assertThat(refused(with(valid(), "turnout.status.topic.cluster", "cloud")).key())
        .isEqualTo("turnout.status.topic.cluster");
    assertThat(refused(with(valid(), "turnout.status.topic", "s", "turnout.status.topic.bootstrap.servers",
        "ops:9092", "turnout.status.topic.clustr", "cloud")).getMessage())
        .contains("turnout.status.topic.clustr").contains("'clustr' is not a Kafka producer setting");
    TurnoutConfigException ignored = refused(with(valid(), "turnout.status.topic", "s",
        "turnout.status.topic.cluster", "cloud", "turnout.status.topic.sasl.jaas.config", JAAS));
    assertThat(ignored.key()).isEqualTo("turnout.status.topic.sasl.jaas.config");
    assertThat(ignored.getMessage()).contains("applies only to a status cluster of its own")
        .doesNotContain("status-secret-pw");
  }

  @Test
  void theIntervalIsAtLeast100Milliseconds() {
    assertThatThrownBy(() -> plan(with(valid(), "turnout.status.interval.ms", "99")))
        .isInstanceOf(TurnoutConfigException.class)
        .hasMessage("Invalid value 99 for configuration turnout.status.interval.ms: must be at least 100 milliseconds");
  }

  @Test
  void validatingAConfigurationChecksTheStatusTopic() {
    assertThatThrownBy(() -> TurnoutConfig.validateProducerConfig(with(valid(), "turnout.status.topic", "s")))
        .isInstanceOf(TurnoutConfigException.class).hasMessageContaining("no cluster is named for the status topic");
    assertThatThrownBy(() -> TurnoutConfig.validateConsumerConfig(with(valid(), "turnout.status.topic", "s")))
        .isInstanceOf(TurnoutConfigException.class).hasMessageContaining("no cluster is named for the status topic");
  }

  @Test
  void theServiceNameIsTheClientIdWithoutATrailingNumberUnlessSet() {
    assertThat(FleetStatus.serviceName("orders-api-12")).isEqualTo("orders-api");
    assertThat(FleetStatus.serviceName("turnout-producer-3")).isEqualTo("turnout-producer");
    assertThat(FleetStatus.serviceName("billing")).isEqualTo("billing");
    assertThat(FleetStatus.serviceName("billing-v2")).isEqualTo("billing-v2");
    assertThat(FleetStatus.serviceName("-7")).isEqualTo("-7");
    Map<String, Object> status = with(valid(), "turnout.status.topic", "s", "turnout.status.topic.cluster", "cloud");
    assertThat(plan(with(status, "client.id", "orders-api-4")).service()).isEqualTo("orders-api");
    assertThat(plan(with(status, "client.id", "orders-api-4", "turnout.service.name", " orders ")).service())
        .isEqualTo("orders");
  }

  @Test
  void anUnreachableStatusClusterNeitherDelaysNorFailsSends(@TempDir Path dir) throws Exception {
    Path authority = Files.writeString(dir.resolve("authority.properties"),
        "epoch=1\nsource=onprem\ntarget=cloud\nrule.o.topics=orders\nrule.o.state=TARGET_AUTHORITY\n");
    Map<String, Object> config = Map.of("turnout.clusters", "onprem,cloud",
        "turnout.authority.file", authority.toString(), "turnout.cutover.barrier", "drained",
        "turnout.status.topic", "turnout-status", "turnout.status.topic.bootstrap.servers", "localhost:1",
        "turnout.status.interval.ms", 100);
    MockProducer<String, String> onprem = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    MockProducer<String, String> cloud = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    try (LogCapture logs = new LogCapture();
        RoutingProducer<String, String> producer = RoutingProducer.<String, String>builder(config)
            .serializers(new StringSerializer(), new StringSerializer())
            .client("onprem", onprem).client("cloud", cloud).build()) {
      await().until(() -> !logs.lines("WARN", "Could not publish this client's status").isEmpty());
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        producer.send(new ProducerRecord<>("orders", "k" + i, "v")).get();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      assertThat(cloud.history()).hasSize(100);
      assertThat(producer.status().instanceId()).isNotBlank();
      assertThat(logs.lines("WARN", "Could not publish").get(0)).contains("localhost:1")
          .contains("kafka-topics.sh --create --topic turnout-status --config cleanup.policy=compact");
    }
  }
}
