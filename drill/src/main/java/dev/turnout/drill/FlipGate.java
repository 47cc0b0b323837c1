package dev.turnout.drill;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.authority.Rule;
import dev.turnout.cli.gate.Cluster;
import dev.turnout.cli.gate.GateContext;
import dev.turnout.cli.gate.GateLine;
import dev.turnout.cli.gate.GateReport;
import dev.turnout.drill.plan.Documents;
import dev.turnout.drill.plan.Step;
import dev.turnout.drill.report.GateVerdict;
import dev.turnout.fleet.FleetStatusReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The readiness gate of a flip: the checks of {@code turnout gate} ({@link GateReport#defaultChecks()}, the cli's
 * own code) for moving the drill's rule from the document in force to the next step's state, with the fleet read
 * from the drill's status topic and the drill's consumer group. Not thread-safe: the walker's thread only.
 */
final class FlipGate implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Cluster source;
  private final Cluster target;
  private final FleetStatusReader fleet;
  private final String group;

  FlipGate(Map<String, Object> sourceConfig, Map<String, Object> targetConfig, FleetStatusReader fleet,
      String group) {
    this.source = new Cluster(DrillEnvironment.SOURCE, sourceConfig, TIMEOUT);
    this.target = new Cluster(DrillEnvironment.TARGET, targetConfig, TIMEOUT);
    this.fleet = fleet;
    this.group = group;
  }

  /**
   * Runs the gate once.
   *
   * @param flip the flip's number
   * @param inForce the document in force
   * @param next the step the flip moves to
   * @param sinceEpoch the first epoch of the current stretch on the target (for the rollback line), or empty
   * @param history the documents of that stretch before the one in force
   * @param attempt this run's number
   */
  GateVerdict evaluate(int flip, AuthorityMap inForce, Step next, OptionalLong sinceEpoch,
      List<AuthorityMap> history, int attempt) {
    Rule rule = inForce.rules().stream().filter(r -> r.name().equals(Documents.RULE)).findFirst().orElseThrow();
    GateContext context = GateContext.builder(inForce, rule, next.state())
        .slice(next.state() == MigrationState.WRITE_PROMOTION ? "promoted" : null)
        .clusters(source, target).fleet(fleet()).groups(List.of(group)).sinceEpoch(sinceEpoch).history(history)
        .build();
    GateReport report = GateReport.run(context, GateReport.defaultChecks());
    List<GateVerdict.Line> lines = report.lines().stream().map(FlipGate::line).toList();
    return new GateVerdict(flip, next, inForce.epoch(), !report.red(), attempt, lines);
  }

  private GateContext.Fleet fleet() {
    try {
      return GateContext.Fleet.of(fleet.read(Duration.ofSeconds(5)));
    } catch (RuntimeException e) {
      return GateContext.Fleet.unreadable(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static GateVerdict.Line line(GateLine l) {
    return new GateVerdict.Line(l.group(), l.status().name(), l.name(), l.live(), l.threshold(), l.detail());
  }

  /** The red lines, for a message. */
  static String red(GateVerdict v) {
    return String.join("; ", v.lines().stream().filter(l -> l.status().equals("RED"))
        .map(l -> l.group() + " " + l.check() + ": " + l.live() + " (" + l.threshold() + ")"
            + (l.detail().isEmpty() ? "" : " " + l.detail())).toList());
  }

  @Override
  public void close() {
    try {
      source.close();
    } finally {
      target.close();
    }
  }
}
