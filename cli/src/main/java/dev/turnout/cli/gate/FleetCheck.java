package dev.turnout.cli.gate;

import dev.turnout.authority.Rule;
import dev.turnout.fleet.FleetView;
import dev.turnout.fleet.InstanceStatus;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.Refusal;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet, from the status topic: every live instance applied the document's epoch, none is stale, none is
 * failing closed, none refused a request of the rule's topics in its last interval, no breaker is open.
 */
public final class FleetCheck implements GateCheck {

  static final String GROUP = "fleet";

  @Override
  public String group() {
    return GROUP;
  }

  @Override
  public List<GateLine> evaluate(GateContext c) {
    GateContext.Fleet fleet = c.fleet();
    if (fleet.view() == null) {
      return List.of(new GateLine(GROUP, "status topic", fleet.failed() ? Status.RED : Status.GREY, "-", "-",
          fleet.missing()));
    }
    FleetView view = fleet.view();
    long epoch = c.document().epoch();
    List<InstanceStatus> stale = view.stale(view.readAt());
    List<InstanceStatus> live = view.instances().stream().filter(i -> !i.staleAt(view.readAt())).toList();
    List<GateLine> lines = new ArrayList<>();
    lines.add(GateLine.of(GROUP, "live instances", !live.isEmpty(), String.valueOf(live.size()), ">= 1",
        live.isEmpty() ? "no live instance publishes its status: nothing shows the fleet applied epoch " + epoch
            : ""));
    List<String> behind = names(live.stream().filter(i -> i.epoch() != epoch).toList(), true);
    lines.add(GateLine.of(GROUP, "epoch applied", behind.isEmpty(), (live.size() - behind.size()) + "/"
        + live.size(), "all on " + epoch, behind.isEmpty() ? "" : "not on epoch " + epoch + ": "
        + Format.list(behind)));
    lines.add(GateLine.of(GROUP, "stale instances", stale.isEmpty(), String.valueOf(stale.size()), "0",
        stale.isEmpty() ? "" : "silent for " + InstanceStatus.STALE_AFTER_INTERVALS + " intervals: "
            + Format.list(names(stale, false)) + " (stopped without closing, or cannot reach the status cluster)"));
    List<String> failing = live.stream().filter(i -> i.status().failingClosed())
        .map(i -> label(i) + ": " + i.status().failingClosedReason()).toList();
    lines.add(GateLine.of(GROUP, "failing closed", failing.isEmpty(), String.valueOf(failing.size()), "0",
        Format.list(failing)));
    List<String> refused = new ArrayList<>();
    for (InstanceStatus i : live) {
      for (Refusal r : i.status().recentRefusals()) {
        if (concernsRule(c, r) && r.at().isAfter(i.publishedAt().minusMillis(i.intervalMs()))) {
          refused.add(label(i) + " " + r.reason() + (r.topic() == null ? "" : " on " + r.topic()));
        }
      }
    }
    lines.add(GateLine.of(GROUP, "refusals last interval", refused.isEmpty(), String.valueOf(refused.size()), "0",
        Format.list(refused)));
    List<String> breakers = new ArrayList<>();
    for (InstanceStatus i : live) {
      for (ClusterStatus cluster : i.status().clusters()) {
        if (cluster.breaker() == BreakerState.OPEN || cluster.breaker() == BreakerState.HALF_OPEN) {
          breakers.add(label(i) + " " + cluster.alias() + " " + cluster.breaker());
        }
      }
    }
    lines.add(GateLine.of(GROUP, "open breakers", breakers.isEmpty(), String.valueOf(breakers.size()), "0",
        Format.list(breakers)));
    return lines;
  }

  private static boolean concernsRule(GateContext c, Refusal r) {
    if (r.topic() == null) {
      return true;
    }
    Rule rule = c.document().ruleFor(r.topic());
    return rule != null && rule.name().equals(c.rule().name());
  }

  private static List<String> names(List<InstanceStatus> instances, boolean withEpoch) {
    return instances.stream().map(i -> label(i) + (withEpoch ? " on " + i.epoch() : "")).toList();
  }

  static String label(InstanceStatus i) {
    return i.service() + "/" + i.clientId() + "@" + i.host();
  }
}
