package dev.turnout.cli;

import dev.turnout.cli.json.Json;
import dev.turnout.fleet.FleetStatusReader;
import dev.turnout.fleet.InstanceStatus;
import dev.turnout.status.ConsumerStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code turnout status --topic T}: the fleet as its instances report it on the status topic. */
@Command(name = "status", mixinStandardHelpOptions = true,
    header = "Show the fleet from its status topic.",
    description = {"Read the fleet's status topic (turnout.status.topic): instances by service and role, the epoch "
        + "each applied, stale instances (silent for 3 of their intervals), stragglers on an epoch older than the "
        + "newest applied, breakers not closed, refusals within each instance's last interval (per reason), and "
        + "the cluster each consumer group member reads."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:green: nothing stale, straggling, open or refusing",
        "1:red: something is stale, straggling, open or refusing", "2:usage or connection error, topic missing"})
final class StatusCommand implements Callable<Integer> {

  private static final String CLEAR = "\033[H\033[2J";

  @Spec
  CommandSpec spec;

  @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The status topic.")
  String topic;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--watch", description = "Refresh every 2 s until interrupted (in place on a terminal).")
  boolean watch;

  @Option(names = "--watch-count", hidden = true, defaultValue = "0",
      description = "With --watch: stop after this many refreshes (0: never).")
  int watchCount;

  @Option(names = "--json", description = "Print JSON instead of text (one object per refresh with --watch).")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Ansi ansi = spec.commandLine().getColorScheme().ansi();
    try (FleetStatusReader reader = new FleetStatusReader(cluster.clientConfig(), topic)) {
      int status;
      int refreshes = 0;
      while (true) {
        FleetSummary summary = new FleetSummary(reader.read(Duration.ofSeconds(30)), Instant.now());
        status = summary.red() ? ExitCodes.RED : ExitCodes.OK;
        if (json) {
          out.println(Json.write(StatusOutput.json(summary)));
        } else {
          if (watch && ansi.enabled()) {
            out.print(CLEAR);
          }
          StatusOutput.print(out, ansi, summary, topic);
        }
        out.flush();
        refreshes++;
        if (!watch || watchCount > 0 && refreshes >= watchCount) {
          return status;
        }
        Thread.sleep(2_000);
      }
    }
  }

  /** The text and JSON forms of a {@link FleetSummary}. */
  static final class StatusOutput {

    private StatusOutput() {}

    static void print(PrintWriter out, Ansi ansi, FleetSummary s, String topic) {
      out.println(ansi.string((s.red() ? "@|red,bold RED|@" : "@|green,bold GREEN|@")) + "  status topic " + topic
          + " read at " + seconds(s.now) + ": " + s.view.instances().size() + " instance(s), newest epoch applied "
          + s.newestEpoch + ", " + s.stale.size() + " stale, " + s.stragglers.size() + " straggler(s), "
          + s.breakers.size() + " breaker(s) not closed, " + s.refusing.size() + " refusing");
      Table instances = new Table("SERVICE", "ROLE", "HOST", "CLIENT", "EPOCH", "SINCE", "PUBLISHED", "HEALTH");
      for (InstanceStatus i : s.instances()) {
        String health = s.health(i);
        instances.row(i.service(), i.role(), i.host(), i.clientId(), i.epoch(), seconds(i.epochSince()),
            ago(s.now, i.publishedAt()), health.equals("ok") ? "@|green ok|@" : "@|red,bold " + health + "|@");
      }
      section(out, ansi, "Instances", instances);
      Table breakers = new Table("SERVICE", "HOST", "CLIENT", "CLUSTER", "BREAKER", "FAILURE RATE");
      s.breakers.forEach(b -> breakers.row(b.instance().service(), b.instance().host(), b.instance().clientId(),
          b.cluster().alias(), "@|red,bold " + b.cluster().breaker() + "|@",
          b.cluster().breakerFailureRate() < 0 ? "-" : String.format("%.1f%%", b.cluster().breakerFailureRate())));
      section(out, ansi, "Breakers not closed", breakers);
      Table refusals = new Table("SERVICE", "HOST", "CLIENT", "REASON", "TOTAL", "LAST TOPIC", "LAST AT");
      s.refusing.forEach(r -> refusals.row(r.instance().service(), r.instance().host(), r.instance().clientId(),
          "@|red " + r.reason() + "|@", r.total(), r.last().topic(), seconds(r.last().at())));
      section(out, ansi, "Refusals in the last interval" + (s.refusing.isEmpty() ? "" : " (instances refusing, per "
          + "reason: " + s.refusingByReason() + ")"), refusals);
      Table groups = new Table("GROUP", "SERVICE", "HOST", "CLIENT", "TOPIC", "READS FROM");
      for (InstanceStatus i : s.instances()) {
        ConsumerStatus c = i.status().consumer();
        if (c != null) {
          c.readClusters().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
              groups.row(c.groupId(), i.service(), i.host(), i.clientId(), e.getKey(), e.getValue()));
        }
      }
      section(out, ansi, "Consumer groups", groups);
    }

    private static void section(PrintWriter out, Ansi ansi, String title, Table table) {
      out.println();
      out.println(ansi.string("@|bold " + title + "|@") + (table.isEmpty() ? ": none" : ""));
      if (!table.isEmpty()) {
        table.print(out, ansi, "  ");
      }
    }

    private static Instant seconds(Instant at) {
      return at == null ? null : at.truncatedTo(ChronoUnit.SECONDS);
    }

    private static String ago(Instant now, Instant then) {
      long ms = Duration.between(then, now).toMillis();
      return ms < 1000 ? ms + " ms ago" : ms / 1000 + " s ago";
    }

    static Json.Obj json(FleetSummary s) {
      List<Object> instances = new ArrayList<>();
      for (InstanceStatus i : s.instances()) {
        ConsumerStatus c = i.status().consumer();
        instances.add(Json.object().with("instanceId", i.instanceId()).with("service", i.service())
            .with("role", i.role().name()).with("host", i.host()).with("clientId", i.clientId())
            .with("epoch", i.epoch()).with("epochSince", i.epochSince()).with("publishedAt", i.publishedAt())
            .with("health", s.health(i)).with("groupId", c == null ? null : c.groupId())
            .with("readClusters", c == null ? null : c.readClusters()));
      }
      List<Object> breakers = new ArrayList<>();
      s.breakers.forEach(b -> breakers.add(Json.object().with("instanceId", b.instance().instanceId())
          .with("cluster", b.cluster().alias()).with("breaker", b.cluster().breaker().name())));
      List<Object> refusing = new ArrayList<>();
      s.refusing.forEach(r -> refusing.add(Json.object().with("instanceId", r.instance().instanceId())
          .with("reason", r.reason()).with("total", r.total()).with("lastAt", r.last().at())));
      return Json.object().with("red", s.red()).with("readAt", s.now).with("newestEpoch", s.newestEpoch)
          .with("instances", instances)
          .with("stale", s.stale.stream().map(InstanceStatus::instanceId).toList())
          .with("stragglers", s.stragglers.stream().map(InstanceStatus::instanceId).toList())
          .with("breakers", breakers).with("refusing", refusing).with("refusingByReason", s.refusingByReason())
          .with("skippedRecords", s.view.skipped());
    }
  }
}
