package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.cutover.RollbackScope;
import dev.turnout.reconcile.ReconcileException;
import dev.turnout.reconcile.ReconcileRequest;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How the producer's reconciliation maps a rolled-back slice to a reconciliation request, and what it connects with. */
class ReconcilerReconciliationTest {

  private static final List<String> ALIASES = List.of("onprem", "cloud");

  private static AuthorityMap promoted(long epoch) {
    return AuthorityMap.parse(Map.of("epoch", String.valueOf(epoch), "source", "onprem", "target", "cloud",
        "rule.r.topics", "t", "rule.r.state", "WRITE_PROMOTION", "rule.r.slice.a.keys", "0-999",
        "rule.r.slice.a.owner", "cloud", "rule.r.slice.b.keys", "1000-9999", "rule.r.slice.b.owner", "onprem",
        "rule.r.null-key-owner", "cloud"), ALIASES);
  }

  @Test
  void aScopeOfOwnRecordsIsBoundedAboveByItsOffsetsAndBelowByTheTenuresStartLessTheClockMargin() {
    TopicPartition p0 = new TopicPartition("t", 0);
    TopicPartition p2 = new TopicPartition("t", 2);
    long since = 1_700_000_000_000L;
    RollbackScope scope = new RollbackScope("r", "a", 2, 3, List.of(promoted(2), promoted(3)), Map.of(p0, 17L, p2, 4L),
        since);
    ReconcileRequest request = ReconcilerReconciliation.request(scope);
    assertThat(request.rule()).isEqualTo("r");
    assertThat(request.slice()).contains("a");
    assertThat(request.fromEpoch()).isEqualTo(2);
    assertThat(request.toEpoch()).isEqualTo(3);
    assertThat(request.documents()).extracting(AuthorityMap::epoch).containsExactly(2L, 3L);
    assertThat(request.targetOffsets()).as("no invented lower bound").isEmpty();
    assertThat(request.targetOffsetsBelow()).containsOnly(Map.entry(p0, 17L), Map.entry(p2, 4L));
    assertThat(request.since()).contains(Instant.ofEpochMilli(since - ReconcilerReconciliation.CLOCK_MARGIN.toMillis()));
    assertThatThrownBy(() -> ReconcileRequest.forRule("r").targetOffsetsBelow(p0, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void anUnslicedRuleAndAnUnknownStartReconcileEverySliceFromTheLogStart() {
    RollbackScope scope = new RollbackScope("r", null, 4, 4, List.of(promoted(4)), Map.of(), -1);
    ReconcileRequest request = ReconcilerReconciliation.request(scope);
    assertThat(request.slice()).isEmpty();
    assertThat(request.targetOffsetsBelow()).isEmpty();
    assertThat(request.since()).isEmpty();
    RollbackScope nullKeys = new RollbackScope("r", "null-key", 4, 4, List.of(promoted(4)), Map.of(), -1);
    assertThat(ReconcilerReconciliation.request(nullKeys).slice()).contains("null-key");
  }

  @Test
  void onlyConnectionAndSecuritySettingsReachTheReconcilersClients() {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "b:9092");
    config.put("security.protocol", "SASL_SSL");
    config.put("sasl.mechanism", "PLAIN");
    config.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"x\";");
    config.put("ssl.truststore.location", "/tmp/ts.jks");
    config.put("client.dns.lookup", "use_all_dns_ips");
    config.put("transactional.id", "tx-1");
    config.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    config.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    config.put("interceptor.classes", "com.example.Interceptor");
    config.put("acks", "1");
    config.put("enable.idempotence", "false");
    config.put("client.id", "svc-onprem");
    config.put("linger.ms", 100);
    assertThat(ReconcilerReconciliation.connectionSettings(config)).containsOnlyKeys("bootstrap.servers",
        "security.protocol", "sasl.mechanism", "sasl.jaas.config", "ssl.truststore.location", "client.dns.lookup");
  }

  @Test
  void aClusterWithoutBootstrapServersFailsWithAReasonThatNamesNoSetting() {
    Map<String, Object> secret = Map.of("sasl.jaas.config", "password=\"hunter2\"");
    try (ReconcilerReconciliation reconciliation = new ReconcilerReconciliation("svc", ALIASES,
        List.of(Map.of("bootstrap.servers", "localhost:1"), secret))) {
      RollbackScope scope = new RollbackScope("r", "a", 2, 2, List.of(promoted(2)), Map.of(), -1);
      assertThatThrownBy(() -> reconciliation.missing(scope)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cluster 'cloud' has no turnout.cluster.cloud.bootstrap.servers")
          .hasMessageNotContaining("hunter2");
    }
  }

  @Test
  void aReconcileExceptionBecomesTheReasonWithItsKind() {
    try (ReconcilerReconciliation reconciliation = new ReconcilerReconciliation("svc", ALIASES,
        List.of(Map.of("bootstrap.servers", "localhost:1"), Map.of("bootstrap.servers", "localhost:1")))) {
      // epoch 1 has no document: refused before any cluster is asked
      RollbackScope scope = new RollbackScope("r", "a", 1, 2, List.of(promoted(2)), Map.of(), -1);
      assertThatThrownBy(() -> reconciliation.reconcile(scope)).isInstanceOfSatisfying(ReconcileException.class,
          e -> {
            assertThat(e.kind()).isEqualTo(ReconcileException.Kind.MISSING_DOCUMENT);
            assertThat(e.getMessage()).startsWith("MISSING_DOCUMENT: ");
          });
    }
  }

  @ParameterizedTest
  @EnumSource(ReconcileException.Kind.class)
  void onlyAnUnansweredClusterAStalledReadOrAFailedWriteIsRetriedAsTransient(ReconcileException.Kind kind) {
    try (ReconcilerReconciliation reconciliation = new ReconcilerReconciliation("svc", ALIASES,
        List.of(Map.of("bootstrap.servers", "localhost:1"), Map.of("bootstrap.servers", "localhost:1")))) {
      boolean expected = kind == ReconcileException.Kind.UNREACHABLE || kind == ReconcileException.Kind.STALLED
          || kind == ReconcileException.Kind.WRITE_FAILED;
      assertThat(reconciliation.transientFailure(new ReconcileException(kind, "x", null))).isEqualTo(expected);
      assertThat(reconciliation.transientFailure(new IllegalStateException("no bootstrap.servers"))).isFalse();
    }
  }

  @Test
  void theDefaultFactoryMakesThisReconciliationAndItRefusesUseAfterClose() throws Exception {
    var reconciliation = ProducerWiring.DEFAULT_RECONCILIATION.create("svc", ALIASES,
        List.of(Map.of("bootstrap.servers", "localhost:1"), Map.of("bootstrap.servers", "localhost:1")));
    assertThat(reconciliation).isInstanceOf(ReconcilerReconciliation.class);
    ((AutoCloseable) reconciliation).close();
    RollbackScope scope = new RollbackScope("r", "a", 2, 2, List.of(promoted(2)), Map.of(), -1);
    assertThatThrownBy(() -> reconciliation.missing(scope)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
