package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.internal.consumer.PositionDecision.Action;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

class PositionDecisionTest {

  private static OffsetAndMetadata commit(long offset, long epoch) {
    return new OffsetAndMetadata(offset, CommitStamp.commit(epoch, ""));
  }

  private static OffsetAndMetadata handover(long offset, long epoch) {
    return new OffsetAndMetadata(offset, CommitStamp.handover(epoch, 1000, ""));
  }

  private static OffsetAndMetadata plain(long offset) {
    return new OffsetAndMetadata(offset);
  }

  @Test
  void noCommitsAnywhereContinuesWithTheResetPolicy() {
    assertThat(PositionDecision.decide(null, null, 3, false).action()).isEqualTo(Action.CONTINUE);
  }

  @Test
  void aCommitOnlyOnTheReadClusterContinues() {
    assertThat(PositionDecision.decide(commit(10, 2), null, 3, false).action()).isEqualTo(Action.CONTINUE);
    assertThat(PositionDecision.decide(plain(10), null, 3, false).action()).isEqualTo(Action.CONTINUE);
  }

  @Test
  void aHandoverNewerThanTheReadClustersCommitStartsTheBoundarySearchFromIt() {
    PositionDecision d = PositionDecision.decide(commit(5, 1), handover(40, 2), 2, false);
    assertThat(d.action()).isEqualTo(Action.BOUNDARY);
    assertThat(d.otherOffset()).isEqualTo(40);
    assertThat(d.otherStamp().handoverMillis()).isEqualTo(1000);
    assertThat(PositionDecision.decide(null, handover(40, 2), 2, false).action()).isEqualTo(Action.BOUNDARY);
  }

  @Test
  void theBoundaryCommitOnTheReadClusterOutranksTheHandoverOfTheSameEpoch() {
    assertThat(PositionDecision.decide(commit(41, 2), handover(40, 2), 2, false).action()).isEqualTo(Action.CONTINUE);
  }

  @Test
  void theOtherClusterStillConsumingMeansWaitForItsHandover() {
    assertThat(PositionDecision.decide(null, commit(40, 1), 2, false).action()).isEqualTo(Action.AWAIT_HANDOVER);
    assertThat(PositionDecision.decide(handover(7, 1), commit(40, 1), 2, true).action())
        .as("rolled back at epoch 1, consumed there since").isEqualTo(Action.AWAIT_HANDOVER);
  }

  @Test
  void evidenceOfANewerEpochMeansTheConsumerIsBehind() {
    assertThat(PositionDecision.decide(handover(40, 5), null, 4, true).action()).isEqualTo(Action.BEHIND);
    assertThat(PositionDecision.decide(commit(3, 4), commit(40, 5), 4, true).action()).isEqualTo(Action.BEHIND);
  }

  @Test
  void unstampedTiesFavourTheRulesSource() {
    // A group that predates Turnout: commits on the source, MirrorMaker's offset sync on the target.
    assertThat(PositionDecision.decide(plain(30), plain(28), 1, true).action()).isEqualTo(Action.CONTINUE);
    assertThat(PositionDecision.decide(plain(28), plain(30), 1, false).action()).isEqualTo(Action.AWAIT_HANDOVER);
  }

  @Test
  void aTieAtTheConsumersEpochFavoursTheReadCluster() {
    assertThat(PositionDecision.decide(commit(3, 4), commit(9, 4), 4, false).action()).isEqualTo(Action.CONTINUE);
  }

  @Test
  void aReturnToAClusterThatHandedOverWithoutAnyoneConsumingElsewhereContinuesThere() {
    // Epoch 3 moved reads away from here (handover at 3), epoch 4 moved them back before anyone read elsewhere.
    assertThat(PositionDecision.decide(handover(50, 3), handover(20, 2), 4, false).action()).isEqualTo(Action.CONTINUE);
  }

  @Test
  void onlyACommitAtTheCurrentEpochSettlesTheDecisionWithoutTheOtherCluster() {
    assertThat(PositionDecision.readCommitSuffices(commit(1, 4), 4)).isTrue();
    assertThat(PositionDecision.readCommitSuffices(commit(1, 3), 4)).isFalse();
    assertThat(PositionDecision.readCommitSuffices(handover(1, 4), 4)).isFalse();
    assertThat(PositionDecision.readCommitSuffices(plain(1), 4)).isFalse();
    assertThat(PositionDecision.readCommitSuffices(null, 4)).isFalse();
  }
}
