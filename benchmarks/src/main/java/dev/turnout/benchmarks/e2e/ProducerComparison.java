package dev.turnout.benchmarks.e2e;

import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.report.TargetCheck;
import dev.turnout.benchmarks.workload.HeaderEncoding;
import dev.turnout.benchmarks.workload.Payloads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleBiFunction;
import java.util.function.ToDoubleFunction;

/**
 * RoutingProducer against a raw KafkaProducer that sends the same two provenance headers, and against a
 * second raw KafkaProducer (an A/A pair that shows the noise floor), on one in-process broker, in the same
 * JVM, for 100 B and 1 KiB values: saturated throughput as ratios (per round, the three producers take turns
 * in short alternating slices), then latency at a fixed offered rate (the three producers sending at the same
 * time, each a third of the rate, so that they sit through the same stalls).
 */
public final class ProducerComparison {

  /**
   * @param rounds throughput rounds (new producers and topics each)
   * @param warmup warmup of each round, the producers taking turns
   * @param settle start of each turn, not counted (the previous producer drains, this one fills up)
   * @param slice measured part of each turn
   * @param cycles turns of each producer per round
   * @param latencyRounds latency rounds (new producers and topics each)
   * @param latencyWarmup start of each latency round, not counted
   * @param latencyWindow measured time of each latency round, the producers sending at the same time
   * @param latencyLoad offered rate of the latency runs, all producers together, as a fraction of the lowest
   *     median throughput of the three producers
   * @param partitions partitions of every topic
   * @param valueSizes value sizes in bytes
   */
  public record Settings(int rounds, Duration warmup, Duration settle, Duration slice, int cycles, int latencyRounds,
      Duration latencyWarmup, Duration latencyWindow, double latencyLoad, int partitions, List<Integer> valueSizes) {}

  /** Discarded rounds (every value size) before the measured ones. */
  static final int WARMUP_ROUNDS = 2;

  static final String RAW = "raw";
  static final String ROUTED = "routed";
  static final String RAW_AA = "raw (A/A)";

  /** Results per value size. */
  public record Results(Map<Integer, SizeResult> bySize, Settings settings) {}

  /** Per value size: every round's throughput per variant, and latency samples per variant and round. */
  public record SizeResult(int valueSize, Map<String, List<Measurements.Throughput>> throughput,
      Map<String, List<Stats>> latency, double offeredRate) {

    Stats recordsPerSecond(String variant) {
      return Stats.of(throughput.get(variant).stream().map(Measurements.Throughput::recordsPerSecond).toList());
    }

    /** Per-round ratio of {@code variant} to raw (same round). */
    Stats ratio(String variant) {
      return perRound(throughput.get(RAW), throughput.get(variant),
          (raw, other) -> other.recordsPerSecond() / raw.recordsPerSecond());
    }

    /** Per-round medians of one CPU figure (microseconds per record) of {@code variant}. */
    Stats cpu(String variant, ToDoubleFunction<Measurements.Throughput> figure) {
      return Stats.of(throughput.get(variant).stream().map(figure::applyAsDouble).toList());
    }

    /**
     * Per-round ratio of raw's process CPU per record to {@code variant}'s: the throughput ratio to expect
     * when the machine's cores are the limit, independent of how much of the machine each turn got.
     */
    Stats cpuRatio(String variant) {
      return perRound(throughput.get(RAW), throughput.get(variant),
          (raw, other) -> raw.processCpuMicros() / other.processCpuMicros());
    }

    /** The median over rounds of each round's latency percentile. */
    double latencyPercentile(String variant, double p) {
      return Stats.of(latency.get(variant).stream().map(s -> s.percentile(p)).toList()).median();
    }

    /** Per-round ratio of a latency percentile of {@code variant} to raw's. */
    Stats latencyRatio(String variant, double p) {
      return perRound(latency.get(RAW), latency.get(variant), (raw, other) -> other.percentile(p) / raw.percentile(p));
    }
  }

  /** One figure per round from raw's and another variant's result of that round, over the rounds both have. */
  static <T> Stats perRound(List<T> raw, List<T> other, ToDoubleBiFunction<T, T> figure) {
    double[] values = new double[Math.min(raw.size(), other.size())];
    for (int r = 0; r < values.length; r++) {
      values[r] = figure.applyAsDouble(raw.get(r), other.get(r));
    }
    return Stats.of(values);
  }

  private final BenchBroker broker;
  private final Settings settings;
  private final Path workDir;
  private final Consumer<String> progress;

  public ProducerComparison(BenchBroker broker, Settings settings, Path workDir, Consumer<String> progress) {
    this.broker = broker;
    this.settings = settings;
    this.workDir = workDir;
    this.progress = progress;
  }

  /** Runs every round; takes about rounds x sizes x 3 x (warmup + window + 1 s), plus the latency rounds. */
  public Results run() {
    List<Variant> variants = List.of(
        Variant.raw(RAW, broker.bootstrapServers(), HeaderEncoding.TWO_HEADERS),
        Variant.routed(ROUTED, broker.bootstrapServers(), workDir.resolve("producer-authority.properties")),
        Variant.raw(RAW_AA, broker.bootstrapServers(), HeaderEncoding.TWO_HEADERS));
    Map<Integer, SizeResult> bySize = new LinkedHashMap<>();
    for (int size : settings.valueSizes()) {
      Map<String, List<Measurements.Throughput>> throughput = new LinkedHashMap<>();
      Map<String, List<Stats>> latency = new LinkedHashMap<>();
      for (Variant v : variants) {
        throughput.put(v.name(), new ArrayList<>());
        latency.put(v.name(), new ArrayList<>());
      }
      bySize.put(size, new SizeResult(size, throughput, latency, Double.NaN));
    }
    int clientSeq = 0;
    // Discarded rounds first, each as long as a measured one: the first measurements in a fresh JVM run partly
    // interpreted, and the broker's request path warms up too. After a single one, the next round still ran
    // at about half the later throughput for all three producers.
    for (int warm = 0; warm < WARMUP_ROUNDS; warm++) {
      for (int size : settings.valueSizes()) {
        Payloads payloads = new Payloads(size, 4096, size + warm);
        measureRound(variants, payloads, "bench-warmup-", clientSeq, settings.cycles());
        clientSeq += variants.size();
      }
    }
    progress.accept("producer: JVM warm-up rounds done");
    for (int round = 0; round < settings.rounds(); round++) {
      for (int size : settings.valueSizes()) {
        Payloads payloads = new Payloads(size, 4096, 1000L * size + round);
        List<Measurements.Throughput> results = measureRound(variants, payloads, "bench-", clientSeq,
            settings.cycles());
        clientSeq += variants.size();
        StringBuilder line = new StringBuilder(String.format("producer round %d, %d B:", round + 1, size));
        for (int v = 0; v < variants.size(); v++) {
          Measurements.Throughput t = results.get(v);
          bySize.get(size).throughput().get(variants.get(v).name()).add(t);
          line.append(String.format(" %s %,.0f records/s;", variants.get(v).name(), t.recordsPerSecond()));
        }
        progress.accept(line.toString());
      }
    }
    Map<Integer, SizeResult> withLatency = new LinkedHashMap<>();
    for (SizeResult sizeResult : bySize.values()) {
      double slowest = variants.stream().mapToDouble(v -> sizeResult.recordsPerSecond(v.name()).median()).min()
          .orElseThrow();
      double ratePerProducer = settings.latencyLoad() * slowest / variants.size();
      SizeResult r = new SizeResult(sizeResult.valueSize(), sizeResult.throughput(), sizeResult.latency(),
          ratePerProducer);
      Payloads payloads = new Payloads(r.valueSize(), 4096, 77L * r.valueSize());
      for (int round = 0; round < settings.latencyRounds(); round++) {
        // Created, started and staggered in an order rotated per round, so that none is always first.
        List<Variant> order = rotate(variants, round);
        List<long[]> samples = Measurements.withContenders(broker, order, "none", payloads,
            settings.partitions(), "bench-", clientSeq, contenders -> Measurements.concurrentLatencies(contenders,
                ratePerProducer, settings.latencyWarmup(), settings.latencyWindow()));
        clientSeq += variants.size();
        StringBuilder line = new StringBuilder(String.format("latency round %d, %d B at %,.0f records/s each:",
            round + 1, r.valueSize(), ratePerProducer));
        for (int v = 0; v < order.size(); v++) {
          Stats stats = Stats.ofLongs(samples.get(v), samples.get(v).length);
          r.latency().get(order.get(v).name()).add(stats);
          line.append(String.format(" %s p50 %.1f ms, p99 %.1f ms;", order.get(v).name(),
              stats.percentile(50) / 1e6, stats.percentile(99) / 1e6));
        }
        progress.accept(line.toString());
      }
      withLatency.put(r.valueSize(), r);
    }
    return new Results(withLatency, settings);
  }

  /** One throughput round of every variant, uncompressed; results in the order of {@code variants}. */
  private List<Measurements.Throughput> measureRound(List<Variant> variants, Payloads payloads, String clientPrefix,
      int firstClient, int cycles) {
    return Measurements.interleavedRound(broker, variants, "none", payloads, settings.partitions(), clientPrefix,
        firstClient, settings.warmup(), settings.settle(), settings.slice(), cycles);
  }

  static <T> List<T> rotate(List<T> items, int by) {
    List<T> rotated = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      rotated.add(items.get((i + by) % items.size()));
    }
    return rotated;
  }

  /** The Markdown section of these results. */
  public static String render(Results results) {
    StringBuilder out = new StringBuilder();
    MarkdownTable throughput = new MarkdownTable("value", "raw records/s", "routed records/s", "routed/raw",
        "A/A raw/raw", "process CPU per record raw/routed", "A/A");
    for (SizeResult r : results.bySize().values()) {
      throughput.row(size(r.valueSize()), Format.count(r.recordsPerSecond(RAW).median()),
          Format.count(r.recordsPerSecond(ROUTED).median()), Format.medianRange(r.ratio(ROUTED), 3),
          Format.medianRange(r.ratio(RAW_AA), 3), Format.medianRange(r.cpuRatio(ROUTED), 3),
          Format.medianRange(r.cpuRatio(RAW_AA), 3));
    }
    out.append(throughput.render()).append('\n');
    MarkdownTable cpu = new MarkdownTable("value", "application thread", "client I/O thread", "broker threads",
        "GC and JIT", "process");
    for (SizeResult r : results.bySize().values()) {
      cpu.row(size(r.valueSize()), cpuCell(r, Measurements.Throughput::appCpuMicros),
          cpuCell(r, Measurements.Throughput::ioCpuMicros), cpuCell(r, Measurements.Throughput::brokerCpuMicros),
          cpuCell(r, Measurements.Throughput::unattributedCpuMicros),
          cpuCell(r, Measurements.Throughput::processCpuMicros));
    }
    out.append("CPU microseconds per record, raw -> routed (medians over rounds):\n\n").append(cpu.render())
        .append('\n');
    MarkdownTable latency = new MarkdownTable("value", "records/s offered by each", "raw p50 / p99 ms",
        "routed p50 / p99 ms", "routed/raw p99", "A/A p99 ratio");
    for (SizeResult r : results.bySize().values()) {
      latency.row(size(r.valueSize()), Format.count(r.offeredRate()),
          Format.millis(r.latencyPercentile(RAW, 50)) + " / " + Format.millis(r.latencyPercentile(RAW, 99)),
          Format.millis(r.latencyPercentile(ROUTED, 50)) + " / " + Format.millis(r.latencyPercentile(ROUTED, 99)),
          Format.medianRange(r.latencyRatio(ROUTED, 99), 3), Format.medianRange(r.latencyRatio(RAW_AA, 99), 3));
    }
    out.append(latency.render());
    return out.toString();
  }

  /** Throughput ratio and p99 latency targets. */
  public static List<TargetCheck> targets(Results results) {
    List<TargetCheck> checks = new ArrayList<>();
    for (SizeResult r : results.bySize().values()) {
      double limit = r.valueSize() >= 1024 ? 0.97 : 0.95;
      Stats ratio = r.ratio(ROUTED);
      checks.add(TargetCheck.atLeast("Producer throughput routed/raw >= " + limit + " at " + size(r.valueSize()),
          ratio.median(), limit, "median " + Format.medianRange(ratio, 3) + " over " + ratio.count()
              + " rounds; A/A " + Format.medianRange(r.ratio(RAW_AA), 3) + "; process CPU per record raw/routed "
              + Format.medianRange(r.cpuRatio(ROUTED), 3), "", 3));
      Stats p99 = r.latencyRatio(ROUTED, 99);
      checks.add(TargetCheck.atMost("Producer p99 latency routed within 5% of raw at " + size(r.valueSize()),
          p99.median(), 1.05, "p99 ratio " + Format.medianRange(p99, 3) + "; A/A "
              + Format.medianRange(r.latencyRatio(RAW_AA, 99), 3), "", 3));
    }
    return checks;
  }

  private static String cpuCell(SizeResult r, ToDoubleFunction<Measurements.Throughput> figure) {
    return Format.fixed(r.cpu(RAW, figure).median(), 2) + " -> " + Format.fixed(r.cpu(ROUTED, figure).median(), 2);
  }

  static String size(int bytes) {
    return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
  }
}
