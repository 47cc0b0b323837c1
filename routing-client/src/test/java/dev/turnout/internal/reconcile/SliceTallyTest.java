package dev.turnout.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SliceTallyTest {

  private static ByteBuffer id(int n) {
    return ByteBuffer.wrap(new byte[] {(byte) n});
  }

  @Test
  void eachSliceCountsItsRecordsThoseOnTheSourceAndItsRanges() {
    PartitionSurvey survey = new PartitionSurvey(new TopicPartition("orders", 2), new OffsetRange(10, 40), 30,
        List.of(new Candidate(id(1), "a", 300, 10, 5000), new Candidate(id(2), "b", 7000, 12, 4000),
            new Candidate(id(3), "a", 100, 20, 6000), new Candidate(id(4), "a", -1, 39, 5500)),
        Map.of());
    List<SliceTally> tallies = SliceTally.of(survey, Set.of(id(1), id(2)));
    assertThat(tallies).containsExactly(
        new SliceTally("orders", 2, "a", 3, 1, 100, 300, 10, 39, 5000, 6000),
        new SliceTally("orders", 2, "b", 1, 1, 7000, 7000, 12, 12, 4000, 4000));
  }

  @Test
  void nullKeysOnlyGiveNoBucketRangeAndAnUnslicedRuleIsDash() {
    PartitionSurvey survey = new PartitionSurvey(new TopicPartition("t", 0), new OffsetRange(0, 1), 1,
        List.of(new Candidate(id(1), null, -1, 0, 1)), Map.of());
    assertThat(SliceTally.of(survey, Set.of())).containsExactly(new SliceTally("t", 0, "-", 1, 0, -1, -1, 0, 0, 1, 1));
    assertThat(survey.minTimestamp()).isEqualTo(1);
  }
}
