package dev.turnout.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@SingleKafkaCluster
class SingleKafkaClusterIT {

  private final KafkaTestCluster cluster;

  SingleKafkaClusterIT(KafkaTestCluster cluster) {
    this.cluster = cluster;
  }

  @Test
  void behavesLikeAProductionBroker() throws Exception {
    assertThat(cluster.name()).isEqualTo("kafka");
    FeatureMetadata features = cluster.admin().describeFeatures().featureMetadata().get(10, TimeUnit.SECONDS);
    assertThat(features.finalizedFeatures().get("metadata.version").maxVersionLevel())
        .isEqualTo(MetadataVersion.latestProduction().featureLevel());
    Config config = brokerConfig(cluster);
    assertThat(config.get("unstable.api.versions.enable").value()).isEqualTo("false");
    assertThat(config.get("offsets.topic.replication.factor").value()).isEqualTo("1");
    assertThat(config.get("broker.session.timeout.ms").value()).isEqualTo("2000");
  }

  @Test
  void createTopicToleratesAnIdenticalExistingTopicOnly() {
    cluster.createTopic("twice", 3);
    cluster.createTopic("twice", 3);
    assertThatThrownBy(() -> cluster.createTopic("twice", 4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("3 partitions");
  }

  @Test
  void brokerOverridesApply() throws Exception {
    try (KafkaTestCluster custom = KafkaTestCluster.start("custom", Map.of("num.partitions", "7"))) {
      assertThat(brokerConfig(custom).get("num.partitions").value()).isEqualTo("7");
      assertThat(custom.clusterId()).isNotEqualTo(cluster.clusterId());
    }
  }

  @Nested
  class NestedTests {
    @Test
    void shareTheOuterClassCluster(KafkaTestCluster injected) {
      assertThat(injected).isSameAs(cluster);
    }
  }

  private static Config brokerConfig(KafkaTestCluster cluster) throws Exception {
    String brokerId = cluster.admin().describeCluster().nodes().get(10, TimeUnit.SECONDS).iterator().next().idString();
    ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, brokerId);
    return cluster.admin().describeConfigs(List.of(broker)).all().get(10, TimeUnit.SECONDS).get(broker);
  }
}
