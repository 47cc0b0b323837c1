package dev.turnout.internal.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings of the tail consumer. No broker. */
class ControlTopicTailTest {

  @Test
  void theTailConsumerHasNoGroupNeverCommitsReadsCommittedRecordsAndCreatesNoTopic() {
    Map<String, Object> config = ControlTopicTail.consumerConfig(Map.of("bootstrap.servers", "control:9092",
        "client.id", "svc-turnout-authority", "group.id", "billing", "enable.auto.commit", "true",
        "isolation.level", "read_uncommitted", "acks", "all", "key.deserializer", "x.Y"));

    assertThat(config).containsEntry("bootstrap.servers", "control:9092")
        .containsEntry("client.id", "svc-turnout-authority").containsEntry("enable.auto.commit", false)
        .containsEntry("isolation.level", "read_committed").containsEntry("allow.auto.create.topics", false)
        .containsEntry("default.api.timeout.ms", ControlTopicTail.DEFAULT_API_TIMEOUT_MS)
        .doesNotContainKeys("group.id", "acks", "key.deserializer");
    assertThat(ControlTopicTail.consumerConfig(Map.of("default.api.timeout.ms", 2_000)))
        .containsEntry("default.api.timeout.ms", 2_000);
  }
}
