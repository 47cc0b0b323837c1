package dev.turnout.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterIdentityTest {

  private static final Map<String, Object> CONFIG = Map.of("bootstrap.servers", "cloud-1:9092",
      "sasl.jaas.config", "secret-jaas", "key.serializer", "x");

  @Test
  void anUnpinnedAliasIsNeverRefused() {
    try (ClusterIdentity identity = new ClusterIdentity("cloud", "test", null, CONFIG)) {
      identity.observed("anything");
      identity.verifyBeforeCreate(Duration.ofMillis(1));
      assertThat(identity.pinned()).isFalse();
      assertThat(identity.mismatch()).isNull();
    }
  }

  @Test
  void anotherIdSeenByTheProducerRefusesTheAliasUntilTheExpectedIdIsSeenAgain() {
    try (ClusterIdentity identity = new ClusterIdentity("cloud", "test", "expected-id", CONFIG)) {
      identity.observed("expected-id");
      assertThat(identity.mismatch()).isNull();
      identity.observed("other-id");
      assertThat(identity.mismatch()).contains("'cloud'").contains("expected-id").contains("other-id")
          .contains("turnout.cluster.cloud.expected.cluster.id").doesNotContain("secret-jaas");
      identity.observed("expected-id");
      assertThat(identity.mismatch()).isNull();
    }
  }
}
