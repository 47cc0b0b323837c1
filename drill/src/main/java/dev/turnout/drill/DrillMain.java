package dev.turnout.drill;

import dev.turnout.cli.TurnoutCli;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The migration drill as a command. Exit code 0 when every invariant held (last line {@code ALL INVARIANTS HELD}
 * and the report's path), 1 when one broke (last line {@code INVARIANT BROKEN: } and its name) or a strict gate
 * never passed, 2 for bad options or external clusters that are not as the drill needs them (a message says what
 * to configure), 3 when the drill itself failed. Also {@code turnout drill} ({@link DrillSubcommand}); the drill's
 * jar hands a first argument that is not an option to the operator CLI.
 */
@Command(name = "turnout-drill", mixinStandardHelpOptions = true, versionProvider = DrillMain.Version.class,
    sortOptions = false,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every invariant held",
        "1:an invariant broke, or a strict gate never passed",
        "2:bad options, or external clusters not as the drill needs them",
        "3:the drill failed"},
    description = "Rehearses a migration under load, on two embedded clusters with MirrorMaker 2 or on the "
        + "operator's clusters and replication, checks the invariants and writes an evidence report.")
public final class DrillMain implements Callable<Integer> {

  /** Every invariant held. */
  public static final int HELD = 0;
  /** An invariant broke. */
  public static final int BROKEN = 1;
  /** Bad options, or external clusters not as the drill needs them. */
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

  @Option(names = "--topic", defaultValue = DrillOptions.DEFAULT_TOPIC, description = "The keyed topic; the "
      + "control topic is <topic>-authority (source), the status topic <topic>-status (target). Default "
      + "${DEFAULT-VALUE}.")
  String topic;

  @Option(names = "--source-bootstrap", paramLabel = "HOSTS", description = "An external source cluster "
      + "(bootstrap.servers); with --target-bootstrap, the drill runs against the operator's clusters and "
      + "replication instead of embedded ones.")
  String sourceBootstrap;

  @Option(names = "--target-bootstrap", paramLabel = "HOSTS", description = "An external target cluster.")
  String targetBootstrap;

  @Option(names = "--source-config", paramLabel = "FILE", description = "Client settings of the external source "
      + "cluster (properties: security.protocol, sasl.*, ssl.*, bootstrap.servers); never printed.")
  Path sourceConfig;

  @Option(names = "--target-config", paramLabel = "FILE", description = "Client settings of the external target "
      + "cluster; never printed.")
  Path targetConfig;

  @Option(names = "--replication-timeout", defaultValue = "60", paramLabel = "SECONDS", description = "External "
      + "clusters: how long a record written to the source topic may take to appear on the target before the "
      + "drill refuses to start (default ${DEFAULT-VALUE}).")
  long replicationTimeoutSeconds;

  @Option(names = "--gate-strict", description = "A flip waits for its readiness gate (the checks of 'turnout "
      + "gate') up to the step's length, and the drill fails (exit 1) when it never passes. Without it the "
      + "gate's verdict is recorded and the flip made anyway.")
  boolean gateStrict;

  @Spec
  CommandSpec spec;

  /** Whether the output is a terminal; only {@link #main} says so. */
  private boolean terminal;

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, Progress.terminal(), args));
  }

  /**
   * Runs the drill with these arguments, printing to {@code out} and {@code err}; returns the exit code. A first
   * argument that is not an option is a {@code turnout} subcommand ({@code drill [options]}, or any other), run by
   * the operator CLI this jar also holds.
   */
  public static int run(PrintStream out, PrintStream err, String... args) {
    return run(out, err, false, args);
  }

  private static int run(PrintStream out, PrintStream err, boolean terminal, String... args) {
    PrintWriter o = new PrintWriter(out, true);
    PrintWriter e = new PrintWriter(err, true);
    if (args.length > 0 && !args[0].startsWith("-")) {
      return TurnoutCli.run(args, o, e);
    }
    DrillMain main = new DrillMain();
    main.terminal = terminal;
    CommandLine cl = new CommandLine(main);
    cl.setOut(o);
    cl.setErr(e);
    cl.setParameterExceptionHandler((ex, a) -> {
      e.println(ex.getMessage());
      e.println("Run with --help for the options.");
      return USAGE;
    });
    return cl.execute(args);
  }

  /** The command for {@code turnout drill}; {@code terminal} when the output is a terminal. */
  static DrillMain command(boolean terminal) {
    DrillMain main = new DrillMain();
    main.terminal = terminal;
    return main;
  }

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    DrillOptions options;
    try {
      options = options();
    } catch (IllegalArgumentException | IOException e) {
      stdout.println("Bad options: " + e.getMessage());
      return USAGE;
    }
    Drill.Result result;
    try {
      result = new Drill(options, stdout, terminal).run();
    } catch (SetupException e) {
      stdout.println("Cannot run the drill: " + e.getMessage());
      return USAGE;
    } catch (Exception e) {
      stderr.println("The drill failed: " + e);
      e.printStackTrace(stderr);
      stderr.flush();
      return FAILED;
    }
    result.run().findings().forEach(f -> stdout.println(f));
    stdout.println("Report: " + result.report().toAbsolutePath().getParent());
    String headline = dev.turnout.drill.report.ReportWriter.headline(result.run());
    stdout.println(headline + "; report " + result.report().toAbsolutePath());
    return result.run().held() && result.run().completed() ? HELD : BROKEN;
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
        seed, dir, mode, replicationLagMillis, clientProperties, topic, external(), gateStrict);
  }

  /** The external clusters' settings (files first, then the bootstrap options over them), or null. */
  private DrillOptions.External external() throws IOException {
    if (sourceBootstrap == null && targetBootstrap == null && sourceConfig == null && targetConfig == null) {
      return null;
    }
    return new DrillOptions.External(settings(sourceConfig, sourceBootstrap),
        settings(targetConfig, targetBootstrap), Duration.ofSeconds(replicationTimeoutSeconds));
  }

  private static Map<String, String> settings(Path file, String bootstrap) throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    Properties p = load(file);
    p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
    if (bootstrap != null) {
      settings.put("bootstrap.servers", bootstrap);
    }
    return settings;
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

  /** {@code --version}: the version of the jar, from its manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = DrillMain.class.getPackage().getImplementationVersion();
      return new String[] {"turnout-drill " + (version == null ? "(development build)" : version)};
    }
  }
}
