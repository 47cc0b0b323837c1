package dev.turnout.drill;

import dev.turnout.drill.plan.Plan;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The migration drill as a command. Exit code 0 when every invariant held (last line {@code ALL INVARIANTS HELD}
 * and the report's path), 1 when one broke (last line {@code INVARIANT BROKEN: } and its name), 2 for bad options
 * or an option not supported yet, 3 when the drill itself failed.
 */
@Command(name = "turnout-drill", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Rehearses a migration under load on two embedded clusters with MirrorMaker 2, checks the "
        + "invariants and writes an evidence report.")
public final class DrillMain implements Callable<Integer> {

  /** Every invariant held. */
  public static final int HELD = 0;
  /** An invariant broke. */
  public static final int BROKEN = 1;
  /** Bad options, or an option not supported yet. */
  public static final int USAGE = 2;
  /** The drill could not run to its end. */
  public static final int FAILED = 3;

  @Option(names = "--duration", defaultValue = "90", description = "Load duration in seconds, split evenly between "
      + "the plan's steps (default ${DEFAULT-VALUE}).")
  long durationSeconds;

  @Option(names = "--producers", defaultValue = "2", description = "RoutingProducer instances (default "
      + "${DEFAULT-VALUE}).")
  int producers;

  @Option(names = "--consumers", defaultValue = "2", description = "Members of the consumer group (default "
      + "${DEFAULT-VALUE}).")
  int consumers;

  @Option(names = "--rate", defaultValue = "200", description = "Records per second, all producers together "
      + "(default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--keys", defaultValue = "1000", description = "Distinct keys (default ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the drill's topic (default "
      + "${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--plan", description = "A file with one step per line: MIRROR, DUAL_READ, "
      + "WRITE_PROMOTION <n>%%, TARGET_AUTHORITY (default: MIRROR, DUAL_READ, WRITE_PROMOTION 10%%, 50%%, "
      + "DUAL_READ, WRITE_PROMOTION 100%%, TARGET_AUTHORITY).")
  Path planFile;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the key choice (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--reconcile", defaultValue = "manual", description = "Who reconciles at a rollback: manual (the "
      + "drill runs Reconciler.apply), auto (the producers), none (nobody: a faulty drill). Default "
      + "${DEFAULT-VALUE}.")
  String reconcile;

  @Option(names = "--replication-lag-ms", defaultValue = "0", description = "Lag added to MirrorMaker 2 "
      + "(default ${DEFAULT-VALUE}).")
  long replicationLagMillis;

  @Option(names = "--client-property", description = "key=value given to every routing client; a key prefixed "
      + "producer. or consumer. goes to those clients only, without the prefix. Repeatable.")
  Map<String, String> clientProperties = new LinkedHashMap<>();

  @Option(names = "--out", description = "Folder of the report (default target/drill-<timestamp>).")
  Path out;

  @Option(names = "--source-bootstrap", description = "An external source cluster (not supported yet).")
  String sourceBootstrap;

  @Option(names = "--target-bootstrap", description = "An external target cluster (not supported yet).")
  String targetBootstrap;

  @Option(names = "--source-config", description = "Client settings of the external source cluster.")
  Path sourceConfig;

  @Option(names = "--target-config", description = "Client settings of the external target cluster.")
  Path targetConfig;

  private PrintStream stdout = System.out;

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /** Runs the drill with these arguments, printing to {@code out} and {@code err}; returns the exit code. */
  public static int run(PrintStream out, PrintStream err, String... args) {
    DrillMain main = new DrillMain();
    main.stdout = out;
    CommandLine cl = new CommandLine(main);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      err.println("The drill failed: " + e);
      e.printStackTrace(err);
      return FAILED;
    });
    cl.setParameterExceptionHandler((e, a) -> {
      err.println(e.getMessage());
      err.println("Run with --help for the options.");
      return USAGE;
    });
    return cl.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    DrillOptions options;
    try {
      if (sourceBootstrap != null || targetBootstrap != null || sourceConfig != null || targetConfig != null) {
        return external();
      }
      options = options();
    } catch (IllegalArgumentException | IOException e) {
      stdout.println("Bad options: " + e.getMessage());
      return USAGE;
    }
    Drill.Result result = new Drill(options, stdout).run();
    result.run().findings().forEach(f -> stdout.println(f));
    stdout.println("Report: " + result.report().toAbsolutePath().getParent());
    String headline = dev.turnout.drill.report.ReportWriter.headline(result.run());
    stdout.println(headline + "; report " + result.report().toAbsolutePath());
    return result.run().held() ? HELD : BROKEN;
  }

  DrillOptions options() throws IOException {
    Plan plan = planFile == null ? Plan.standard() : Plan.read(planFile);
    ReconcileMode mode;
    try {
      mode = ReconcileMode.valueOf(reconcile.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--reconcile must be manual, auto or none, got '" + reconcile + "'", e);
    }
    Path dir = out != null ? out : Path.of("target", "drill-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    return new DrillOptions(Duration.ofSeconds(durationSeconds), producers, consumers, rate, keys, partitions, plan,
        seed, dir, mode, replicationLagMillis, clientProperties);
  }

  /** External clusters: the settings are read and checked, then refused as not supported yet. */
  private int external() throws IOException {
    if (sourceBootstrap == null || targetBootstrap == null) {
      throw new IllegalArgumentException("--source-bootstrap and --target-bootstrap go together");
    }
    int settings = load(sourceConfig).size() + load(targetConfig).size();
    stdout.println("Running the drill against external clusters (" + sourceBootstrap + ", " + targetBootstrap
        + ", " + settings + " client setting(s) read) is not supported yet: the drill needs MirrorMaker 2 between "
        + "them and topics it may create; run it without --source-bootstrap/--target-bootstrap to use embedded "
        + "clusters.");
    return USAGE;
  }

  private static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    if (file != null) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("cannot read client settings file " + file.toAbsolutePath());
      }
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      }
    }
    return p;
  }
}
