package dev.turnout.internal.cutover;

import static dev.turnout.internal.cutover.Maps.ONPREM;
import static dev.turnout.internal.cutover.Maps.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.authority.AuthorityMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order of a cutover's stages with the drained barrier: grace period (senders of older views, open
 * transactions of older maps), acknowledgements of the old owner (a flush), then release in order; timeouts
 * that fail closed and recover; the bounded buffer. Replication is exercised against real clusters in
 * {@code CutoverChaosIT} and {@code CutoverIT}.
 */
class CutoverCoordinatorTest {

  private final FakeAccess access = new FakeAccess();
  private final List<Long> waits = Collections.synchronizedList(new ArrayList<>());
  private CutoverCoordinator coordinator;

  private CutoverCoordinator coordinator(long maxPauseMillis, long bufferBytes) {
    coordinator = new CutoverCoordinator("test", Maps.CLUSTERS, BarrierMode.DRAINED, maxPauseMillis, bufferBytes, 42L,
        access, waits::add);
    return coordinator;
  }

  @AfterEach
  void close() {
    access.gate.countDown();
    if (coordinator != null) {
      coordinator.close();
    }
  }

  /** Installs epoch 1 (everything on onprem, written there) and epoch 2 (every key moved to cloud). */
  private TopicBarrier moveEverything() {
    coordinator.install(null, split(1, 0));
    coordinator.ledger(ONPREM).sent("t");
    coordinator.install(split(1, 0), split(2, AuthorityMap.BUCKETS));
    TopicBarrier barrier = coordinator.view().barrierFor("t", 2, 0);
    assertThat(barrier).isNotNull();
    return barrier;
  }

  @Test
  void theOldOwnerIsFlushedOnlyAfterEverySenderOfTheOlderViewHasLeftIt() throws Exception {
    coordinator(10_000, 1_000_000);
    coordinator.install(null, split(1, 0));
    coordinator.ledger(ONPREM).sent("t");
    View old = coordinator.enter(); // a send routing by epoch 1 is still on its way to onprem
    coordinator.install(split(1, 0), split(2, AuthorityMap.BUCKETS));
    TopicBarrier barrier = coordinator.view().barrierFor("t", 2, 0);
    Send queued = new Send("a");
    assertThat(barrier.offer(queued, 0)).isEqualTo(TopicBarrier.Offer.QUEUED);
    Thread.sleep(200);
    assertThat(access.flushes).as("no flush while a sender of epoch 1 is inside").isEmpty();
    assertThat(barrier.state()).isEqualTo(TopicBarrier.State.WAITING);
    assertThat(barrier.phase()).contains("epoch 1");
    old.exit();
    await().atMost(Duration.ofSeconds(5)).until(() -> barrier.state() == TopicBarrier.State.OPEN);
    assertThat(access.flushes).containsExactly(ONPREM);
    assertThat(queued.released).isTrue();
    assertThat(waits).hasSize(1);
  }

  @Test
  void aTransactionRoutedByAnOlderMapHoldsTheCutoverUntilItEnds() throws Exception {
    coordinator(10_000, 1_000_000);
    access.transactionEpoch = 1;
    TopicBarrier barrier = moveEverything();
    Thread.sleep(200);
    assertThat(access.flushes).isEmpty();
    assertThat(barrier.phase()).contains("open transaction");
    access.transactionEpoch = Long.MAX_VALUE;
    await().atMost(Duration.ofSeconds(5)).until(() -> barrier.state() == TopicBarrier.State.OPEN);
    assertThat(access.flushes).containsExactly(ONPREM);
  }

  @Test
  void queuedSendsAreReleasedInOrderAfterTheFlushAndLaterSendsGoStraightThrough() throws Exception {
    coordinator(10_000, 1_000_000);
    access.gate = new CountDownLatch(1);
    TopicBarrier barrier = moveEverything();
    List<String> released = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 50; i++) {
      assertThat(barrier.offer(new Send("s" + i, released), 0)).isEqualTo(TopicBarrier.Offer.QUEUED);
    }
    assertThat(coordinator.waitingRecords()).isEqualTo(50);
    await().atMost(Duration.ofSeconds(5)).until(() -> !access.flushes.isEmpty());
    assertThat(released).as("nothing leaves before the old owner's records completed").isEmpty();
    access.gate.countDown();
    assertThat(coordinator.awaitQueued(Duration.ofSeconds(5))).isTrue();
    assertThat(released).hasSize(50);
    for (int i = 0; i < 50; i++) {
      assertThat(released.get(i)).isEqualTo("s" + i);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> barrier.state() == TopicBarrier.State.OPEN);
    assertThat(barrier.offer(new Send("later"), 0)).isEqualTo(TopicBarrier.Offer.OPEN);
    assertThat(coordinator.waitingRecords()).isZero();
    assertThat(coordinator.waitingBytes()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.view().settled());
    assertThat(coordinator.view().barrierFor("t", 2, 0)).as("a settled cutover is no longer consulted").isNull();
  }

  @Test
  void aSliceThatDidNotMoveHasNoBarrier() {
    coordinator(10_000, 1_000_000);
    coordinator.install(null, split(1, 1000));
    View old = coordinator.enter(); // holds the cutover in its grace period while the test looks
    coordinator.install(split(1, 1000), split(2, 2000));
    View view = coordinator.view();
    assertThat(view.settled()).isFalse();
    assertThat(view.needsBucket("t", 2)).isTrue();
    assertThat(view.barrierFor("t", 2, 500)).as("owned by cloud before and after").isNull();
    assertThat(view.barrierFor("t", 2, 5000)).as("owned by onprem before and after").isNull();
    assertThat(view.barrierFor("t", 2, 1500)).isNotNull();
    assertThat(view.barrierFor("t", 1, 1500)).as("a send routed by epoch 1 is not held by the cutover to 2").isNull();
    assertThat(view.barrierFor("other", 2, 1500)).isNull();
    old.exit();
  }

  @Test
  void aTopicNeverWrittenToTheOldOwnerOpensWithoutAFlush() {
    coordinator(10_000, 1_000_000);
    coordinator.install(null, split(1, 0));
    View old = coordinator.enter();
    coordinator.install(split(1, 0), split(2, AuthorityMap.BUCKETS));
    TopicBarrier barrier = coordinator.view().barrierFor("t", 2, 0);
    assertThat(barrier).isNotNull();
    old.exit();
    await().atMost(Duration.ofSeconds(5)).until(() -> barrier.state() == TopicBarrier.State.OPEN);
    assertThat(access.flushes).isEmpty();
  }

  @Test
  void aBarrierThatTimesOutRefusesWhatWaitsFailsClosedAndReopensWhenItCompletes() throws Exception {
    coordinator(300, 1_000_000);
    access.gate = new CountDownLatch(1);
    TopicBarrier barrier = moveEverything();
    Send first = new Send("a");
    Send second = new Send("b");
    barrier.offer(first, 0);
    barrier.offer(second, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> barrier.state() == TopicBarrier.State.FAILED);
    // The state turns FAILED before the waiting sends are refused (outside the barrier's lock): wait for both.
    await().atMost(Duration.ofSeconds(5)).until(() -> first.refused != null && second.refused != null);
    assertThat(first.refused.kind()).isEqualTo(BarrierFailure.Kind.TIMEOUT);
    assertThat(first.refused.message()).contains("turnout.cutover.max.pause.ms=300")
        .contains("acknowledgements of the records sent to 'onprem'");
    assertThat(second.refused).isNotNull();
    assertThat(first.released).isFalse();
    assertThat(barrier.offer(new Send("c"), 0)).isEqualTo(TopicBarrier.Offer.FAILED);
    assertThat(coordinator.timeouts()).isEqualTo(1);
    assertThat(coordinator.waitingBytes()).isZero();
    access.gate.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> barrier.state() == TopicBarrier.State.OPEN);
    assertThat(barrier.offer(new Send("d"), 0)).isEqualTo(TopicBarrier.Offer.OPEN);
  }

  /** Epoch 1 on onprem (written there), epoch 2 moves buckets 0-4999 to cloud; its barrier times out. */
  private TopicBarrier failedPromotion() {
    coordinator(300, 1_000_000);
    access.gate = new CountDownLatch(1); // onprem's records never complete: the barrier cannot open
    coordinator.install(null, split(1, 0));
    coordinator.ledger(ONPREM).sent("t");
    coordinator.install(split(1, 0), split(2, 5000));
    TopicBarrier failed = coordinator.view().barrierFor("t", 2, 100);
    await().atMost(Duration.ofSeconds(5)).until(() -> failed.state() == TopicBarrier.State.FAILED);
    assertThat(coordinator.openBarriers()).extracting(b -> b.toEpoch()).containsExactly(2L);
    return failed;
  }

  @Test
  void aFailedBarrierWhoseSlicesALaterEpochMovesAgainLeavesTheViewAndTheStatus() {
    TopicBarrier failed = failedPromotion();
    coordinator.install(split(2, 5000), split(3, 0)); // every bucket epoch 2 moved goes back

    await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.view().transitions().length == 0);
    assertThat(coordinator.openBarriers()).as("nothing refuses or waits any more").isEmpty();
    assertThat(failed.retired).isTrue();
    assertThat(coordinator.view().barrierFor("t", 3, 100)).isNull();
  }

  @Test
  void aFailedBarrierStaysWhileALaterEpochMovesOnlyPartOfItsSlicesAgain() {
    TopicBarrier failed = failedPromotion();
    coordinator.install(split(2, 5000), split(3, 2500)); // 2500-4999 go back; 0-2499 stay behind the failure

    await().atMost(Duration.ofSeconds(5)).until(() -> {
      Transition[] ts = coordinator.view().transitions();
      return ts.length == 2 && ts[1].settled(); // epoch 3's cutover is over; epoch 2's keeps it in the view
    });
    assertThat(coordinator.openBarriers()).extracting(b -> b.toEpoch()).containsExactly(2L);
    assertThat(failed.retired).isFalse();
    assertThat(coordinator.view().barrierFor("t", 3, 100)).as("bucket 100 still meets the failed barrier")
        .isSameAs(failed);
    assertThat(coordinator.view().barrierFor("t", 3, 3000)).as("bucket 3000 moved back: epoch 3's cutover")
        .isNotSameAs(failed);
  }

  @Test
  void aFullBufferWaitsForMaxBlockThenReportsExhaustion() throws Exception {
    coordinator(10_000, 250);
    access.gate = new CountDownLatch(1);
    TopicBarrier barrier = moveEverything();
    assertThat(barrier.offer(new Send("a", 200), 0)).isEqualTo(TopicBarrier.Offer.QUEUED);
    long start = System.nanoTime();
    assertThat(barrier.offer(new Send("b", 100), TimeUnit.MILLISECONDS.toNanos(200)))
        .isEqualTo(TopicBarrier.Offer.BUFFER_EXHAUSTED);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(190);
    assertThat(barrier.offer(new Send("huge", 1_000), TimeUnit.SECONDS.toNanos(5)))
        .as("larger than the whole buffer: fails at once").isEqualTo(TopicBarrier.Offer.BUFFER_EXHAUSTED);
    access.gate.countDown();
    assertThat(coordinator.awaitQueued(Duration.ofSeconds(5))).isTrue();
    assertThat(coordinator.waitingBytes()).isZero();
  }

  @Test
  void closingRefusesWhatStillWaits() {
    coordinator(10_000, 1_000_000);
    access.gate = new CountDownLatch(1);
    TopicBarrier barrier = moveEverything();
    Send waiting = new Send("a");
    try {
      barrier.offer(waiting, 0);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    coordinator.close(Duration.ofMillis(100));
    assertThat(waiting.refused.kind()).isEqualTo(BarrierFailure.Kind.CLOSED);
    assertThat(waiting.released).isFalse();
  }

  @Test
  void cutoversThatOverlapOnATopicCompleteInEpochOrder() throws Exception {
    coordinator(10_000, 1_000_000);
    access.gate = new CountDownLatch(1);
    coordinator.install(null, split(1, 0));
    coordinator.ledger(ONPREM).sent("t");
    coordinator.install(split(1, 0), split(2, 5000));
    // Epoch 3 moves the slice straight back; its own barrier needs no flush (nothing was written to cloud),
    // but it must not release before the records still waiting at epoch 2's barrier.
    coordinator.install(split(2, 5000), split(3, 0));
    TopicBarrier second = coordinator.view().barrierFor("t", 2, 100);
    TopicBarrier third = coordinator.view().barrierFor("t", 3, 100);
    assertThat(third).isNotSameAs(second);
    assertThat(coordinator.view().barrierFor("t", 3, 7000)).as("bucket 7000 never moved").isNull();
    List<String> released = Collections.synchronizedList(new ArrayList<>());
    second.offer(new Send("epoch-2", released), 0);
    third.offer(new Send("epoch-3", released), 0);
    Thread.sleep(200);
    assertThat(released).isEmpty();
    access.gate.countDown();
    assertThat(coordinator.awaitQueued(Duration.ofSeconds(5))).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> third.state() == TopicBarrier.State.OPEN);
    assertThat(released).containsExactly("epoch-2", "epoch-3");
    assertThat(coordinator.cutovers()).isEqualTo(2);
  }

  /** Topic {@code t} governed by no rule (another topic's rule only). */
  private static AuthorityMap unrouted(long epoch) {
    return Maps.map("epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.o.topics=other\nrule.o.state=MIRROR\n");
  }

  @Test
  void aTopicThatPassesThroughAnEpochRoutingItNowhereStillGetsItsBarrier() throws Exception {
    coordinator(10_000, 1_000_000);
    access.gate = new CountDownLatch(1);
    coordinator.install(null, split(1, 0));
    coordinator.ledger(ONPREM).sent("t"); // written to onprem at epoch 1
    coordinator.install(split(1, 0), unrouted(2));
    coordinator.install(unrouted(2), split(3, AuthorityMap.BUCKETS)); // now cloud owns every key
    TopicBarrier barrier = coordinator.view().barrierFor("t", 3, 0);
    assertThat(barrier).as("onprem was the last owner written to; cloud owns it now").isNotNull();
    Send queued = new Send("a");
    assertThat(barrier.offer(queued, 0)).isEqualTo(TopicBarrier.Offer.QUEUED);
    await().atMost(Duration.ofSeconds(5)).until(() -> !access.flushes.isEmpty());
    assertThat(queued.released).as("held until onprem's records completed").isFalse();
    access.gate.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> queued.released);
    assertThat(access.flushes).containsExactly(ONPREM);
  }

  @Test
  void aTopicBackOnItsLastOwnerAfterAnUnroutedEpochNeedsNoBarrier() {
    coordinator(10_000, 1_000_000);
    coordinator.install(null, split(1, 0));
    coordinator.ledger(ONPREM).sent("t");
    coordinator.install(split(1, 0), unrouted(2));
    coordinator.install(unrouted(2), split(3, 0));
    assertThat(coordinator.view().barrierFor("t", 3, 0)).isNull();
  }

  @Test
  void aBarrierCreatedAfterCloseIsRefusedAsClosedNotLeftWaiting() {
    access.gate = new CountDownLatch(1); // the old owner's flush never ends: no barrier can open before close
    coordinator(10_000, 1_000_000);
    coordinator.install(null, split(1, 0));
    coordinator.ledger(ONPREM).sent("t");
    coordinator.install(split(1, 0), split(2, AuthorityMap.BUCKETS));
    View view = coordinator.view(); // a send routing by epoch 2, racing close()
    coordinator.close(Duration.ZERO);
    TopicBarrier barrier = view.barrierFor("t", 2, 0);
    assertThat(barrier.state()).isEqualTo(TopicBarrier.State.FAILED);
    assertThat(barrier.failure().kind()).isEqualTo(BarrierFailure.Kind.CLOSED);
    assertThat(barrier.failure().message()).contains("closed");
  }

  private static final class FakeAccess implements ClusterAccess {
    final List<Integer> flushes = Collections.synchronizedList(new ArrayList<>());
    volatile CountDownLatch gate = new CountDownLatch(0);
    volatile long transactionEpoch = Long.MAX_VALUE;

    @Override
    public void flush(int cluster) {
      flushes.add(cluster);
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Map<String, Object> consumerConfig(int cluster) {
      throw new AssertionError("the drained barrier never reads the new owner");
    }

    @Override
    public long activeTransactionEpoch() {
      return transactionEpoch;
    }
  }

  private static final class Send implements QueuedSend {
    final String name;
    final long size;
    final List<String> log;
    volatile boolean released;
    volatile BarrierFailure refused;

    Send(String name) {
      this(name, 100, null);
    }

    Send(String name, long size) {
      this(name, size, null);
    }

    Send(String name, List<String> log) {
      this(name, 100, log);
    }

    Send(String name, long size, List<String> log) {
      this.name = name;
      this.size = size;
      this.log = log;
    }

    @Override
    public long sizeInBytes() {
      return size;
    }

    @Override
    public void release() {
      released = true;
      if (log != null) {
        log.add(name);
      }
    }

    @Override
    public void refuse(BarrierFailure failure) {
      refused = failure;
    }
  }
}
