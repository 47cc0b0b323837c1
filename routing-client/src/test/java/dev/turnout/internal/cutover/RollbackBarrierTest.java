package dev.turnout.internal.cutover;

import static dev.turnout.internal.cutover.Maps.CLOUD;
import static dev.turnout.internal.cutover.Maps.ONPREM;
import static dev.turnout.internal.cutover.Maps.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.status.BarrierStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rollback barrier: a slice moved back from the rule's target (cloud) to its source (onprem) waits until its
 * target-only records are on the source, as a {@link SliceReconciliation} reports; other slices never wait; a
 * reconciliation that fails or is missing, and the deadline, fail the slice closed with
 * {@link BarrierFailure.Kind#ROLLBACK_NOT_RECONCILED}.
 */
class RollbackBarrierTest {

  private static final long POLL_MILLIS = 20;

  private final FakeReconciliation reconciliation = new FakeReconciliation();
  private CutoverCoordinator coordinator;

  @AfterEach
  void close() {
    if (coordinator != null) {
      coordinator.close();
    }
  }

  private CutoverCoordinator coordinator(boolean auto, long maxPauseMillis, SliceReconciliation r) {
    coordinator = new CutoverCoordinator("test", Maps.CLUSTERS, BarrierMode.DRAINED, 10_000, 1_000_000, 42L,
        new Access(), waits -> { }, new RollbackPolicy(auto, maxPauseMillis, POLL_MILLIS, r));
    return coordinator;
  }

  /**
   * Epoch 1 MIRROR; epoch 2 promotes slice a (buckets 0-4999) to cloud, epoch 3 keeps it there; this producer
   * writes partitions 0 and 2 of {@code t} on cloud (last offsets 41 and 7); epoch 4 moves every key back to onprem.
   */
  private TopicBarrier rollBackSliceA() {
    coordinator.install(null, split(1, 0));
    coordinator.ledger(ONPREM).sent("t");
    coordinator.install(split(1, 0), split(2, 5000));
    coordinator.install(split(2, 5000), split(3, 5000));
    coordinator.ledger(CLOUD).sent("t");
    coordinator.ledger(CLOUD).acknowledged("t", 0, 1_000L, 1, 41);
    coordinator.ledger(CLOUD).acknowledged("t", 2, 1_001L, 2, 7);
    coordinator.install(split(3, 5000), split(4, 0));
    TopicBarrier barrier = coordinator.view().barrierFor("t", 4, 100);
    assertThat(barrier).isNotNull();
    return barrier;
  }

  @Test
  void manualWaitsForTheClientsOwnTargetOnlyRecordsOfTheRolledBackSliceOnly() throws Exception {
    coordinator(false, 10_000, reconciliation);
    reconciliation.missing.set(3);
    TopicBarrier barrier = rollBackSliceA();
    assertThat(coordinator.view().barrierFor("t", 4, 7000)).as("slice b never moved: it never waits").isNull();
    Send queued = new Send();
    assertThat(barrier.offer(queued, 0)).isEqualTo(TopicBarrier.Offer.QUEUED);

    await().atMost(Duration.ofSeconds(5)).until(() -> reconciliation.calls.size() >= 2);
    assertThat(queued.released).as("held while records are missing").isFalse();
    assertThat(barrier.state()).isEqualTo(TopicBarrier.State.WAITING);
    assertThat(barrier.phase()).contains("3 target-only record(s)", "rule 'r' slice 'a'", "'cloud'", "'onprem'");

    reconciliation.missing.set(0);
    await().atMost(Duration.ofSeconds(5)).until(() -> queued.released);
    assertThat(barrier.state()).isEqualTo(TopicBarrier.State.OPEN);
    assertThat(reconciliation.calls).allSatisfy(call -> assertThat(call).startsWith("missing"));
    RollbackScope scope = reconciliation.scopes.get(0);
    assertThat(scope.rule()).isEqualTo("r");
    assertThat(scope.slice()).isEqualTo("a");
    assertThat(scope.fromEpoch()).as("the epoch that promoted the slice").isEqualTo(2);
    assertThat(scope.toEpoch()).as("the last epoch before the rollback").isEqualTo(3);
    assertThat(scope.documents()).extracting(AuthorityMap::epoch).containsExactly(2L, 3L);
    assertThat(scope.targetOffsetsUpTo()).as("exclusive bounds of this client's own records")
        .isEqualTo(Map.of(new TopicPartition("t", 0), 42L, new TopicPartition("t", 2), 8L));
  }

  @Test
  void autoReconcilesTheSlicesWholeRangeThenConfirmsNothingIsMissing() throws Exception {
    coordinator(true, 10_000, reconciliation);
    reconciliation.missing.set(0);
    TopicBarrier barrier = rollBackSliceA();
    Send queued = new Send();
    barrier.offer(queued, 0);

    await().atMost(Duration.ofSeconds(5)).until(() -> queued.released);
    assertThat(reconciliation.calls).containsExactly("reconcile r/a", "missing r/a");
    assertThat(reconciliation.scopes).allSatisfy(s -> assertThat(s.targetOffsetsUpTo()).isEmpty());
  }

  @Test
  void autoCoversTopicsThisProducerNeverWroteToTheTarget() {
    coordinator(true, 10_000, reconciliation);
    reconciliation.missing.set(1);
    coordinator.install(null, split(1, 5000));
    coordinator.ledger(ONPREM).sent("t"); // only the source's slice b, so far
    coordinator.install(split(1, 5000), split(2, 0));
    TopicBarrier barrier = coordinator.view().barrierFor("t", 2, 100);
    assertThat(barrier).isNotNull();
    await().atMost(Duration.ofSeconds(5)).until(() -> reconciliation.calls.contains("reconcile r/a"));
    assertThat(barrier.state()).isEqualTo(TopicBarrier.State.WAITING);
  }

  @Test
  void manualOpensWithoutAskingWhenThisProducerWroteNothingToTheTarget() {
    coordinator(false, 10_000, null); // not even a reconciliation: nothing of this producer's is to be proven
    coordinator.install(null, split(1, 5000));
    coordinator.ledger(ONPREM).sent("t");
    coordinator.install(split(1, 5000), split(2, 0));
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      TopicBarrier barrier = coordinator.view().barrierFor("t", 2, 100);
      return barrier == null || barrier.state() == TopicBarrier.State.OPEN;
    });
    assertThat(coordinator.rollbackFailures()).isZero();
    assertThat(reconciliation.calls).isEmpty();
  }

  @Test
  void aFailingReconciliationFailsTheSliceClosedWithItsReasonThenOpensOnceReconciled() throws Exception {
    coordinator(false, 10_000, reconciliation);
    reconciliation.failure.set(new IllegalStateException("cluster 'cloud' is unreachable"));
    TopicBarrier barrier = rollBackSliceA();
    Send first = new Send();
    Send second = new Send();
    barrier.offer(first, 0);
    barrier.offer(second, 0);

    await().atMost(Duration.ofSeconds(5)).until(() -> first.refused != null && second.refused != null);
    assertThat(barrier.state()).isEqualTo(TopicBarrier.State.FAILED);
    assertThat(first.refused.kind()).isEqualTo(BarrierFailure.Kind.ROLLBACK_NOT_RECONCILED);
    assertThat(first.refused.message()).contains("rule 'r' slice 'a'", "cluster 'cloud' is unreachable",
        "was not written anywhere", "Run the reconciliation");
    assertThat(barrier.offer(new Send(), 0)).as("later sends are refused at once").isEqualTo(TopicBarrier.Offer.FAILED);
    assertThat(coordinator.rollbackFailures()).isEqualTo(1);

    reconciliation.failure.set(null);
    reconciliation.missing.set(0);
    await().atMost(Duration.ofSeconds(5)).until(() -> barrier.state() == TopicBarrier.State.OPEN);
    assertThat(first.released).isFalse();
  }

  @Test
  void aFailedRollbackStopsReconcilingAndLeavesTheStatusOnceALaterEpochPromotesTheSliceAgain() throws Exception {
    coordinator(true, 10_000, reconciliation);
    reconciliation.failure.set(new IllegalStateException("cluster 'cloud' is unreachable"));
    TopicBarrier barrier = rollBackSliceA();
    await().atMost(Duration.ofSeconds(5)).until(() -> barrier.state() == TopicBarrier.State.FAILED);
    assertThat(coordinator.openBarriers()).extracting(b -> b.state()).containsExactly("FAILED");

    coordinator.install(split(4, 0), split(5, 5000)); // slice a back on cloud: the rollback is moot
    await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.view().transitions().length == 0);
    assertThat(coordinator.openBarriers()).isEmpty();
    long before = reconciliation.scopes.stream().filter(sc -> sc.fromEpoch() == 2).count();

    // A second rollback's check runs on the same thread, every 20 ms like the first did while it failed: three of
    // its runs give the first one every chance to run again.
    coordinator.install(split(5, 5000), split(6, 0));
    await().atMost(Duration.ofSeconds(5))
        .until(() -> reconciliation.scopes.stream().filter(sc -> sc.fromEpoch() == 5).count() >= 3);
    assertThat(reconciliation.scopes.stream().filter(sc -> sc.fromEpoch() == 2).count())
        .as("no reconciliation of the slice of epochs 2-3 after epoch 5 moved it again").isEqualTo(before);
  }

  @Test
  void aTransientFailureIsRetriedUntilTheDeadlineWithoutRefusingWhatWaits() throws Exception {
    coordinator(true, 10_000, reconciliation);
    reconciliation.transientFailures = true;
    reconciliation.failure.set(new IllegalStateException("WRITE_FAILED: fenced by another producer's reconciler"));
    TopicBarrier barrier = rollBackSliceA();
    Send waiting = new Send();
    barrier.offer(waiting, 0);

    await().atMost(Duration.ofSeconds(5)).until(() -> reconciliation.calls.size() >= 3);
    assertThat(barrier.state()).as("retried, not failed").isEqualTo(TopicBarrier.State.WAITING);
    assertThat(barrier.phase()).contains("retrying after a transient failure", "fenced by another producer");
    assertThat(waiting.refused).isNull();
    reconciliation.failure.set(null);
    await().atMost(Duration.ofSeconds(5)).until(() -> waiting.released);
    assertThat(coordinator.rollbackFailures()).isZero();
  }

  @Test
  void aTransientFailureStillThereAtTheDeadlineFailsTheSliceWithIt() throws Exception {
    coordinator(true, 300, reconciliation);
    reconciliation.transientFailures = true;
    reconciliation.failure.set(new IllegalStateException("UNREACHABLE: 'onprem' did not answer within 10 s"));
    TopicBarrier barrier = rollBackSliceA();
    Send waiting = new Send();
    barrier.offer(waiting, 0);

    await().atMost(Duration.ofSeconds(5)).until(() -> waiting.refused != null);
    assertThat(waiting.refused.kind()).isEqualTo(BarrierFailure.Kind.ROLLBACK_NOT_RECONCILED);
    assertThat(waiting.refused.message()).contains("'onprem' did not answer within 10 s");
    assertThat(barrier.state()).isEqualTo(TopicBarrier.State.FAILED);
  }

  @Test
  void recordsStillMissingAtTheDeadlineFailClosedSayingHowManyAndWhatToDo() throws Exception {
    coordinator(false, 300, reconciliation);
    reconciliation.missing.set(5);
    TopicBarrier barrier = rollBackSliceA();
    Send queued = new Send();
    barrier.offer(queued, 0);

    await().atMost(Duration.ofSeconds(5)).until(() -> queued.refused != null);
    assertThat(queued.refused.kind()).isEqualTo(BarrierFailure.Kind.ROLLBACK_NOT_RECONCILED);
    assertThat(queued.refused.message()).contains("5 target-only record(s)", "still missing on 'onprem'",
        "turnout.rollback.max.pause.ms=300", "rule 'r' slice 'a' (epochs 2-3)", "turnout.rollback.reconcile=auto");
    assertThat(barrier.state()).isEqualTo(TopicBarrier.State.FAILED);
  }

  @Test
  void withoutAReconciliationARollbackWithRecordsToProveFailsClosed() throws Exception {
    coordinator(false, 10_000, null);
    TopicBarrier barrier = rollBackSliceA();
    Send queued = new Send();
    barrier.offer(queued, 0);

    await().atMost(Duration.ofSeconds(5)).until(() -> queued.refused != null);
    assertThat(queued.refused.kind()).isEqualTo(BarrierFailure.Kind.ROLLBACK_NOT_RECONCILED);
    assertThat(queued.refused.message()).contains("no slice reconciliation is available");
    assertThat(queued.released).isFalse();
  }

  @Test
  void anUnslicedRollbackFromTargetAuthorityIsScopedToTheWholeRule() throws Exception {
    coordinator(false, 10_000, reconciliation);
    reconciliation.missing.set(0);
    coordinator.install(null, split(1, AuthorityMap.BUCKETS));
    coordinator.ledger(CLOUD).sent("t");
    coordinator.ledger(CLOUD).acknowledged("t", 1, 1_000L, 1, 9);
    coordinator.install(split(1, AuthorityMap.BUCKETS), split(2, 0));
    Send queued = new Send();
    coordinator.view().barrierFor("t", 2, 100).offer(queued, 0);

    await().atMost(Duration.ofSeconds(5)).until(() -> queued.released);
    assertThat(reconciliation.scopes).singleElement().satisfies(s -> {
      assertThat(s.slice()).as("the rule was unsliced on the target").isNull();
      assertThat(s.fromEpoch()).isEqualTo(1);
      assertThat(s.toEpoch()).isEqualTo(1);
      assertThat(s.targetOffsetsUpTo()).containsExactly(Map.entry(new TopicPartition("t", 1), 10L));
    });
  }

  @Test
  void statusShowsTheRollbackBarrierWithWhatItWaitsFor() throws Exception {
    coordinator(false, 10_000, reconciliation);
    reconciliation.missing.set(4);
    TopicBarrier barrier = rollBackSliceA();
    barrier.offer(new Send(), 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> barrier.phase().contains("4 target-only"));

    List<BarrierStatus> open = coordinator.openBarriers();
    assertThat(open).singleElement().satisfies(b -> {
      assertThat(b.from()).isEqualTo("cloud");
      assertThat(b.to()).isEqualTo("onprem");
      assertThat(b.toEpoch()).isEqualTo(4);
      assertThat(b.state()).isEqualTo("WAITING");
      assertThat(b.waitingRecords()).isEqualTo(1);
      assertThat(b.detail()).contains("4 target-only record(s)", "reconciled to 'onprem'");
    });
  }

  private static final class FakeReconciliation implements SliceReconciliation {
    final AtomicLong missing = new AtomicLong();
    final AtomicReference<Exception> failure = new AtomicReference<>();
    /** Failures that may pass by themselves. */
    volatile boolean transientFailures;
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<RollbackScope> scopes = Collections.synchronizedList(new ArrayList<>());

    @Override
    public long missing(RollbackScope scope) throws Exception {
      record("missing", scope);
      return missing.get();
    }

    @Override
    public void reconcile(RollbackScope scope) throws Exception {
      record("reconcile", scope);
    }

    @Override
    public boolean transientFailure(Exception e) {
      return transientFailures;
    }

    private void record(String call, RollbackScope scope) throws Exception {
      calls.add(call + " " + scope.rule() + "/" + scope.slice());
      scopes.add(scope);
      Exception e = failure.get();
      if (e != null) {
        throw e;
      }
    }
  }

  private static final class Access implements ClusterAccess {
    @Override
    public void flush(int cluster) {}

    @Override
    public Map<String, Object> consumerConfig(int cluster) {
      throw new AssertionError("the drained barrier never reads the new owner");
    }

    @Override
    public long activeTransactionEpoch() {
      return Long.MAX_VALUE;
    }
  }

  private static final class Send implements QueuedSend {
    volatile boolean released;
    volatile BarrierFailure refused;

    @Override
    public long sizeInBytes() {
      return 100;
    }

    @Override
    public void release() {
      released = true;
    }

    @Override
    public void refuse(BarrierFailure failure) {
      refused = failure;
    }
  }
}
