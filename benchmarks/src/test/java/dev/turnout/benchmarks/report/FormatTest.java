package dev.turnout.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FormatTest {

  @Test
  void fixedAndCountAreLocaleIndependent() {
    assertThat(Format.fixed(1234.5678, 2)).isEqualTo("1234.57");
    assertThat(Format.fixed(0.5, 0)).isEqualTo("1");
    assertThat(Format.count(1234567.4)).isEqualTo("1,234,567");
  }

  @Test
  void missingValuesAreSpelledOut() {
    assertThat(Format.fixed(Double.NaN, 1)).isEqualTo("n/a");
    assertThat(Format.count(Double.POSITIVE_INFINITY)).isEqualTo("n/a");
    assertThat(Format.medianRange(Stats.of(), 2)).isEqualTo("n/a");
    assertThat(Format.change(1, 0)).isEqualTo("n/a");
  }

  @Test
  void medianRangeShowsMedianMinAndMax() {
    assertThat(Format.medianRange(Stats.of(0.99, 0.95, 0.97), 2)).isEqualTo("0.97 (0.95-0.99)");
  }

  @Test
  void changeIsSignedPercent() {
    assertThat(Format.change(68, 100)).isEqualTo("-32.0%");
    assertThat(Format.change(105, 100)).isEqualTo("+5.0%");
  }

  @Test
  void millisFromNanos() {
    assertThat(Format.millis(12_345_678)).isEqualTo("12.3");
  }
}
