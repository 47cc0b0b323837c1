package dev.turnout.internal.reconcile;

import static dev.turnout.internal.reconcile.Docs.headers;
import static dev.turnout.internal.reconcile.Docs.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Range derivation and validation of one partition, fed record by record. */
class RangeTallyTest {

  private static final TopicPartition TP = new TopicPartition("orders", 1);
  private static final Scope SCOPE = new Scope("orders", null, 2, 2,
      new EpochDocuments(List.of(Docs.mirror(1), Docs.split(2, 1000))), Map.of(), null);
  private static final RecordClassifier CLASSIFIER = new RecordClassifier(SCOPE, "cloud");
  private static final byte[] MOVED = key(1000, true, 0);
  private static final byte[] REST = key(1000, false, 0);

  private static RangeTally derived(boolean compacted, long logStart) {
    return new RangeTally(TP, CLASSIFIER, SCOPE, null, compacted, logStart);
  }

  private static void replicated(RangeTally t, long offset, long epoch) {
    t.accept(offset, REST, headers("onprem/" + epoch + "/orders/rest", offset), 1000 + offset);
  }

  private static void targetOnly(RangeTally t, long offset) {
    t.accept(offset, MOVED, headers("cloud/2/orders/moved", offset), 1000 + offset);
  }

  private static void raw(RangeTally t, long offset) {
    t.accept(offset, REST, headers(null, 0), 1000 + offset);
  }

  @Test
  void aDerivedRangeRunsFromTheFirstToTheLastRecordRoutedToTheTarget() {
    RangeTally t = derived(false, -1);
    raw(t, 0);
    replicated(t, 1, 1);
    targetOnly(t, 2);
    replicated(t, 3, 2);
    targetOnly(t, 4);
    replicated(t, 5, 2);
    raw(t, 6);
    PartitionSurvey s = t.finish();
    assertThat(s.range()).isEqualTo(new OffsetRange(2, 5));
    assertThat(s.read()).isEqualTo(3);
    assertThat(s.candidates()).extracting(Candidate::offset).containsExactly(2L, 4L);
    assertThat(s.candidates()).extracting(Candidate::slice).containsOnly("moved");
    assertThat(s.skipped()).containsExactly(Map.entry(Skip.REPLICATED, 1L));
    assertThat(s.minTimestamp()).isEqualTo(1002);
  }

  @Test
  void aDerivedRangeWithoutRecordsOfTheRequestIsEmpty() {
    RangeTally t = derived(false, -1);
    raw(t, 0);
    replicated(t, 1, 2);
    PartitionSurvey s = t.finish();
    assertThat(s.range()).isNull();
    assertThat(s.candidates()).isEmpty();
    assertThat(s.read()).isZero();
  }

  @Test
  void aRecordWithoutProvenanceInsideTheRangeFailsAndOutsideItDoesNot() {
    RangeTally outside = derived(false, -1);
    raw(outside, 0);
    targetOnly(outside, 1);
    raw(outside, 2);
    assertThat(outside.finish().range()).isEqualTo(new OffsetRange(1, 2));

    RangeTally inside = derived(false, -1);
    targetOnly(inside, 1);
    raw(inside, 2);
    assertThatThrownBy(() -> targetOnly(inside, 3)).isInstanceOfSatisfying(ReconcileFailure.class, f -> {
      assertThat(f.kind()).isEqualTo(ReconcileFailure.Kind.MISSING_PROVENANCE);
      assertThat(f.getMessage()).contains("offset 2", "orders-1", "Nothing was written", "targetOffsets");
    });
  }

  @Test
  void inAGivenRangeEveryRecordCounts() {
    RangeTally t = new RangeTally(TP, CLASSIFIER, SCOPE, new OffsetRange(10, 20), false, -1);
    replicated(t, 10, 1);
    targetOnly(t, 11);
    PartitionSurvey s = t.finish();
    assertThat(s.range()).isEqualTo(new OffsetRange(10, 20));
    assertThat(s.read()).isEqualTo(2);
    assertThat(s.skipped()).containsExactly(Map.entry(Skip.REPLICATED, 1L));
    assertThatThrownBy(() -> raw(t, 12)).isInstanceOfSatisfying(ReconcileFailure.class,
        f -> assertThat(f.kind()).isEqualTo(ReconcileFailure.Kind.MISSING_PROVENANCE));
  }

  @Test
  void missingOffsetsInsideTheRangeOfACompactedTopicAreAGap() {
    RangeTally plain = derived(false, -1);
    targetOnly(plain, 1);
    targetOnly(plain, 5);
    assertThat(plain.finish().candidates()).hasSize(2);

    RangeTally compactedBefore = derived(true, -1);
    replicated(compactedBefore, 0, 1);
    targetOnly(compactedBefore, 4);
    assertThat(compactedBefore.finish().range()).isEqualTo(new OffsetRange(4, 5));

    RangeTally compacted = derived(true, -1);
    targetOnly(compacted, 1);
    assertThatThrownBy(() -> targetOnly(compacted, 5)).isInstanceOfSatisfying(ReconcileFailure.class, f -> {
      assertThat(f.kind()).isEqualTo(ReconcileFailure.Kind.GAP);
      assertThat(f.getMessage()).contains("offsets 2..4", "compacted");
    });
  }

  @Test
  void aDerivedRangeReadFromARaisedLogStartFailsWhenTheFirstRecordIsAlreadyOfTheEpochs() {
    RangeTally older = derived(false, 7);
    replicated(older, 7, 1);
    targetOnly(older, 8);
    assertThat(older.finish().candidates()).hasSize(1);

    RangeTally raised = derived(false, 7);
    assertThatThrownBy(() -> replicated(raised, 7, 2)).isInstanceOfSatisfying(ReconcileFailure.class, f -> {
      assertThat(f.kind()).isEqualTo(ReconcileFailure.Kind.GAP);
      assertThat(f.getMessage()).contains("starts at offset 7", "epoch 2");
    });
  }

  @Test
  void aTargetOnlyRecordWhoseKeyTheDocumentGivesToTheSourceFails() {
    RangeTally t = derived(false, -1);
    assertThatThrownBy(() -> t.accept(3, REST, headers("cloud/2/orders/moved", 3), 0))
        .isInstanceOfSatisfying(ReconcileFailure.class, f -> {
          assertThat(f.kind()).isEqualTo(ReconcileFailure.Kind.SLICE_NOT_ON_TARGET);
          assertThat(f.getMessage()).contains("offset 3", "epoch 2", "'onprem'");
        });
  }
}
