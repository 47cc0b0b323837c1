package dev.turnout.drill.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.TurnoutConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing clients' settings both drills give: clusters, topics, and the client properties of each kind. */
class ClientSettingsTest {

  private final Map<String, String> properties = Map.of("compression.type", "lz4", "producer.linger.ms", "20",
      "consumer.max.poll.records", "7");

  @Test
  void everyClientGetsBothClustersTheControlAndStatusTopicsAndItsId() {
    Map<String, Object> c = ClientSettings.routing("source", Map.of("bootstrap.servers", "a:1"), "target",
        Map.of("bootstrap.servers", "b:2"), "control", "status", "client-1");

    assertThat(c).containsEntry(TurnoutConfig.CLUSTERS, "source,target")
        .containsEntry(TurnoutConfig.CLUSTER_PREFIX + "source.bootstrap.servers", "a:1")
        .containsEntry(TurnoutConfig.CLUSTER_PREFIX + "target.bootstrap.servers", "b:2")
        .containsEntry(TurnoutConfig.AUTHORITY_TOPIC, "control").containsEntry(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER,
            "source")
        .containsEntry(TurnoutConfig.STATUS_TOPIC, "status").containsEntry(TurnoutConfig.STATUS_TOPIC_CLUSTER, "target")
        .containsEntry(TurnoutConfig.STATUS_INTERVAL_MS, 1000).containsEntry("client.id", "client-1");
  }

  @Test
  void producersGetTheirSettingsAndTheUnprefixedAndProducerPropertiesWhichWin() {
    Map<String, Object> c = new HashMap<>();
    ClientSettings.producer(c, false, Duration.ofSeconds(3), properties);

    assertThat(c).containsEntry("acks", "all").containsEntry("linger.ms", "20").containsEntry("max.block.ms", 10_000)
        .containsEntry(TurnoutConfig.ROLLBACK_RECONCILE, "manual")
        .containsEntry(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, 5_000L).containsEntry("compression.type", "lz4")
        .doesNotContainKeys("max.poll.records", "consumer.max.poll.records", "producer.linger.ms");
    ClientSettings.producer(c, true, Duration.ofSeconds(8), Map.of());
    assertThat(c).containsEntry(TurnoutConfig.ROLLBACK_RECONCILE, "auto")
        .containsEntry(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, 8_000L);
  }

  @Test
  void consumersGetTheGroupManualCommitsAndTheUnprefixedAndConsumerProperties() {
    Map<String, Object> c = new HashMap<>();
    ClientSettings.consumer(c, "g", properties);

    assertThat(c).containsEntry("group.id", "g").containsEntry("enable.auto.commit", false)
        .containsEntry("auto.offset.reset", "earliest").containsEntry("metadata.max.age.ms", 500)
        .containsEntry("max.poll.records", "7").containsEntry("compression.type", "lz4")
        .doesNotContainKeys("linger.ms", "producer.linger.ms", "consumer.max.poll.records");
  }
}
