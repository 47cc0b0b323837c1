package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.internal.consumer.Resolution.Kind;
import dev.turnout.internal.consumer.Resolution.Outcome;
import dev.turnout.internal.consumer.Resolution.Problem;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * {@link MoveBack} and the {@link Withholding} it produces, over two fake logs: the rule's source (onprem)
 * and its target (cloud). The group read onprem up to offset 5, moved to cloud (its records 0-4 are copies of
 * onprem's), processed cloud up to offset 10 (copies of onprem 5-7 and the cloud-only records 100 and 101),
 * and moved back. Reconciliation then copied the cloud-only records 100-103 to onprem, after onprem 8 and 9
 * and interleaved with a new record 10.
 */
class MoveBackTest {

  private static final TopicPartition TP = new TopicPartition("orders", 0);
  private static final long LEFT_SOURCE = 5;
  private static final long TARGET_HANDOVER = 10;

  private final FakeLog onprem = new FakeLog();
  private final FakeLog cloud = new FakeLog();

  private static long ts(int id) {
    return 10_000 + 10L * (id % 100) + (id >= 100 ? 5 : 0);
  }

  private void source(int id) {
    onprem.append(TP, ts(id), "k" + id, "v" + id, FakeLog.id(id), "onprem");
  }

  private void copyOnCloud(int id) {
    cloud.append(TP, ts(id), "k" + id, "v" + id, FakeLog.id(id), "onprem");
  }

  private void cloudOnly(int id) {
    cloud.append(TP, ts(id), "k" + id, "v" + id, FakeLog.id(id), "cloud");
  }

  private void reconciled(int id, long cloudOffset) {
    onprem.append(TP, ts(id), "k" + id, "v" + id, FakeLog.id(id), "cloud", "cloud/0/" + cloudOffset);
  }

  /** The history of the class comment. */
  private void rolledBack() {
    for (int i = 0; i < 10; i++) {
      source(i);
    }
    for (int i = 0; i < 5; i++) {
      copyOnCloud(i);
    }
    cloud.routeEpoch(2);
    copyOnCloud(5);
    cloudOnly(100); // 6
    copyOnCloud(6);
    cloudOnly(101); // 8
    copyOnCloud(7);
    cloudOnly(102); // 10: the group handed over here, not processed
    copyOnCloud(8);
    cloudOnly(103); // 12
    reconciled(100, 6); // onprem 10
    source(10); // onprem 11
    reconciled(101, 8); // onprem 12
    reconciled(102, 10); // onprem 13
    reconciled(103, 12); // onprem 14
  }

  private MoveBack moveBack(long sourceCommit, boolean takeOver, int window, boolean rewind) {
    return new MoveBack(TP, new ClusterReader("onprem", onprem), new ClusterReader("cloud", cloud), sourceCommit,
        takeOver, TARGET_HANDOVER, window, OffsetTranslator.timestamp(), TimeUnit.SECONDS.toNanos(5),
        rewind, 1_000, n -> { });
  }

  private static Resolution run(MoveBack m) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Resolution r = null;
    while (r == null && !m.done() && System.nanoTime() < giveUp) {
      r = m.step();
    }
    return r;
  }

  /** What the consumer delivers from onprem, from {@code from} to the end, through the withholding. */
  private List<Integer> delivered(long from, Withholding w) {
    List<Integer> ids = new ArrayList<>();
    ClusterReader reader = new ClusterReader("onprem", onprem);
    for (ConsumerRecord<byte[], byte[]> r : reader.read(TP, from, Long.MAX_VALUE, Duration.ofSeconds(5))) {
      if (w == null || !w.withholds(r.offset(), r.headers())) {
        byte[] id = RecordIdentity.idOf(r.headers());
        ids.add(id == null ? -1 : (int) ByteBuffer.wrap(id).getLong(8));
      }
    }
    return ids;
  }

  @Test
  void resumesWhereTheGroupLeftTheSourceAndWithholdsExactlyWhatItProcessedOnTheTarget() {
    rolledBack();
    Resolution r = run(moveBack(LEFT_SOURCE, false, 100, false));
    assertThat(r.kind()).isEqualTo(Kind.SEEK);
    assertThat(r.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(r.offset()).isEqualTo(LEFT_SOURCE);
    assertThat(r.withholding().below()).as("after onprem 7, the last source record processed on cloud").isEqualTo(8);
    assertThat(r.withholding().processedIds()).as("cloud-only records 100 and 101").isEqualTo(2);
    assertThat(delivered(r.offset(), r.withholding()))
        .as("each record not processed on cloud, once; nothing processed there again")
        .containsExactly(8, 9, 10, 102, 103);
  }

  @Test
  void theWithholdingEndsOnceEveryProcessedIdWasMet() {
    rolledBack();
    Resolution r = run(moveBack(LEFT_SOURCE, false, 100, false));
    Withholding w = r.withholding();
    delivered(r.offset(), w);
    assertThat(w.finished()).isTrue();
    assertThat(w.takeWithheldById()).isEqualTo(2);
  }

  @Test
  void aMemberTakingOverAfterTheFirstCommitOnTheSourceBuildsTheSameSetFromTheTargetLog() {
    rolledBack();
    // The first member delivered onprem 8 and 9 and committed 10; a new member takes the partition over.
    Resolution r = run(moveBack(10, true, 100, false));
    assertThat(r.kind()).isEqualTo(Kind.CONTINUE);
    assertThat(r.withholding().processedIds()).isEqualTo(2);
    assertThat(r.withholding().below()).isEqualTo(-1);
    assertThat(delivered(10, r.withholding())).containsExactly(10, 102, 103);
  }

  @Test
  void aRangeLargerThanTheWindowBlocksThePartition() {
    rolledBack();
    Resolution r = run(moveBack(LEFT_SOURCE, false, 4, false));
    assertThat(r.kind()).isEqualTo(Kind.BLOCKED);
    assertThat(r.outcome()).isEqualTo(Outcome.FAILED_CLOSED);
    assertThat(r.problem()).isEqualTo(Problem.DEDUPE_WINDOW_EXCEEDED);
    assertThat(r.detail()).contains("the promoted range holds 5 records (offsets 5 to 10 on 'cloud')");
  }

  @Test
  void withRewindALargerRangeResumesWithoutTheSetAndAdmitsTheDuplicates() {
    rolledBack();
    Resolution r = run(moveBack(LEFT_SOURCE, false, 4, true));
    assertThat(r.kind()).isEqualTo(Kind.SEEK);
    assertThat(r.outcome()).isEqualTo(Outcome.REWOUND);
    assertThat(r.problem()).isEqualTo(Problem.DEDUPE_WINDOW_EXCEEDED);
    assertThat(r.offset()).isEqualTo(LEFT_SOURCE);
    assertThat(delivered(r.offset(), r.withholding())).as("source records still withheld below the boundary; "
        + "copies of 100 and 101 delivered again").containsExactly(8, 9, 100, 10, 101, 102, 103);
  }

  @Test
  void aRecordWithoutAnIdOrWithAnIdNotProcessedIsAlwaysDelivered() {
    rolledBack();
    onprem.append(TP, 20_000, "plain", "x", null, null); // onprem 15: a plain producer's record
    onprem.append(TP, 20_001, "k", "v", FakeLog.id(555), "onprem"); // 16
    Resolution r = run(moveBack(LEFT_SOURCE, false, 100, false));
    assertThat(delivered(15, r.withholding())).containsExactly(-1, 555);
  }

  /**
   * Moving forward again: the group processed onprem up to its end (including the reconciled copies) and
   * hands over there; MirrorMaker copied onprem 8-14 to cloud, reconciled copies with their marker. The last
   * processed record is the reconciled copy of cloud 8: its id is also the original's, at cloud 8.
   */
  @Test
  void movingForwardAgainTheLastProcessedReconciledCopyIsMatchedToItsReplicaNotToItsOriginal() {
    rolledBack();
    cloud.routeEpoch(4);
    for (int offset = 8; offset < 15; offset++) {
      ConsumerRecord<byte[], byte[]> r = new ClusterReader("onprem", onprem).read(TP, offset, offset + 1,
          Duration.ofSeconds(5)).get(0);
      cloud.append(TP, r.timestamp(), new String(r.key()), new String(r.value()), RecordIdentity.idOf(r.headers()),
          RecordIdentity.originOf(r.headers()), RecordIdentity.reconciledOf(r.headers()) == null ? null
              : new String(RecordIdentity.reconciledOf(r.headers())));
    }
    long handedOver = 13; // processed through onprem 12, the reconciled copy of 101
    BoundarySearch search = new BoundarySearch(TP, new ClusterReader("onprem", onprem),
        new ClusterReader("cloud", cloud), handedOver, true, "cloud", OffsetTranslator.timestamp(),
        System.nanoTime() + TimeUnit.SECONDS.toNanos(5), false, 1_000, n -> { }, -1).keepSince(4); // the group's handover on cloud was at epoch 3
    Resolution r = null;
    while (r == null && !search.done()) {
      r = search.step();
    }
    // cloud: 0-12 as above, 13 = onprem 8, 14 = 9, 15 = copy of 100, 16 = 10, 17 = copy of 101, 18, 19
    assertThat(r.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(r.offset()).as("right after the replica of the reconciled copy, not after the original at 8")
        .isEqualTo(18);
    assertThat(r.withholding()).as("cloud-only records of the earlier stay are not new writes to resume at")
        .isNull();
  }
}
