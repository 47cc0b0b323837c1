package dev.turnout.benchmarks;

import dev.turnout.benchmarks.e2e.BenchBroker;
import dev.turnout.benchmarks.e2e.ConsumerComparison;
import dev.turnout.benchmarks.e2e.CutoverBarrier;
import dev.turnout.benchmarks.e2e.FleetFlip;
import dev.turnout.benchmarks.e2e.FlipPropagation;
import dev.turnout.benchmarks.e2e.ProducerComparison;
import dev.turnout.benchmarks.e2e.ProvenanceCost;
import dev.turnout.benchmarks.e2e.ReconcileComparison;
import dev.turnout.benchmarks.e2e.RollbackPause;
import dev.turnout.benchmarks.micro.MicroSuite;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.TargetCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Runs the whole benchmark set and writes the results into {@code docs/benchmarks.md}. Run it with
 * {@code benchmarks/run.sh} (full profile) or {@code benchmarks/run.sh smoke}; directly:
 *
 * <pre>
 * java -cp &lt;classpath&gt; dev.turnout.benchmarks.BenchmarkSuite --profile full|smoke --output docs/benchmarks.md
 *     [--parts micro,producer,provenance,consumer,flip,fleet,barrier,reconcile,rollback] [--jmh-json target/jmh-results.json]
 * </pre>
 *
 * <p>Exits with 0 when every part ran (missed targets are reported, not failures), 1 when a part failed (the
 * page is still written, with the failure), 2 on bad arguments.
 */
public final class BenchmarkSuite {

  /** The parts of a run, in the order they run. */
  enum Part {
    MICRO, PRODUCER, PROVENANCE, CONSUMER, FLIP, FLEET, BARRIER, RECONCILE, ROLLBACK;

    static Set<Part> parse(String list) {
      Set<Part> parts = EnumSet.noneOf(Part.class);
      for (String name : list.split(",")) {
        try {
          parts.add(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("unknown part '" + name.trim()
              + "': use micro, producer, provenance, consumer, flip, fleet, barrier, reconcile, rollback");
        }
      }
      return parts;
    }
  }

  /** Parsed command line. */
  record Options(Profile profile, Path output, Set<Part> parts, Path jmhJson) {

    static Options parse(String... args) {
      Profile profile = Profile.FULL;
      Path output = Path.of("docs", "benchmarks.md");
      Set<Part> parts = EnumSet.allOf(Part.class);
      Path jmhJson = null;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + arg + " needs a value");
        }
        String value = args[++i];
        switch (arg) {
          case "--profile" -> profile = Profile.named(value);
          case "--output" -> output = Path.of(value);
          case "--parts" -> parts = Part.parse(value);
          case "--jmh-json" -> jmhJson = Path.of(value);
          default -> throw new IllegalArgumentException("unknown option " + arg);
        }
      }
      return new Options(profile, output, parts, jmhJson);
    }
  }

  static final String USAGE = "usage: BenchmarkSuite [--profile full|smoke] [--output docs/benchmarks.md] "
      + "[--parts micro,producer,provenance,consumer,flip,fleet,barrier,reconcile,rollback] [--jmh-json file]";

  private final Options options;
  private final long startNanos = System.nanoTime();
  private final Map<Part, String> sections = new LinkedHashMap<>();
  private final List<TargetCheck> targets = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();

  private BenchmarkSuite(Options options) {
    this.options = options;
  }

  public static void main(String[] args) throws IOException {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "turnout-benchmarks-log4j2.xml");
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    int status = new BenchmarkSuite(options).run();
    System.exit(status);
  }

  private int run() throws IOException {
    String loadAtStart = Machine.loadAverage();
    Instant started = Instant.now();
    progress("profile " + options.profile().label() + ", parts " + options.parts() + ", output " + options.output());
    Profile profile = options.profile();
    Path workDir = Files.createTempDirectory("turnout-bench");
    if (options.parts().contains(Part.MICRO)) {
      part(Part.MICRO, () -> {
        MicroSuite.Results r = new MicroSuite(profile.micro, options.jmhJson()).run();
        targets.addAll(MicroSuite.targets(r));
        return "### Routing decision\n\n" + MicroSuite.decisionTable(r)
            + "\n### First lookup of a prefix-matched topic in a new epoch\n\n" + MicroSuite.firstLookupTable(r)
            + "\n### Provenance stamping per record\n\n" + MicroSuite.stampTable(r)
            + "\nThe two headers add " + MicroSuite.provenanceBytesPerRecord()
            + " bytes to each record in an uncompressed batch (32-byte route value, 16-byte id, keys and length "
            + "prefixes).\n"
            + "\n### Where header bytes cost CPU: client encoding and broker parsing, 100 B values\n\n"
            + MicroSuite.recordCostTable(r);
      });
    }
    EnumSet<Part> needBroker = EnumSet.of(Part.PRODUCER, Part.PROVENANCE, Part.CONSUMER, Part.FLIP, Part.FLEET);
    needBroker.retainAll(options.parts());
    if (!needBroker.isEmpty()) {
      progress("starting the in-process broker");
      try (BenchBroker broker = BenchBroker.start()) {
        if (options.parts().contains(Part.PRODUCER)) {
          part(Part.PRODUCER, () -> {
            ProducerComparison.Results r = new ProducerComparison(broker, profile.producer, workDir,
                BenchmarkSuite::progress).run();
            targets.addAll(ProducerComparison.targets(r));
            return ProducerComparison.render(r);
          });
        }
        if (options.parts().contains(Part.PROVENANCE)) {
          part(Part.PROVENANCE, () -> ProvenanceCost.render(
              new ProvenanceCost(broker, profile.provenance, BenchmarkSuite::progress).run()));
        }
        if (options.parts().contains(Part.CONSUMER)) {
          part(Part.CONSUMER, () -> {
            ConsumerComparison.Results r = new ConsumerComparison(broker, profile.consumer, workDir,
                BenchmarkSuite::progress).run();
            targets.addAll(ConsumerComparison.targets(r));
            return ConsumerComparison.render(r);
          });
        }
        if (options.parts().contains(Part.FLIP)) {
          part(Part.FLIP, () -> {
            FlipPropagation.Results r = new FlipPropagation(broker, profile.flip, workDir,
                BenchmarkSuite::progress).run();
            targets.addAll(FlipPropagation.targets(r));
            return FlipPropagation.render(r);
          });
        }
        if (options.parts().contains(Part.FLEET)) {
          part(Part.FLEET, () -> {
            FleetFlip.Results r = new FleetFlip(broker, profile.fleet, BenchmarkSuite::progress).run();
            targets.addAll(FleetFlip.targets(r));
            return FleetFlip.render(r);
          });
        }
      }
    }
    if (options.parts().contains(Part.BARRIER)) {
      part(Part.BARRIER, () -> {
        CutoverBarrier.Results r = new CutoverBarrier(profile.barrier, workDir, BenchmarkSuite::progress).run();
        targets.addAll(CutoverBarrier.targets(r));
        return CutoverBarrier.render(r);
      });
    }
    if (options.parts().contains(Part.RECONCILE)) {
      part(Part.RECONCILE, () -> ReconcileComparison.render(
          new ReconcileComparison(profile.reconcile, BenchmarkSuite::progress).run()));
    }
    if (options.parts().contains(Part.ROLLBACK)) {
      part(Part.ROLLBACK, () -> {
        RollbackPause.Results r = new RollbackPause(profile.rollback, workDir, BenchmarkSuite::progress).run();
        targets.addAll(RollbackPause.targets(r));
        return RollbackPause.render(r);
      });
    }
    deleteRecursively(workDir);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    String page = render(started, elapsed, loadAtStart, Machine.loadAverage());
    ReportWriter.write(options.output(), page);
    progress("wrote " + options.output().toAbsolutePath() + " after " + elapsed.toSeconds() + " s");
    System.out.println();
    System.out.println(targetTable());
    if (!failures.isEmpty()) {
      failures.forEach(f -> System.err.println("FAILED: " + f));
      return 1;
    }
    return 0;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void part(Part part, Callable<String> body) {
    long start = System.nanoTime();
    progress("part " + part.name().toLowerCase(Locale.ROOT) + " starting");
    try {
      sections.put(part, body.call());
    } catch (Exception | AssertionError e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      System.err.println(trace);
      failures.add(part.name().toLowerCase(Locale.ROOT) + ": " + e);
      sections.put(part, "This part failed: `" + String.valueOf(e).replace('`', '\'') + "`\n");
    }
    progress("part " + part.name().toLowerCase(Locale.ROOT) + " done in "
        + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
  }

  private String targetTable() {
    MarkdownTable table = new MarkdownTable("target", "measured", "status", "gap or reason");
    for (TargetCheck t : targets) {
      table.row(t.target(), t.measured(), t.status(), t.gap());
    }
    return table.render();
  }

  private String render(Instant started, Duration elapsed, String loadAtStart, String loadAtEnd) {
    StringBuilder out = new StringBuilder();
    out.append("Generated ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(" by `benchmarks/run.sh ")
        .append(options.profile().label()).append('`');
    if (!options.parts().equals(EnumSet.allOf(Part.class))) {
      out.append(" (parts: ").append(options.parts().toString().toLowerCase(Locale.ROOT)).append(')');
    }
    out.append(" in ").append(elapsed.toMinutes()).append(" min ").append(elapsed.toSecondsPart()).append(" s.\n");
    if (options.profile() == Profile.SMOKE) {
      out.append("\n**Smoke profile: every measurement is one short round. These numbers show that the harness "
          + "works; they are not the published results.**\n");
    }
    out.append("\n### Machine\n\n").append(Machine.describe(loadAtStart, loadAtEnd));
    out.append("\n### Targets\n\n").append(targetTable());
    if (!failures.isEmpty()) {
      out.append("\nFailed parts: ").append(String.join("; ", failures)).append('\n');
    }
    Map<Part, String> titles = Map.of(
        Part.MICRO, "## Micro-benchmarks (JMH, `-prof gc`)",
        Part.PRODUCER, "## Producer: RoutingProducer against KafkaProducer",
        Part.PROVENANCE, "## What provenance headers cost a raw KafkaProducer",
        Part.CONSUMER, "## Consumer: RoutingConsumer against KafkaConsumer",
        Part.FLIP, "## Flip propagation (file source)",
        Part.FLEET, "## A flip reaching a fleet (control topic to status topic)",
        Part.BARRIER, "## Cutover barrier wait and replication latency",
        Part.RECONCILE, "## Reconciliation: Reconciler.apply against a raw copy",
        Part.ROLLBACK, "## Rollback pause of a slice with target-only records");
    for (Part part : Part.values()) {
      out.append('\n').append(titles.get(part)).append("\n\n");
      String section = sections.get(part);
      out.append(section == null ? "Not run in this invocation.\n" : section);
    }
    return out.toString();
  }

  private static final long START = System.nanoTime();

  static void progress(String message) {
    long seconds = (System.nanoTime() - START) / 1_000_000_000L;
    System.out.printf(Locale.ROOT, "[bench %02d:%02d] %s%n", seconds / 60, seconds % 60, message);
  }
}
