package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.internal.consumer.CommitStamp.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CommitStampTest {

  @Test
  void aCommitRoundTripsWithTheApplicationsMetadata() {
    String metadata = CommitStamp.commit(12, "app:data:with:colons");
    CommitStamp stamp = CommitStamp.parse(metadata);
    assertThat(stamp.stamped()).isTrue();
    assertThat(stamp.epoch()).isEqualTo(12);
    assertThat(stamp.kind()).isEqualTo(Kind.COMMIT);
    assertThat(stamp.handoverMillis()).isEqualTo(-1);
    assertThat(stamp.applicationMetadata()).isEqualTo("app:data:with:colons");
    assertThat(CommitStamp.applicationMetadata(metadata)).isEqualTo("app:data:with:colons");
  }

  @Test
  void aHandoverCarriesItsTime() {
    CommitStamp stamp = CommitStamp.parse(CommitStamp.handover(3, 1_700_000_000_123L, null));
    assertThat(stamp.kind()).isEqualTo(Kind.HANDOVER);
    assertThat(stamp.epoch()).isEqualTo(3);
    assertThat(stamp.handoverMillis()).isEqualTo(1_700_000_000_123L);
    assertThat(stamp.applicationMetadata()).isEmpty();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"plain", "turnout:", "turnout:x:c:", "turnout:1", "turnout:1:c", "turnout:-2:c:",
      "turnout:1:z:", "turnout:1:hx:", "turnout:1:h:"})
  void anythingElseIsUnstampedAndKeptAsTheApplicationsMetadata(String metadata) {
    CommitStamp stamp = CommitStamp.parse(metadata);
    assertThat(stamp.stamped()).isFalse();
    assertThat(stamp.epoch()).isEqualTo(-1);
    assertThat(stamp.kind()).isEqualTo(Kind.COMMIT);
    assertThat(stamp.applicationMetadata()).isEqualTo(metadata == null ? "" : metadata);
  }

  @Test
  void ordersByEpochThenHandoverBeforeCommit() {
    CommitStamp handover5 = CommitStamp.parse(CommitStamp.handover(5, 1, ""));
    CommitStamp commit5 = CommitStamp.parse(CommitStamp.commit(5, ""));
    CommitStamp commit4 = CommitStamp.parse(CommitStamp.commit(4, ""));
    assertThat(commit4).isLessThan(handover5);
    assertThat(handover5).isLessThan(commit5);
    assertThat(CommitStamp.UNSTAMPED).isLessThan(commit4);
    assertThat(CommitStamp.parse("x").compareTo(CommitStamp.UNSTAMPED)).isZero();
  }

  @Test
  void negativeEpochsAreRejected() {
    assertThatThrownBy(() -> CommitStamp.commit(-1, "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CommitStamp.handover(-1, 0, "")).isInstanceOf(IllegalArgumentException.class);
  }
}
