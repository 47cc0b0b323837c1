package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the consumer comparison turns per-round reads into ratios, targets and tables. */
class ConsumerComparisonTest {

  private static ConsumerComparison.Results results() {
    Map<String, List<ConsumerComparison.Read>> byVariant = new LinkedHashMap<>();
    byVariant.put(ProducerComparison.RAW, List.of(new ConsumerComparison.Read(1_000_000, 0.7, 1.0),
        new ConsumerComparison.Read(800_000, 0.8, 1.2)));
    byVariant.put(ProducerComparison.ROUTED, List.of(new ConsumerComparison.Read(950_000, 0.7, 1.25),
        new ConsumerComparison.Read(800_000, 0.9, 1.2)));
    byVariant.put(ProducerComparison.RAW_AA, List.of(new ConsumerComparison.Read(1_100_000, 0.7, 1.0),
        new ConsumerComparison.Read(720_000, 0.8, 1.5)));
    return new ConsumerComparison.Results(Map.of(100, byVariant));
  }

  @Test
  void ratiosAreTakenRoundByRound() {
    ConsumerComparison.Results r = results();
    assertThat(r.ratio(100, ProducerComparison.ROUTED).min()).isCloseTo(0.95, within(1e-9));
    assertThat(r.ratio(100, ProducerComparison.ROUTED).max()).isCloseTo(1.0, within(1e-9));
    assertThat(r.ratio(100, ProducerComparison.RAW_AA).min()).isCloseTo(0.9, within(1e-9));
    // raw/routed CPU per record: 1.0/1.25 = 0.8 and 1.2/1.2 = 1.0
    assertThat(r.cpuRatio(100, ProducerComparison.ROUTED).median()).isCloseTo(0.9, within(1e-9));
    assertThat(r.cpuRatio(100, ProducerComparison.RAW_AA).min()).isCloseTo(0.8, within(1e-9));
  }

  @Test
  void theTargetIsTheMedianRatioAndTheTablesShowTheCpuPerRecord() {
    ConsumerComparison.Results r = results();
    assertThat(ConsumerComparison.targets(r)).singleElement().satisfies(check -> {
      assertThat(check.status()).isEqualTo(dev.turnout.benchmarks.report.TargetCheck.Status.MISSED); // 0.975 < 0.98
      assertThat(check.gap()).contains("0.005 short");
      assertThat(check.measured()).contains("median 0.975 (0.950-1.000) over 2 rounds")
          .contains("process CPU per record raw/routed 0.900 (0.800-1.000)");
    });
    String markdown = ConsumerComparison.render(r);
    assertThat(markdown).contains("| 100 B | 900,000 | 875,000 | 0.975 (0.950-1.000) | 1.000 (0.900-1.100) | "
        + "0.900 (0.800-1.000) | 0.900 (0.800-1.000) |");
    assertThat(markdown).contains("| 100 B | 0.750 -> 0.800 | 1.100 -> 1.225 |");
  }
}
