package dev.turnout.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfOddAndEvenSamples() {
    assertThat(Stats.of(5, 1, 3).median()).isEqualTo(3);
    assertThat(Stats.of(4, 1, 3, 2).median()).isEqualTo(2.5);
    assertThat(Stats.of(7).median()).isEqualTo(7);
  }

  @Test
  void percentilesAreNearestRank() {
    double[] values = new double[100];
    for (int i = 0; i < 100; i++) {
      values[i] = 100 - i; // 100..1, unsorted on purpose
    }
    Stats stats = Stats.of(values);
    assertThat(stats.percentile(99)).isEqualTo(99);
    assertThat(stats.percentile(50)).isEqualTo(50);
    assertThat(stats.percentile(100)).isEqualTo(100);
    assertThat(stats.percentile(0)).isEqualTo(1);
    assertThat(Stats.of(10, 20).percentile(99)).isEqualTo(20);
    assertThat(Stats.of(10, 20, 30, 40).percentile(50)).isEqualTo(20);
  }

  @Test
  void minMaxMeanAndCount() {
    Stats stats = Stats.of(List.of(2, 8, 5));
    assertThat(stats.min()).isEqualTo(2);
    assertThat(stats.max()).isEqualTo(8);
    assertThat(stats.mean()).isEqualTo(5);
    assertThat(stats.count()).isEqualTo(3);
    assertThat(stats.isEmpty()).isFalse();
  }

  @Test
  void longSamplesUseOnlyTheGivenCount() {
    Stats stats = Stats.ofLongs(new long[] {30, 10, 20, 999}, 3);
    assertThat(stats.count()).isEqualTo(3);
    assertThat(stats.max()).isEqualTo(30);
  }

  @Test
  void emptySampleReportsNaN() {
    Stats empty = Stats.of();
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.median()).isNaN();
    assertThat(empty.percentile(99)).isNaN();
    assertThat(empty.min()).isNaN();
    assertThat(empty.max()).isNaN();
    assertThat(empty.mean()).isNaN();
  }

  @Test
  void inputIsCopied() {
    double[] values = {3, 1, 2};
    Stats stats = Stats.of(values);
    values[0] = 100;
    assertThat(stats.max()).isEqualTo(3);
  }

  @Test
  void percentileOutsideZeroToHundredIsRejected() {
    assertThatThrownBy(() -> Stats.of(1).percentile(101)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Stats.of(1).percentile(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
