package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcileComparisonTest {

  private static final ReconcileComparison.Results RESULTS = new ReconcileComparison.Results(
      new ReconcileComparison.Settings(3, 1000, 100, 3),
      Map.of(ReconcileComparison.RAW, List.of(100.0, 200.0, 400.0),
          ReconcileComparison.RECONCILE, List.of(50.0, 150.0, 100.0)));

  @Test
  void theRatioIsTakenPerRound() {
    assertThat(RESULTS.ratio().median()).isEqualTo(0.5);
    assertThat(RESULTS.ratio().min()).isEqualTo(0.25);
    assertThat(RESULTS.ratio().max()).isEqualTo(0.75);
    assertThat(RESULTS.rate(ReconcileComparison.RAW).median()).isEqualTo(200.0);
  }

  @Test
  void theSectionNamesTheSettingsAndTheRatio() {
    String section = ReconcileComparison.render(RESULTS);
    assertThat(section).contains("3 round(s)", "1,000 target-only records of 100 B in 3 partitions", "apply/raw",
        "| 200 |");
  }
}
