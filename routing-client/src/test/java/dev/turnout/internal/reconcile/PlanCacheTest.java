package dev.turnout.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PlanCacheTest {

  private static final TopicPartition TP = new TopicPartition("orders", 0);

  private static Scope scope(long toEpoch, Map<TopicPartition, OffsetRange> offsets, Instant since,
      int movedBelow) {
    return new Scope("orders", null, 1, toEpoch,
        new EpochDocuments(List.of(Docs.mirror(1), Docs.split(2, movedBelow))), offsets, since);
  }

  private static PlanCache.Entry entry(PartitionTask task, long surveyedTo) {
    PlanCache.Entry e = new PlanCache.Entry(task, null);
    e.surveyedTo = surveyedTo;
    return e;
  }

  @Test
  void theSameRequestBuiltAgainKeepsTheEntriesAndAnyOtherRequestDropsThem() {
    PlanCache cache = new PlanCache();
    Scope first = scope(2, Map.of(), null, 2000);
    cache.entries(first).put(TP, entry(new PartitionTask(TP, 0, 10, null, false, -1), 10));

    assertThat(cache.entries(scope(2, Map.of(), null, 2000))).containsKey(TP);
    assertThat(cache.entries(scope(2, Map.of(), null, 3000))).as("another document").isEmpty();
    cache.entries(first).put(TP, entry(new PartitionTask(TP, 0, 10, null, false, -1), 10));
    assertThat(cache.entries(scope(3, Map.of(), null, 2000))).as("other epochs").isEmpty();
    cache.entries(first).put(TP, entry(new PartitionTask(TP, 0, 10, null, false, -1), 10));
    assertThat(cache.entries(scope(2, Map.of(), Instant.ofEpochMilli(5), 2000))).as("a since").isEmpty();
    cache.entries(first).put(TP, entry(new PartitionTask(TP, 0, 10, null, false, -1), 10));
    assertThat(cache.entries(scope(2, Map.of(TP, new OffsetRange(0, 10)), null, 2000))).as("ranges").isEmpty();
    cache.entries(first).put(TP, entry(new PartitionTask(TP, 0, 10, null, false, -1), 10));
    cache.clear();
    assertThat(cache.entries(first)).isEmpty();
  }

  @Test
  void aTallyContinuesOnlyFromTheSameStartUpToAnEndNotMovedBackAndNeverOnACompactedTopic() {
    PlanCache.Entry e = entry(new PartitionTask(TP, 4, 10, null, false, 4), 10);

    assertThat(e.resumable(new PartitionTask(TP, 4, 25, null, false, 4))).isTrue();
    assertThat(e.resumable(new PartitionTask(TP, 4, 10, null, false, 4))).isTrue();
    assertThat(e.resumable(new PartitionTask(TP, 6, 25, null, false, 6))).as("log start moved").isFalse();
    assertThat(e.resumable(new PartitionTask(TP, 4, 9, null, false, 4))).as("end moved back").isFalse();
    assertThat(e.resumable(new PartitionTask(TP, 4, 25, null, true, 4))).as("compacted").isFalse();
    assertThat(e.resumable(new PartitionTask(TP, 4, 25, new OffsetRange(4, 25), false, -1))).isFalse();
  }

  @Test
  void theSourceSearchContinuesOnlyWhileTheSourceLogStartStaysAndItsEndDoesNotMoveBack() {
    PlanCache.Entry e = entry(new PartitionTask(TP, 0, 10, null, false, -1), 10);
    assertThat(e.sourceValid(0, 100)).as("never searched").isFalse();
    e.searchedTo = 100;
    e.sourceLogStart = 0;

    assertThat(e.sourceValid(0, 100)).isTrue();
    assertThat(e.sourceValid(0, 150)).isTrue();
    assertThat(e.sourceValid(7, 150)).as("log start moved").isFalse();
    assertThat(e.sourceValid(0, 99)).as("truncated").isFalse();
    e.resetSource();
    assertThat(e.searchedTo).isEqualTo(-1);
    assertThat(e.candidatesSearched).isZero();
    assertThat(e.found).isEmpty();
  }
}
