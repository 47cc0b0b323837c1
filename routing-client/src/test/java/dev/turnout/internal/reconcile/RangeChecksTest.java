package dev.turnout.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RangeChecksTest {

  private static final TopicPartition TP = new TopicPartition("orders", 0);

  @Test
  void aRangeInsideTheLogPasses() {
    assertThatCode(() -> RangeChecks.checkGiven(TP, new OffsetRange(5, 10), 5, 10)).doesNotThrowAnyException();
    assertThatCode(() -> RangeChecks.checkGiven(TP, new OffsetRange(3, 3), 5, 10)).doesNotThrowAnyException();
  }

  @Test
  void aRangeStartingBelowTheLogStartIsAGap() {
    assertThatThrownBy(() -> RangeChecks.checkGiven(TP, new OffsetRange(2, 10), 5, 10))
        .isInstanceOfSatisfying(ReconcileFailure.class, f -> {
          org.assertj.core.api.Assertions.assertThat(f.kind()).isEqualTo(ReconcileFailure.Kind.GAP);
          org.assertj.core.api.Assertions.assertThat(f.getMessage()).contains("orders-0", "starts at offset 5",
              "records 2..4");
        });
  }

  @Test
  void aRangeEndingBeyondTheEndIsInvalid() {
    assertThatThrownBy(() -> RangeChecks.checkGiven(TP, new OffsetRange(5, 11), 5, 10))
        .isInstanceOfSatisfying(ReconcileFailure.class, f -> org.assertj.core.api.Assertions.assertThat(f.kind())
            .isEqualTo(ReconcileFailure.Kind.INVALID_RANGE));
    assertThatThrownBy(() -> new OffsetRange(5, 4)).isInstanceOf(IllegalArgumentException.class);
  }
}
