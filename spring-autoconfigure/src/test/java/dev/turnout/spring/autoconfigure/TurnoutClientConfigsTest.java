package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.turnout.TurnoutConfig;
import dev.turnout.source.FileAuthoritySource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.util.unit.DataSize;

/**
 * The routing client validates the configuration built from the Spring properties; its errors are shown under
 * the Spring property names, with the Spring values.
 */
class TurnoutClientConfigsTest {

  @TempDir
  Path dir;

  private final KafkaProperties kafka = new KafkaProperties();
  private final TurnoutProperties properties = new TurnoutProperties();

  TurnoutClientConfigsTest() {
    kafka.getConsumer().setGroupId("g");
    TurnoutProperties.Cluster onprem = new TurnoutProperties.Cluster();
    onprem.setBootstrapServers(List.of("old:9092"));
    properties.getClusters().put("onprem", onprem);
    TurnoutProperties.Cluster cloud = new TurnoutProperties.Cluster();
    cloud.setBootstrapServers(List.of("new:9092"));
    properties.getClusters().put("cloud", cloud);
  }

  private InvalidConfigurationPropertyValueException producerRejected() {
    InvalidConfigurationPropertyValueException e = catchThrowableOfType(InvalidConfigurationPropertyValueException.class,
        () -> TurnoutClientConfigs.producer(kafka, properties, new FileAuthoritySource(dir)));
    assertThat(e).as("expected the producer configuration to be rejected").isNotNull();
    return e;
  }

  private InvalidConfigurationPropertyValueException consumerRejected() {
    InvalidConfigurationPropertyValueException e = catchThrowableOfType(InvalidConfigurationPropertyValueException.class,
        () -> TurnoutClientConfigs.consumer(kafka, properties, new FileAuthoritySource(dir),
            getClass().getClassLoader()));
    assertThat(e).as("expected the consumer configuration to be rejected").isNotNull();
    return e;
  }

  @Test
  void theDefaultsPassTheClientsValidation() {
    Map<String, Object> producer = TurnoutClientConfigs.producer(kafka, properties, new FileAuthoritySource(dir));
    Map<String, Object> consumer = TurnoutClientConfigs.consumer(kafka, properties, new FileAuthoritySource(dir),
        getClass().getClassLoader());

    assertThat(producer).containsEntry(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    assertThat(consumer).containsEntry(TurnoutConfig.CONSUMER_ROLE, "production");
  }

  @Test
  void aClientErrorNamesTheSpringPropertyItsValueAndTheClientKey() {
    properties.getCutover().setMaxPause(Duration.ZERO);

    assertThat(producerRejected()).hasMessage("Property turnout.cutover.max-pause with value 'PT0S' is invalid: "
        + "must be a positive number of milliseconds (routing client key turnout.cutover.max.pause.ms).")
        .satisfies(e -> assertThat(e.getName()).isEqualTo("turnout.cutover.max-pause"));
  }

  @Test
  void theRollbackPropertiesReachTheProducerAndAreValidatedUnderTheirSpringNames() {
    properties.getRollback().setReconcile(TurnoutConfig.RollbackReconcile.AUTO);
    properties.getRollback().setMaxPause(Duration.ofSeconds(90));
    assertThat(TurnoutClientConfigs.producer(kafka, properties, new FileAuthoritySource(dir)))
        .containsEntry(TurnoutConfig.ROLLBACK_RECONCILE, "auto")
        .containsEntry(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, 90_000L);

    properties.getRollback().setMaxPause(Duration.ZERO);
    assertThat(producerRejected()).hasMessageContaining("Property turnout.rollback.max-pause with value 'PT0S' is invalid")
        .hasMessageContaining("turnout.rollback.max.pause.ms");
  }

  @Test
  void theDedupeWindowIsPassedOnAndANegativeOneIsRejectedNamingTheSpringProperty() {
    Map<String, Object> consumer = TurnoutClientConfigs.consumer(kafka, properties, new FileAuthoritySource(dir),
        getClass().getClassLoader());
    assertThat(consumer).containsEntry(TurnoutConfig.CONSUMER_DEDUPE_WINDOW, 100_000);

    properties.getConsumer().setDedupeWindow(-1);
    assertThat(consumerRejected()).hasMessageStartingWith("Property turnout.consumer.dedupe-window with value '-1' is "
        + "invalid").hasMessageContaining("turnout.consumer.dedupe.window");
  }

  @Test
  void theStatusPropertiesBecomeTheStatusKeys() {
    properties.getStatus().setTopic(" turnout-status ");
    properties.getStatus().setCluster("cloud");
    properties.getStatus().setInterval(Duration.ofSeconds(2));
    properties.getStatus().setServiceName("billing");

    Map<String, Object> producer = TurnoutClientConfigs.producer(kafka, properties, new FileAuthoritySource(dir));

    assertThat(producer).containsEntry(TurnoutConfig.STATUS_TOPIC, "turnout-status")
        .containsEntry(TurnoutConfig.STATUS_TOPIC_CLUSTER, "cloud").containsEntry(TurnoutConfig.STATUS_INTERVAL_MS, 2000L)
        .containsEntry(TurnoutConfig.SERVICE_NAME, "billing");
    properties.getStatus().setCluster(null);
    properties.getStatus().getProperties().put("bootstrap.servers", "ops-1:9092");
    assertThat(TurnoutClientConfigs.consumer(kafka, properties, new FileAuthoritySource(dir),
        getClass().getClassLoader())).containsEntry("turnout.status.topic.bootstrap.servers", "ops-1:9092");
  }

  @Test
  void aStatusTopicWithoutAClusterNamesTheSpringProperties() {
    properties.getStatus().setTopic("turnout-status");

    assertThat(producerRejected()).satisfies(e -> assertThat(e.getName()).isEqualTo("turnout.status.topic"))
        .hasMessageContaining("no cluster is named for the status topic");
    properties.getStatus().setCluster("nowhere");
    assertThat(producerRejected().getName()).isEqualTo("turnout.status.cluster");
  }

  @Test
  void aFailureRateOutOfRange() {
    properties.getBreaker().setFailureRateThreshold(101);

    assertThat(producerRejected()).hasMessage("Property turnout.breaker.failure-rate-threshold with value '101' is "
        + "invalid: must be a percentage from 1 to 100 (routing client key turnout.breaker.failure.rate.threshold).");
  }

  @Test
  void aZeroBufferSize() {
    properties.getCutover().setBufferSize(DataSize.ofBytes(0));

    assertThat(producerRejected().getName()).isEqualTo("turnout.cutover.buffer-size");
  }

  @Test
  void anUnsetChoiceIsRejectedByTheClient() {
    properties.getCutover().setBarrier(null);
    properties.getConsumer().setUnverified(null);

    assertThat(producerRejected()).hasMessageStartingWith("Property turnout.cutover.barrier with value 'null' is "
        + "invalid: must be replicated");
    assertThat(consumerRejected()).hasMessageStartingWith("Property turnout.consumer.unverified with value 'null' is "
        + "invalid: must be fail or rewind");
  }

  @Test
  void aStalenessNotAboveTheRefreshInterval() {
    properties.getAuthority().setRefreshInterval(Duration.ofSeconds(5));
    properties.getAuthority().setMaxStaleness(Duration.ofSeconds(5));

    assertThat(producerRejected()).hasMessage("Property turnout.authority.max-staleness with value 'PT5S' is "
        + "invalid: must be greater than turnout.authority.refresh.ms (5000) (routing client key "
        + "turnout.authority.max.staleness.ms).");
  }

  @Test
  void aBlankExpectedClusterId() {
    properties.getClusters().get("cloud").setExpectedClusterId(" ");

    assertThat(producerRejected().getName()).isEqualTo("turnout.clusters.cloud.expected-cluster-id");
  }

  @Test
  void aPerClusterGroupIdIsNamedWhereItWasSet() {
    properties.getClusters().get("onprem").getConsumer().getProperties().put("group.id", "other");

    InvalidConfigurationPropertyValueException e = consumerRejected();

    assertThat(e.getName()).isEqualTo("turnout.clusters.onprem.consumer.properties.group.id");
    assertThat(e).hasMessageStartingWith("Property turnout.clusters.onprem.consumer.properties.group.id with value "
        + "'other' is invalid: group.id must be the same on every cluster");
  }

  @Test
  void aPerClusterSettingOfBothKindsIsNamedUnderTheClustersProperties() {
    properties.getClusters().get("cloud").getProperties().put("enable.auto.commit", "false");

    assertThat(consumerRejected().getName()).isEqualTo("turnout.clusters.cloud.properties.enable.auto.commit");
  }

  @Test
  void anInvalidKafkaProducerSettingIsLeftToKafkasMessage() {
    kafka.getProducer().getProperties().put("max.block.ms", "-1");

    org.apache.kafka.common.config.ConfigException e = catchThrowableOfType(
        org.apache.kafka.common.config.ConfigException.class,
        () -> TurnoutClientConfigs.producer(kafka, properties, new FileAuthoritySource(dir)));
    assertThat(e).isNotNull().hasMessageContaining("max.block.ms");
  }
}
