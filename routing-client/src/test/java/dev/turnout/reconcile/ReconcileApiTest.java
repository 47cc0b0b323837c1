package dev.turnout.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.reconcile.ReconcileFailure;
import dev.turnout.internal.reconcile.Skip;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The public types' arithmetic and validation, without a broker. */
class ReconcileApiTest {

  private static final AuthorityMap MIRROR = AuthorityMap.parse(Map.of("epoch", "3", "source", "onprem",
      "target", "cloud", "rule.orders.topics", "orders", "rule.orders.state", "MIRROR"), List.of("onprem", "cloud"));

  private static ReconcilePlan.Entry entry(int partition, String slice, long targetOnly, long onSource) {
    return new ReconcilePlan.Entry("orders", partition, slice, targetOnly, onSource, 1, 2, 3, 4, Instant.EPOCH,
        Instant.EPOCH);
  }

  @Test
  void aPlanAddsUpItsEntries() {
    ReconcilePlan plan = new ReconcilePlan(List.of(entry(0, "a", 10, 4), entry(1, "a", 5, 5), entry(1, "b", 7, 0)));
    assertThat(plan.entries().get(0).toCopy()).isEqualTo(6);
    assertThat(plan.targetOnly()).isEqualTo(22);
    assertThat(plan.alreadyOnSource()).isEqualTo(9);
    assertThat(plan.toCopy()).isEqualTo(13);
    assertThat(plan.reconciled()).isFalse();
    assertThat(new ReconcilePlan(List.of(entry(0, "a", 3, 3))).reconciled()).isTrue();
    assertThat(new ReconcilePlan(List.of()).toCopy()).isZero();
  }

  @Test
  void aReportAddsUpItsPartitions() {
    ReconcileReport report = new ReconcileReport(List.of(
        new ReconcileReport.PartitionResult("orders", 0, 100, 10, 2, Map.of(SkipReason.REPLICATED, 80L,
            SkipReason.RECONCILED_COPY, 8L), false),
        new ReconcileReport.PartitionResult("orders", 1, 50, 5, 0, Map.of(SkipReason.REPLICATED, 45L), true)));
    assertThat(report.read()).isEqualTo(150);
    assertThat(report.copied()).isEqualTo(15);
    assertThat(report.alreadyPresent()).isEqualTo(2);
    assertThat(report.skipped()).containsExactly(Map.entry(SkipReason.REPLICATED, 125L),
        Map.entry(SkipReason.RECONCILED_COPY, 8L));
    assertThat(report.skippedTotal()).isEqualTo(133);
    assertThat(report.partitions().get(0).skippedTotal()).isEqualTo(88);
    assertThat(report.complete()).isFalse();
  }

  @Test
  void aRequestNeedsEpochsAndDocumentsAndKeepsWhatItIsGiven() {
    assertThatThrownBy(() -> ReconcileRequest.forRule("orders").documents(List.of(MIRROR)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epochs");
    assertThatThrownBy(() -> ReconcileRequest.forRule("orders").epochs(2, 3).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("documents");
    assertThatThrownBy(() -> ReconcileRequest.forRule("orders").epochs(4, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReconcileRequest.forRule("a/b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReconcileRequest.forRule("orders").targetOffsets(new TopicPartition("orders", 0), 5, 4))
        .isInstanceOf(IllegalArgumentException.class);
    ReconcileRequest request = ReconcileRequest.forRule("orders").slice("s10").epochs(3, 5)
        .documents(List.of(MIRROR)).targetOffsets(new TopicPartition("orders", 0), 100, 250).build();
    assertThat(request.rule()).isEqualTo("orders");
    assertThat(request.slice()).contains("s10");
    assertThat(request.fromEpoch()).isEqualTo(3);
    assertThat(request.toEpoch()).isEqualTo(5);
    assertThat(request.targetOffsets()).containsExactly(
        Map.entry(new TopicPartition("orders", 0), new ReconcileRequest.TargetRange(100, 250)));
    assertThat(request.since()).isEmpty();
  }

  @Test
  void aReconcilerNeedsTwoDistinctSidesWithBootstrapServers() {
    Map<String, Object> ok = Map.of("bootstrap.servers", "localhost:1");
    assertThatThrownBy(() -> Reconciler.builder().source("onprem", ok).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Reconciler.builder().source("onprem", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap.servers");
    assertThatThrownBy(() -> Reconciler.builder().source("x", ok).target("x", ok).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Reconciler.builder().requestTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Reconciler.builder().recordsPerTransaction(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theMissingDocumentOfTheFirstEpochIsRaisedBeforeAnyClusterIsAsked() {
    ReconcileRequest request = ReconcileRequest.forRule("orders").epochs(2, 2).documents(List.of(MIRROR)).build();
    try (Reconciler reconciler = Reconciler.builder().source("onprem", Map.of("bootstrap.servers", "localhost:1"))
        .target("cloud", Map.of("bootstrap.servers", "localhost:1")).requestTimeout(Duration.ofMillis(200)).build()) {
      assertThatThrownBy(() -> reconciler.plan(request)).isInstanceOfSatisfying(ReconcileException.class,
          e -> assertThat(e.kind()).isEqualTo(ReconcileException.Kind.MISSING_DOCUMENT));
    }
  }

  @Test
  void documentsThatDoNotFitTheReconcilerAreRefusedBeforeAnyClusterIsAsked() {
    try (Reconciler reconciler = Reconciler.builder().source("onprem", Map.of("bootstrap.servers", "localhost:1"))
        .target("aws", Map.of("bootstrap.servers", "localhost:1")).requestTimeout(Duration.ofMillis(200)).build()) {
      ReconcileRequest.Builder request = ReconcileRequest.forRule("orders").epochs(3, 3).documents(List.of(MIRROR));
      assertThatThrownBy(() -> reconciler.apply(request.build())).isInstanceOfSatisfying(ReconcileException.class,
          e -> {
            assertThat(e.kind()).isEqualTo(ReconcileException.Kind.ALIAS_MISMATCH);
            assertThat(e.getMessage()).contains("'onprem' to 'cloud'", "target 'aws'");
          });
      assertThatThrownBy(() -> reconciler.plan(ReconcileRequest.forRule("invoices").epochs(3, 3)
          .documents(List.of(MIRROR)).build())).isInstanceOfSatisfying(ReconcileException.class, e -> {
            assertThat(e.kind()).isEqualTo(ReconcileException.Kind.RULE_MISSING);
            assertThat(e.getMessage()).contains("'invoices'");
          });
    }
  }

  @Test
  void theInternalKindsAndReasonsMatchThePublicOnes() {
    assertThat(Arrays.stream(ReconcileException.Kind.values()).map(Enum::name))
        .containsExactlyElementsOf(Arrays.stream(ReconcileFailure.Kind.values()).map(Enum::name).toList());
    assertThat(Arrays.stream(SkipReason.values()).map(Enum::name))
        .containsExactlyElementsOf(Arrays.stream(Skip.values()).map(Enum::name).toList());
  }
}
