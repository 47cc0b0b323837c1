package dev.turnout.cli;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.authority.Rule;
import dev.turnout.cli.gate.Cluster;
import dev.turnout.cli.gate.DurationConverter;
import dev.turnout.cli.gate.GateContext;
import dev.turnout.cli.gate.GateReport;
import dev.turnout.cli.gate.Thresholds;
import dev.turnout.fleet.FleetStatusReader;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code turnout gate NEXT-STATE --rule R ...}: the readiness checklist for moving a rule to a state, one line per
 * piece of evidence (replication, fleet, offsets, connectors, governance, rollback), each GREEN, RED or GREY.
 * Exits 1 when a line is red, 0 otherwise; 2 when an input cannot be read or a cluster cannot be reached.
 */
@Command(name = "gate", mixinStandardHelpOptions = true,
    description = "Print the readiness checklist for moving a rule to NEXT-STATE: each line GREEN, RED or GREY "
        + "(not evaluated) with the live number and its threshold. Exit 1 when a line is red.")
public final class GateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NEXT-STATE", description = "MIRROR, DUAL_READ, WRITE_PROMOTION or "
      + "TARGET_AUTHORITY")
  MigrationState next;

  @Option(names = "--rule", required = true, description = "The rule to move.")
  String rule;

  @Option(names = "--slice", description = "The slice the move concerns (for the reconciliation plan).")
  String slice;

  @Option(names = "--document", required = true, paramLabel = "FILE", description = "The document in force "
      + "(properties).")
  Path document;

  @ArgGroup(exclusive = true, multiplicity = "1")
  SourceCluster source;

  @ArgGroup(exclusive = true, multiplicity = "1")
  TargetCluster target;

  static final class SourceCluster {
    @Option(names = "--source-config", paramLabel = "FILE", description = "Client settings of the source "
        + "(properties: bootstrap.servers, security).")
    Path config;
    @Option(names = "--source-bootstrap", paramLabel = "HOSTS", description = "bootstrap.servers of the source.")
    String bootstrap;
  }

  static final class TargetCluster {
    @Option(names = "--target-config", paramLabel = "FILE", description = "Client settings of the target.")
    Path config;
    @Option(names = "--target-bootstrap", paramLabel = "HOSTS", description = "bootstrap.servers of the target.")
    String bootstrap;
  }

  @Option(names = "--status-topic", description = "The fleet's status topic (turnout.status.topic); without it "
      + "the fleet lines are grey.")
  String statusTopic;

  @Option(names = "--status-config", paramLabel = "FILE", description = "Client settings of the status topic's "
      + "cluster (default: the source's).")
  Path statusConfig;

  @Option(names = "--connect", paramLabel = "URL", description = "Kafka Connect REST URL; without it the "
      + "connector lines are grey.")
  URI connect;

  @Option(names = "--group", paramLabel = "GROUP", split = ",", description = "The rule's consumer groups "
      + "(default: groups with commits on the rule's topics on either cluster).")
  List<String> groups = new ArrayList<>();

  @Option(names = "--max-lag-records", defaultValue = "1000", description = "Replication lag per topic, in "
      + "records (default: ${DEFAULT-VALUE}).")
  long maxLagRecords;

  @Option(names = "--max-lag-time", defaultValue = "5s", converter = DurationConverter.class,
      description = "Age of the oldest unreplicated record (default: ${DEFAULT-VALUE}).")
  Duration maxLagTime;

  @Option(names = "--rollback-window", defaultValue = "7d", converter = DurationConverter.class,
      description = "The source's retention must cover it (default: ${DEFAULT-VALUE}).")
  Duration rollbackWindow;

  @Option(names = "--max-group-lag", defaultValue = "1000", description = "Lag of a consumer group or sink "
      + "connector, in records (default: ${DEFAULT-VALUE}).")
  long maxGroupLag;

  @Option(names = "--since-epoch", description = "The first epoch that wrote to the target: the reconciliation "
      + "plan covers it up to the document's epoch.")
  Long sinceEpoch;

  @Option(names = "--history", paramLabel = "FILE", description = "Earlier documents of the epochs since "
      + "--since-epoch (properties), for the reconciliation plan.")
  List<Path> history = new ArrayList<>();

  @Option(names = "--max-reconcile", description = "Red when a rollback would copy more target-only records "
      + "back to the source (default: the number is only reported).")
  Long maxReconcile;

  @Option(names = "--scan-limit", defaultValue = "10000", description = "Records read back from a partition's "
      + "end to find the newest replicated record (default: ${DEFAULT-VALUE}).")
  int scanLimit;

  @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class,
      description = "Timeout of each request (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    AuthorityMap map = readDocument(document);
    Rule chosen = map.rules().stream().filter(r -> r.name().equals(rule)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("The document " + document + " (epoch " + map.epoch()
            + ") has no rule '" + rule + "'; its rules: " + map.rules().stream().map(Rule::name).toList()));
    List<AuthorityMap> earlier = new ArrayList<>();
    for (Path p : history) {
      earlier.add(readDocument(p));
    }
    Map<String, Object> sourceConfig = clientConfig(source.config, source.bootstrap, "--source-config");
    Map<String, Object> targetConfig = clientConfig(target.config, target.bootstrap, "--target-config");
    try (Cluster src = new Cluster(chosen.source(), sourceConfig, timeout);
        Cluster tgt = new Cluster(chosen.target(), targetConfig, timeout)) {
      reachable(src);
      reachable(tgt);
      GateContext context = GateContext.builder(map, chosen, next).slice(slice).clusters(src, tgt)
          .fleet(fleet(sourceConfig)).connect(connect).groups(groups)
          .thresholds(new Thresholds(maxLagRecords, maxLagTime, rollbackWindow, maxGroupLag, maxReconcile,
              scanLimit))
          .sinceEpoch(sinceEpoch == null ? OptionalLong.empty() : OptionalLong.of(sinceEpoch))
          .history(earlier).build();
      GateReport report = GateReport.run(context, GateReport.defaultChecks());
      if (json) {
        report.printJson(spec.commandLine().getOut());
      } else {
        report.printText(spec.commandLine().getOut(), Ansi.AUTO);
      }
      return report.red() ? ExitCodes.RED : ExitCodes.OK;
    }
  }

  private GateContext.Fleet fleet(Map<String, Object> sourceConfig) {
    if (statusTopic == null) {
      return GateContext.Fleet.notGiven();
    }
    Map<String, Object> config = statusConfig == null ? sourceConfig : clientConfig(statusConfig, null,
        "--status-config");
    try (FleetStatusReader reader = new FleetStatusReader(config, statusTopic)) {
      return GateContext.Fleet.of(reader.read(timeout));
    } catch (RuntimeException e) {
      return GateContext.Fleet.unreadable(ExitCodes.message(e));
    }
  }

  private static void reachable(Cluster cluster) throws Exception {
    try {
      cluster.admin().describeCluster().clusterId().get(cluster.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("Cluster '" + cluster.alias() + "' cannot be reached within "
          + cluster.timeout().toSeconds() + " s: check its bootstrap.servers and security settings", e);
    }
  }

  /** Reads a document file and validates it against the aliases it names. */
  static AuthorityMap readDocument(Path file) throws IOException {
    Map<String, String> keys = new HashMap<>();
    read(file).forEach((k, v) -> keys.put(String.valueOf(k), String.valueOf(v)));
    Set<String> aliases = new LinkedHashSet<>();
    keys.forEach((k, v) -> {
      if (k.equals("source") || k.equals("target") || k.matches("rule\\.[^.]+\\.(source|target)")) {
        aliases.add(v.trim());
      }
    });
    return AuthorityMap.parse(keys, List.copyOf(aliases));
  }

  private static Map<String, Object> clientConfig(Path file, String bootstrap, String option) {
    Map<String, Object> config = new HashMap<>();
    if (bootstrap != null) {
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      return config;
    }
    try {
      read(file).forEach((k, v) -> config.put(String.valueOf(k), v));
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (!config.containsKey(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(option + " " + file + " has no bootstrap.servers");
    }
    return config;
  }

  private static Properties read(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }
}
