package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.turnout.source.AuthoritySource;
import dev.turnout.source.KafkaTopicAuthoritySource;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The settings of the Kafka control topic ({@code turnout.authority.topic}): its cluster by alias or by bootstrap
 * servers of its own, exactly one; every mistake a typed error saying what to set; no secret in any message or
 * description. No broker involved.
 */
class ControlTopicSettingsTest {

  private static final String PASSWORD = "s3cr3t-control-plane-password";
  private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
      + "username=\"turnout\" password=\"" + PASSWORD + "\";";

  private static Map<String, Object> base() {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", "localhost:1");
    config.put("turnout.cluster.cloud.bootstrap.servers", "localhost:2");
    config.put("turnout.cluster.cloud.security.protocol", "SASL_SSL");
    config.put("turnout.cluster.cloud.sasl.mechanism", "PLAIN");
    config.put("turnout.cluster.cloud.sasl.jaas.config", JAAS);
    config.put(TurnoutConfig.AUTHORITY_TOPIC, "turnout-control");
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());
    config.put("acks", "all");
    return config;
  }

  private static TurnoutConfigException rejected(Map<String, Object> config) {
    TurnoutConfigException e = catchThrowableOfType(TurnoutConfigException.class,
        () -> TurnoutConfig.validateProducerConfig(config));
    assertThat(e).as("rejected").isNotNull();
    assertThat(e.getMessage()).doesNotContain(PASSWORD);
    return e;
  }

  @Test
  void theClusterIsAnAliasOrItsOwnBootstrapServersNotBothNorNeither() {
    Map<String, Object> neither = base();
    TurnoutConfigException e = rejected(neither);
    assertThat(e.key()).isEqualTo(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER);
    assertThat(e.getMessage()).contains("name the cluster of turnout.authority.topic",
        "turnout.authority.topic.cluster to one of turnout.clusters [onprem, cloud]",
        "turnout.authority.topic.bootstrap.servers");

    Map<String, Object> both = base();
    both.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, "cloud");
    both.put(TurnoutConfig.AUTHORITY_TOPIC_BOOTSTRAP_SERVERS, "control:9092");
    assertThat(rejected(both).getMessage()).contains("set only one of turnout.authority.topic.cluster",
        "and turnout.authority.topic.bootstrap.servers");

    Map<String, Object> byAlias = base();
    byAlias.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, "cloud");
    TurnoutConfig.validateProducerConfig(byAlias);
    TurnoutConfig.validateConsumerConfig(byAlias);

    Map<String, Object> own = base();
    own.put(TurnoutConfig.AUTHORITY_TOPIC_BOOTSTRAP_SERVERS, "control:9092");
    own.put("turnout.authority.topic.security.protocol", "SASL_SSL");
    own.put("turnout.authority.topic.sasl.jaas.config", JAAS);
    TurnoutConfig.validateProducerConfig(own);
  }

  @Test
  void anUnknownAliasIsATypedError() {
    Map<String, Object> config = base();
    config.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, "control");
    TurnoutConfigException e = rejected(config);
    assertThat(e.key()).isEqualTo(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER);
    assertThat(e.getMessage()).contains("cluster 'control' is not declared in turnout.clusters [onprem, cloud]");
  }

  @Test
  void oneAuthoritySourceOnly() {
    Map<String, Object> withFile = base();
    withFile.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, "cloud");
    withFile.put(TurnoutConfig.AUTHORITY_FILE, "/etc/turnout/authority.properties");
    TurnoutConfigException e = rejected(withFile);
    assertThat(e.key()).isEqualTo(TurnoutConfig.AUTHORITY_TOPIC);
    assertThat(e.getMessage()).contains("set only one authority source: turnout.authority.file is set too");

    Map<String, Object> withSource = base();
    withSource.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, "cloud");
    withSource.put(TurnoutConfig.AUTHORITY_SOURCE, new MapAuthoritySource("epoch=1\n"));
    assertThat(rejected(withSource).getMessage()).contains("turnout.authority.source is set too");

    Map<String, Object> none = base();
    none.remove(TurnoutConfig.AUTHORITY_TOPIC);
    assertThat(rejected(none).getMessage()).contains("no authority source", "turnout.authority.topic");
  }

  @Test
  void theTopicsClusterWithoutTheTopicIsAnError() {
    Map<String, Object> config = base();
    config.remove(TurnoutConfig.AUTHORITY_TOPIC);
    config.put(TurnoutConfig.AUTHORITY_FILE, "/etc/turnout/authority.properties");
    config.put("turnout.authority.topic.sasl.jaas.config", JAAS);
    TurnoutConfigException e = rejected(config);
    assertThat(e.key()).isEqualTo("turnout.authority.topic.sasl.jaas.config");
    assertThat(e.getMessage()).contains("turnout.authority.topic is not");
  }

  @Test
  void withAnAliasTheClientSettingsAreTheAliassOwn() {
    Map<String, Object> config = base();
    config.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, "cloud");
    config.put("turnout.authority.topic.sasl.jaas.config", JAAS);
    TurnoutConfigException e = rejected(config);
    assertThat(e.key()).isEqualTo("turnout.authority.topic.sasl.jaas.config");
    assertThat(e.getMessage()).contains("turnout.cluster.cloud.*");
  }

  @Test
  void aMistypedClientSettingSuggestsTheKafkaOne() {
    Map<String, Object> config = base();
    config.put(TurnoutConfig.AUTHORITY_TOPIC_BOOTSTRAP_SERVERS, "control:9092");
    config.put("turnout.authority.topic.securty.protocol", "SSL");
    TurnoutConfigException e = rejected(config);
    assertThat(e.key()).isEqualTo("turnout.authority.topic.securty.protocol");
    assertThat(e.getMessage()).contains("did you mean turnout.authority.topic.security.protocol?");
  }

  @Test
  void anIllegalTopicNameIsAnError() {
    Map<String, Object> config = base();
    config.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, "cloud");
    config.put(TurnoutConfig.AUTHORITY_TOPIC, "turnout control");
    assertThat(rejected(config).getMessage()).contains("must be the name of the compacted control topic");
  }

  @Test
  void theSideClusterSettingsWorkForAnyPrefix() {
    Map<String, Object> config = base();
    config.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, "cloud");
    TurnoutSettings settings = TurnoutSettings.parse(config, "svc");

    Map<String, Object> ofAlias = SideClusterSettings.resolve(settings, TurnoutConfig.AUTHORITY_TOPIC_PREFIX);
    assertThat(ofAlias).containsEntry("bootstrap.servers", "localhost:2").containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", JAAS).doesNotContainKeys("acks", "key.serializer", "client.id");
    assertThat(SideClusterSettings.clusterName(settings, TurnoutConfig.AUTHORITY_TOPIC_PREFIX)).isEqualTo("cloud");

    // Another side topic under a prefix of its own (its keys set on the parsed settings, as a parser would keep them)
    settings.originals().put("turnout.other.topic.bootstrap.servers", "side:9092");
    settings.originals().put("turnout.other.topic.ssl.truststore.location", "/etc/ts.jks");
    assertThat(SideClusterSettings.resolve(settings, "turnout.other.topic."))
        .isEqualTo(Map.of("bootstrap.servers", "side:9092", "ssl.truststore.location", "/etc/ts.jks"));
    assertThat(SideClusterSettings.clusterName(settings, "turnout.other.topic.")).isEqualTo("side:9092");
  }

  @Test
  void theDescriptionAndTheReadErrorsNeverShowTheSettings() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Map<String, Object> client = new HashMap<>();
    client.put("bootstrap.servers", "localhost:" + closedPort);
    client.put("sasl.jaas.config", JAAS);
    client.put("default.api.timeout.ms", 500);
    try (LogCapture log = new LogCapture();
        AuthoritySource source = new KafkaTopicAuthoritySource("turnout-control", "control", client,
            List.of("onprem", "cloud"), List.of(), "svc")) {
      assertThat(source.description()).isEqualTo("topic turnout-control of cluster control");
      assertThat(source.toString()).doesNotContain(PASSWORD);
      long started = System.nanoTime();
      IOException e = catchThrowableOfType(IOException.class, source::read);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(e.getMessage()).startsWith("control cluster unreachable: topic turnout-control of cluster control "
          + "has not been read to its end yet").doesNotContain(PASSWORD);
      assertThat(log.lines()).noneMatch(line -> line.contains(PASSWORD));
    }
  }

  @Test
  void closingNeverWaitsForAnUnreachableControlCluster() throws Exception {
    Map<String, Object> client = Map.of("bootstrap.servers", "localhost:9", "default.api.timeout.ms", 60_000);
    KafkaTopicAuthoritySource source = new KafkaTopicAuthoritySource("turnout-control", "control", client,
        List.of("onprem"), List.of(), "svc-close");
    Thread reader = new Thread(() -> {
      try {
        source.read();
      } catch (IOException expected) {
        // closed while waiting
      }
    });
    reader.start();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals("turnout-authority-topic-svc-close")));
    long started = System.nanoTime();
    source.close();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().equals("turnout-authority-topic-svc-close")));
    reader.interrupt();
    reader.join(5_000);
    assertThatThrownBy(source::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }
}
