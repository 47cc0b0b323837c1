package dev.turnout.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TargetCheckTest {

  @Test
  void atMostIsMetAtOrBelowTheLimit() {
    assertThat(TargetCheck.atMost("t", 50, 50, "m", "ns", 1).status()).isEqualTo(TargetCheck.Status.MET);
    TargetCheck missed = TargetCheck.atMost("t", 62.5, 50, "m", "ns/op", 1);
    assertThat(missed.status()).isEqualTo(TargetCheck.Status.MISSED);
    assertThat(missed.gap()).isEqualTo("12.5 ns/op over");
  }

  @Test
  void atLeastIsMetAtOrAboveTheLimit() {
    assertThat(TargetCheck.atLeast("t", 0.97, 0.97, "m", "", 3).status()).isEqualTo(TargetCheck.Status.MET);
    TargetCheck missed = TargetCheck.atLeast("t", 0.93, 0.95, "m", "", 3);
    assertThat(missed.status()).isEqualTo(TargetCheck.Status.MISSED);
    assertThat(missed.gap()).isEqualTo("0.020 short");
  }

  @Test
  void aMissingSampleIsNotMeasuredRatherThanMet() {
    TargetCheck check = TargetCheck.atMost("t", Double.NaN, 50, "m", "ns", 1);
    assertThat(check.status()).isEqualTo(TargetCheck.Status.NOT_MEASURED);
    assertThat(TargetCheck.atLeast("t", Double.NaN, 1, "m", "", 1).status())
        .isEqualTo(TargetCheck.Status.NOT_MEASURED);
  }

  @Test
  void notMeasuredCarriesTheReason() {
    TargetCheck check = TargetCheck.notMeasured("consumer", "not in this build");
    assertThat(check.gap()).isEqualTo("not in this build");
    assertThat(check.measured()).isEqualTo("-");
    assertThat(check.status()).hasToString("not measured");
  }
}
