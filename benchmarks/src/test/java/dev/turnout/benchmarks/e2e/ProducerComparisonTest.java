package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.turnout.benchmarks.report.Stats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the producer comparison turns per-round measurements into ratios and tables. */
class ProducerComparisonTest {

  private static Measurements.Throughput round(double recordsPerSecond, double app, double io, double broker,
      double unattributed) {
    return new Measurements.Throughput(recordsPerSecond, app + io, app, broker, unattributed, 0, 1, 0);
  }

  private static ProducerComparison.SizeResult sizeResult() {
    Map<String, List<Measurements.Throughput>> throughput = new LinkedHashMap<>();
    // Round 1: routed spends 0.4 µs more per record (1.6 vs 2.0); round 2: 0.2 µs more (1.8 vs 2.0).
    throughput.put(ProducerComparison.RAW, List.of(round(1_000_000, 0.5, 0.5, 0.5, 0.1),
        round(900_000, 0.6, 0.5, 0.6, 0.1)));
    throughput.put(ProducerComparison.ROUTED, List.of(round(700_000, 0.7, 0.6, 0.6, 0.1),
        round(850_000, 0.6, 0.7, 0.6, 0.1)));
    throughput.put(ProducerComparison.RAW_AA, List.of(round(1_100_000, 0.5, 0.5, 0.5, 0.1),
        round(800_000, 0.6, 0.5, 0.6, 0.1)));
    Map<String, List<Stats>> latency = new LinkedHashMap<>();
    for (String variant : throughput.keySet()) {
      latency.put(variant, List.of(Stats.ofLongs(new long[] {500_000, 6_000_000}, 2)));
    }
    return new ProducerComparison.SizeResult(100, throughput, latency, Double.NaN);
  }

  @Test
  void processCpuRatioIsRawOverRoutedPerRound() {
    ProducerComparison.SizeResult r = sizeResult();
    assertThat(r.cpuRatio(ProducerComparison.ROUTED).min()).isCloseTo(0.8, within(1e-9));
    assertThat(r.cpuRatio(ProducerComparison.ROUTED).max()).isCloseTo(0.9, within(1e-9));
    assertThat(r.cpuRatio(ProducerComparison.RAW_AA).median()).isCloseTo(1.0, within(1e-9));
    assertThat(r.ratio(ProducerComparison.ROUTED).min()).isCloseTo(0.7, within(1e-9));
  }

  @Test
  void theIoThreadIsTheClientMinusTheApplicationThread() {
    Measurements.Throughput t = round(1, 0.7, 0.6, 0.6, 0.1);
    assertThat(t.ioCpuMicros()).isCloseTo(0.6, within(1e-9));
    assertThat(t.processCpuMicros()).isCloseTo(2.0, within(1e-9));
  }

  @Test
  void theTablesShowTheCpuRatioAndEachThreadsShare() {
    ProducerComparison.Settings settings = new ProducerComparison.Settings(2, Duration.ofSeconds(1),
        Duration.ofMillis(100), Duration.ofMillis(300), 6, 0, Duration.ZERO, Duration.ZERO, 0.5, 3, List.of(100));
    String markdown = ProducerComparison.render(new ProducerComparison.Results(Map.of(100, sizeResult()), settings))
        .split("\n\n\\| value \\| offered")[0];
    assertThat(markdown).contains("| 100 B | 950,000 | 775,000 | 0.822 (0.700-0.944) | 0.994 (0.889-1.100) | "
        + "0.850 (0.800-0.900) | 1.000 (1.000-1.000) |");
    assertThat(markdown).contains("| 100 B | 0.55 -> 0.65 | 0.50 -> 0.65 | 0.55 -> 0.60 | 0.10 -> 0.10 | "
        + "1.70 -> 2.00 |");
  }
}
