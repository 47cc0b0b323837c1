package dev.turnout.benchmarks.micro;

import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.TargetCheck;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.DefaultRecord;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH micro-benchmarks of this package (decision, first lookup, stamping) with the GC profiler
 * and turns their results into tables and target checks.
 */
public final class MicroSuite {

  /** Allocation below this many bytes per operation is reported as zero (profiler noise). */
  static final double ZERO_ALLOCATION_BYTES = 0.5;
  static final String ALLOC_NORM = "gc.alloc.rate.norm";

  /**
   * JMH settings.
   *
   * @param warmupIterations warmup iterations of the time-based benchmarks
   * @param warmupMillis duration of each warmup iteration
   * @param iterations measured iterations of the time-based benchmarks
   * @param iterationMillis duration of each measured iteration
   * @param singleShotWarmups warmup invocations of the first-lookup benchmark
   * @param singleShots measured invocations of the first-lookup benchmark
   * @param forks JVM forks per benchmark
   */
  public record Settings(int warmupIterations, long warmupMillis, int iterations, long iterationMillis,
      int singleShotWarmups, int singleShots, int forks) {}

  /** One result of the decision benchmark. */
  public record Decision(int rules, String match, String decision, double meanNs, double errorNs, double medianNs,
      double bytesPerOp) {}

  /**
   * One result of the first-lookup benchmark (per topic). Its allocation is not reported: the GC profiler
   * also counts the map built before each invocation.
   */
  public record FirstLookup(int rules, double medianNs, double meanNs) {}

  /** One result of the stamping benchmark. */
  public record Stamp(String benchmark, int callerHeaders, double meanNs, double errorNs, double bytesPerOp) {}

  /** One result of the record-format benchmark: client encode or broker parse, per record. */
  public record RecordCost(String side, String encoding, double meanNs, double errorNs, double bytesPerOp) {}

  /** Everything the micro-benchmarks measured. */
  public record Results(List<Decision> decisions, List<FirstLookup> firstLookups, List<Stamp> stamps,
      List<RecordCost> recordCosts) {}

  private final Settings settings;
  private final Path jsonOutput;

  /**
   * @param jsonOutput where JMH writes its raw results (JSON; the first-lookup benchmark's go next to it,
   *     named {@code <name>-first-lookup.json}), or {@code null}
   */
  public MicroSuite(Settings settings, Path jsonOutput) {
    this.settings = settings;
    this.jsonOutput = jsonOutput;
  }

  /** Runs every micro-benchmark; takes about (number of benchmarks) x (forks) x (iterations) x time. */
  public Results run() throws RunnerException {
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(RoutingDecisionBenchmark.class.getName())
        .include(FirstLookupBenchmark.class.getName())
        .include(ProvenanceStampBenchmark.class.getName())
        .include(RecordFormatBenchmark.class.getName())
        .addProfiler(GCProfiler.class)
        .forks(settings.forks())
        .warmupIterations(settings.warmupIterations())
        .warmupTime(TimeValue.milliseconds(settings.warmupMillis()))
        .measurementIterations(settings.iterations())
        .measurementTime(TimeValue.milliseconds(settings.iterationMillis()))
        .timeUnit(TimeUnit.NANOSECONDS)
        .jvmArgsAppend("-Xms1g", "-Xmx1g")
        .shouldFailOnError(true);
    if (jsonOutput != null) {
      options.result(jsonOutput.toString()).resultFormat(ResultFormatType.JSON);
    }
    Collection<RunResult> timed = new Runner(options
        .exclude(FirstLookupBenchmark.class.getName())
        .build()).run();
    ChainedOptionsBuilder singleShot = new OptionsBuilder()
        .include(FirstLookupBenchmark.class.getName())
        .forks(settings.forks())
        .warmupIterations(settings.singleShotWarmups())
        .measurementIterations(settings.singleShots())
        .timeUnit(TimeUnit.NANOSECONDS)
        .jvmArgsAppend("-Xms1g", "-Xmx1g")
        .shouldFailOnError(true);
    if (jsonOutput != null) {
      String name = jsonOutput.getFileName().toString().replaceFirst("(\\.json)?$", "-first-lookup.json");
      singleShot.result(jsonOutput.resolveSibling(name).toString()).resultFormat(ResultFormatType.JSON);
    }
    Collection<RunResult> shots = new Runner(singleShot.build()).run();
    return collect(timed, shots);
  }

  static Results collect(Collection<RunResult> timed, Collection<RunResult> shots) {
    List<Decision> decisions = new ArrayList<>();
    List<Stamp> stamps = new ArrayList<>();
    List<RecordCost> recordCosts = new ArrayList<>();
    for (RunResult run : timed) {
      String benchmark = run.getParams().getBenchmark();
      Result<?> primary = run.getPrimaryResult();
      double bytes = allocation(run);
      if (benchmark.startsWith(RoutingDecisionBenchmark.class.getName())) {
        decisions.add(new Decision(Integer.parseInt(run.getParams().getParam("rules")), run.getParams().getParam("match"),
            run.getParams().getParam("decision"), primary.getScore(), primary.getScoreError(),
            primary.getStatistics().getPercentile(50), bytes));
      } else if (benchmark.startsWith(ProvenanceStampBenchmark.class.getName())) {
        stamps.add(new Stamp(benchmark.substring(benchmark.lastIndexOf('.') + 1),
            Integer.parseInt(run.getParams().getParam("callerHeaders")), primary.getScore(), primary.getScoreError(),
            bytes));
      } else if (benchmark.startsWith(RecordFormatBenchmark.class.getName())) {
        recordCosts.add(new RecordCost(benchmark.endsWith("clientAppend") ? "client" : "broker",
            run.getParams().getParam("encoding"), primary.getScore(), primary.getScoreError(), bytes));
      }
    }
    List<FirstLookup> firstLookups = new ArrayList<>();
    for (RunResult run : shots) {
      Result<?> primary = run.getPrimaryResult();
      firstLookups.add(new FirstLookup(Integer.parseInt(run.getParams().getParam("rules")),
          primary.getStatistics().getPercentile(50), primary.getScore()));
    }
    decisions.sort(Comparator.comparing(Decision::match).thenComparing(Decision::decision, Comparator.reverseOrder())
        .thenComparingInt(Decision::rules));
    firstLookups.sort(Comparator.comparingInt(FirstLookup::rules));
    stamps.sort(Comparator.comparing(Stamp::benchmark).reversed().thenComparingInt(Stamp::callerHeaders));
    return new Results(decisions, firstLookups, stamps, recordCosts);
  }

  private static double allocation(RunResult run) {
    Result<?> alloc = run.getSecondaryResults().get(ALLOC_NORM);
    return alloc == null ? Double.NaN : alloc.getScore();
  }

  /** Bytes of B/op for a table cell: {@code 0} below the noise threshold. */
  static String bytes(double bytesPerOp) {
    if (Double.isNaN(bytesPerOp)) {
      return "n/a";
    }
    return bytesPerOp < ZERO_ALLOCATION_BYTES ? "0" : Format.fixed(bytesPerOp, 0);
  }

  /** The decision table. */
  public static String decisionTable(Results results) {
    MarkdownTable table = new MarkdownTable("match", "decision", "rules", "median ns/op", "mean ns/op (99.9% CI)", "B/op");
    for (Decision d : results.decisions()) {
      table.row(d.match(), d.decision(), Format.count(d.rules()), Format.fixed(d.medianNs(), 1),
          Format.fixed(d.meanNs(), 1) + " +- " + Format.fixed(d.errorNs(), 1), bytes(d.bytesPerOp()));
    }
    return table.render();
  }

  /** The first-lookup table. */
  public static String firstLookupTable(Results results) {
    MarkdownTable table = new MarkdownTable("prefix rules", "median ns per topic", "mean ns per topic");
    for (FirstLookup f : results.firstLookups()) {
      table.row(Format.count(f.rules()), Format.fixed(f.medianNs(), 0), Format.fixed(f.meanNs(), 0));
    }
    return table.render();
  }

  /**
   * The record-format table: per record, the client's encode path and the broker's parse path for each header
   * encoding, and the difference to no headers.
   */
  public static String recordCostTable(Results results) {
    MarkdownTable table = new MarkdownTable("side", "encoding", "ns/record (99.9% CI)", "vs no headers",
        "B/record");
    for (String side : List.of("client", "broker")) {
      double none = results.recordCosts().stream().filter(f -> f.side().equals(side) && f.encoding().equals("none"))
          .mapToDouble(RecordCost::meanNs).findFirst().orElse(Double.NaN);
      for (RecordCost f : results.recordCosts()) {
        if (f.side().equals(side)) {
          table.row(side.equals("client") ? "client: build, size, append" : "broker: CRC and parse",
              f.encoding(), Format.fixed(f.meanNs(), 1) + " +- "
                  + Format.fixed(f.errorNs(), 1),
              f.encoding().equals("none") ? "-" : signedNanos(f.meanNs() - none), bytes(f.bytesPerOp()));
        }
      }
    }
    return table.render();
  }

  private static String signedNanos(double nanos) {
    return (nanos >= 0 ? "+" : "") + Format.fixed(nanos, 1) + " ns";
  }

  /** The stamping table, with the bytes the two headers add to a record on the wire. */
  public static String stampTable(Results results) {
    MarkdownTable table = new MarkdownTable("benchmark", "caller headers", "ns/op (99.9% CI)", "B/op");
    for (Stamp s : results.stamps()) {
      table.row(s.benchmark(), s.callerHeaders(), Format.fixed(s.meanNs(), 1) + " +- " + Format.fixed(s.errorNs(), 1),
          bytes(s.bytesPerOp()));
    }
    return table.render();
  }

  /**
   * Bytes the two provenance headers add to one record in a batch (uncompressed), with the route header of
   * {@link ProvenanceStampBenchmark#ROUTE}.
   */
  public static int provenanceBytesPerRecord() {
    Header[] headers = {ProvenanceStampBenchmark.ROUTE, new RecordHeader(ProvenanceHeaders.ID, new RecordIds(1).next())};
    return DefaultRecord.sizeInBytes(0, 0L, 16, 100, headers)
        - DefaultRecord.sizeInBytes(0, 0L, 16, 100, new Header[0]);
  }

  /** Checks the decision targets: median at 10,000 rules <= 50 ns/op, and 0 B/op. */
  public static List<TargetCheck> targets(Results results) {
    List<TargetCheck> checks = new ArrayList<>();
    Decision slowest = results.decisions().stream().filter(d -> d.rules() == 10_000)
        .max(Comparator.comparingDouble(Decision::medianNs)).orElse(null);
    String target = "Routing decision <= 50 ns/op median at 10,000 rules";
    if (slowest == null) {
      checks.add(TargetCheck.notMeasured(target, "no decision result at 10,000 rules"));
    } else {
      checks.add(TargetCheck.atMost(target, slowest.medianNs(), 50,
          "slowest case " + slowest.match() + "/" + slowest.decision() + ": " + Format.fixed(slowest.medianNs(), 1)
              + " ns/op", "ns/op", 1));
    }
    Decision mostAllocating = results.decisions().stream().max(Comparator.comparingDouble(Decision::bytesPerOp))
        .orElse(null);
    String zero = "Routing decision allocates 0 B/op (unsliced and sliced)";
    if (mostAllocating == null) {
      checks.add(TargetCheck.notMeasured(zero, "no decision result"));
    } else {
      checks.add(TargetCheck.atMost(zero, mostAllocating.bytesPerOp(), ZERO_ALLOCATION_BYTES,
          "at most " + bytes(mostAllocating.bytesPerOp()) + " B/op over all " + results.decisions().size() + " cases",
          "B/op", 1));
    }
    return checks;
  }
}
