package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.internal.consumer.Resolution.Kind;
import dev.turnout.internal.consumer.Resolution.Outcome;
import dev.turnout.internal.consumer.Resolution.Problem;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** {@link BoundarySearch} over two fake logs: the old cluster (onprem) and the new one (cloud). */
class BoundarySearchTest {

  private static final TopicPartition TP = new TopicPartition("orders", 0);

  private final FakeLog onprem = new FakeLog();
  private final FakeLog cloud = new FakeLog();
  private final AtomicLong admitted = new AtomicLong(-1);

  private BoundarySearch search(long fromOffset, long timeoutMillis, boolean rewind) {
    return new BoundarySearch(TP, new ClusterReader("onprem", onprem), new ClusterReader("cloud", cloud), fromOffset,
        true, "cloud", OffsetTranslator.identity(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis),
        rewind, 1_000, admitted::set, -1);
  }

  /** Steps until the search answers (the deadline inside it bounds this). */
  private static Resolution run(BoundarySearch search) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Resolution r = null;
    while (r == null && !search.done() && System.nanoTime() < giveUp) {
      r = search.step();
    }
    return r;
  }

  /** The new cluster holds two records of its own, then copies of onprem's: offsets are shifted by two. */
  private void replicatedWithShift(int copies) {
    onprem.appendWithIds(TP, 0, 10);
    cloud.append(TP, 900, "c0", "x", null, null);
    cloud.append(TP, 901, "c1", "x", null, null);
    cloud.appendWithIds(TP, 0, copies);
  }

  @Test
  void theLastProcessedRecordIsFoundByItsTurnoutId() {
    replicatedWithShift(10);
    Resolution r = run(search(6, 5_000, false));
    assertThat(r.kind()).isEqualTo(Kind.SEEK);
    assertThat(r.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(r.offset()).as("right after the copy of offset 5").isEqualTo(8);
    assertThat(r.translated()).isEqualTo(6);
    assertThat(r.duplicatesAvoided()).as("offsets 6 and 7 would have been delivered twice").isEqualTo(2);
    assertThat(r.fromAlias()).isEqualTo("onprem");
  }

  private BoundarySearch search(long fromOffset, long readCommitted) {
    return new BoundarySearch(TP, new ClusterReader("onprem", onprem), new ClusterReader("cloud", cloud), fromOffset,
        true, "cloud", OffsetTranslator.identity(), System.nanoTime() + TimeUnit.SECONDS.toNanos(5), false, 1_000,
        admitted::set, readCommitted);
  }

  /** Cloud: two records written there directly (offsets 0, 1), then copies of onprem's ten, then one more direct. */
  private void directWritesAroundCopies() {
    onprem.appendWithIds(TP, 0, 10);
    cloud.append(TP, 900, "c0", "x", FakeLog.id(100), "cloud");
    cloud.append(TP, 901, "c1", "x", FakeLog.id(101), "cloud");
    cloud.appendWithIds(TP, 0, 10);
  }

  @Test
  void recordsWrittenDirectlyBeforeTheBoundaryAreDeliveredWithTheCopiesBeforeItWithheld() {
    directWritesAroundCopies();
    Resolution r = run(search(6, -1));
    assertThat(r.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(r.offset()).as("the first record written directly to cloud").isZero();
    assertThat(r.suppressBelow()).as("copies of processed records withheld up to the boundary").isEqualTo(8);
  }

  @Test
  void recordsWrittenDirectlyBelowTheGroupsOwnCommitOnTheNewClusterAreNotDeliveredAgain() {
    directWritesAroundCopies();
    Resolution r = run(search(6, 1)); // the group committed offset 1 on cloud: it has consumed offset 0 there
    assertThat(r.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(r.offset()).as("from the group's commit, the first direct record it has not consumed").isEqualTo(1);
    assertThat(r.suppressBelow()).isEqualTo(8);

    Resolution past = run(search(6, 2)); // committed past every direct record before the boundary
    assertThat(past.offset()).as("nothing new to the group before the boundary").isEqualTo(8);
    assertThat(past.suppressBelow()).isEqualTo(-1);
  }

  @Test
  void withoutIdsTheLastProcessedRecordIsFoundByItsFingerprint() {
    for (int i = 0; i < 5; i++) {
      onprem.append(TP, 1000 + i, "k" + i, "v" + i, null, null);
      cloud.append(TP, 1000 + i, "k" + i, "v" + i, null, null);
    }
    cloud.append(TP, 2000, "later", "x", null, null);
    Resolution r = run(search(3, 5_000, false));
    assertThat(r.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(r.offset()).isEqualTo(3);
  }

  @Test
  void twoRecordsWithTheLastProcessedFingerprintBlockThePartition() {
    onprem.append(TP, 1000, "k", "v", null, null);
    cloud.append(TP, 1000, "k", "v", null, null);
    cloud.append(TP, 1000, "k", "v", null, null);
    Resolution r = run(search(1, 5_000, false));
    assertThat(r.kind()).isEqualTo(Kind.BLOCKED);
    assertThat(r.problem()).isEqualTo(Problem.AMBIGUOUS_MATCH);
  }

  @Test
  void aLastProcessedRecordThatNeverAppearsBlocksThePartition() {
    replicatedWithShift(4);
    Resolution r = run(search(6, 300, false));
    assertThat(r.kind()).isEqualTo(Kind.BLOCKED);
    assertThat(r.outcome()).isEqualTo(Outcome.FAILED_CLOSED);
    assertThat(r.problem()).isEqualTo(Problem.LAST_RECORD_NOT_FOUND);
    assertThat(r.detail()).contains("did not appear on 'cloud'");
  }

  @Test
  void aRewindResumesAtTheTranslationAndCountsTheDuplicatesOnceTheRecordAppears() {
    replicatedWithShift(4);
    BoundarySearch search = search(6, 300, true);
    Resolution r = run(search);
    assertThat(r.outcome()).isEqualTo(Outcome.REWOUND);
    assertThat(r.offset()).isEqualTo(6);
    assertThat(search.watching()).isTrue();
    cloud.appendWithIds(TP, 4, 2); // ids 4 and 5 arrive at offsets 6 and 7
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!search.done() && System.nanoTime() < giveUp) {
      search.step();
    }
    assertThat(admitted.get()).as("offsets 6 and 7 were delivered after the rewind").isEqualTo(2);
  }

  @Test
  void nothingProcessedStartsAtTheBeginningOfTheNewCluster() {
    onprem.appendWithIds(TP, 0, 3);
    cloud.logStart(TP, 4);
    cloud.appendWithIds(TP, 0, 3);
    Resolution r = run(search(0, 5_000, false));
    assertThat(r.outcome()).isEqualTo(Outcome.NOTHING_PROCESSED);
    assertThat(r.offset()).isEqualTo(4);
  }

  @Test
  void aLastProcessedRecordDeletedByRetentionBlocksThePartition() {
    onprem.logStart(TP, 10);
    cloud.appendWithIds(TP, 0, 3);
    Resolution r = run(search(10, 5_000, false));
    assertThat(r.kind()).isEqualTo(Kind.BLOCKED);
    assertThat(r.problem()).isEqualTo(Problem.LAST_RECORD_UNREADABLE);
  }
}
