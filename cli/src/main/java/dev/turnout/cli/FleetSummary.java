package dev.turnout.cli;

import dev.turnout.fleet.FleetView;
import dev.turnout.fleet.InstanceStatus;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.Refusal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code turnout status} judges in a {@link FleetView}: the newest epoch applied by a live instance, stale
 * instances, stragglers on an older epoch, breakers not closed, and refusals within each instance's last
 * publication interval. Anything of these makes the fleet {@linkplain #red() red}.
 */
final class FleetSummary {

  /** A breaker that is open or half-open. */
  record Breaker(InstanceStatus instance, ClusterStatus cluster) {}

  /**
   * A reason an instance refused within its last interval.
   *
   * @param instance the instance
   * @param reason the refusal reason
   * @param total the instance's refusals of this reason since it opened
   * @param last the newest refusal of this reason
   */
  record Refusing(InstanceStatus instance, String reason, long total, Refusal last) {}

  final FleetView view;
  final Instant now;
  final long newestEpoch;
  final List<InstanceStatus> stale;
  final List<InstanceStatus> stragglers;
  final List<Breaker> breakers = new ArrayList<>();
  final List<Refusing> refusing = new ArrayList<>();

  FleetSummary(FleetView view, Instant now) {
    this.view = view;
    this.now = now;
    this.stale = view.stale(now);
    this.newestEpoch = view.instances().stream().filter(i -> !i.staleAt(now)).mapToLong(InstanceStatus::epoch)
        .max().orElse(-1);
    this.stragglers = view.stragglers(newestEpoch);
    for (InstanceStatus instance : view.instances()) {
      for (ClusterStatus cluster : instance.status().clusters()) {
        if (cluster.breaker() == BreakerState.OPEN || cluster.breaker() == BreakerState.HALF_OPEN) {
          breakers.add(new Breaker(instance, cluster));
        }
      }
      Instant since = instance.publishedAt().minusMillis(instance.intervalMs());
      for (Refusal refusal : instance.status().recentRefusals()) {
        if (refusal.at() != null && refusal.at().isAfter(since)) {
          refusing.add(new Refusing(instance, refusal.reason(),
              instance.status().refusals().getOrDefault(refusal.reason(), 0L), refusal));
        }
      }
    }
  }

  /** Whether anything is stale, straggling, open or refusing. */
  boolean red() {
    return !stale.isEmpty() || !stragglers.isEmpty() || !breakers.isEmpty() || !refusing.isEmpty();
  }

  /** Instances ordered by service, role, host and client id. */
  List<InstanceStatus> instances() {
    return view.instances().stream().sorted(Comparator.comparing(InstanceStatus::service)
        .thenComparing(i -> i.role().name()).thenComparing(InstanceStatus::host)
        .thenComparing(InstanceStatus::clientId)).toList();
  }

  /** Refusals in the last interval summed per reason over the instances refusing. */
  Map<String, Long> refusingByReason() {
    Map<String, Long> counts = new TreeMap<>();
    refusing.forEach(r -> counts.merge(r.reason(), 1L, Long::sum));
    return counts;
  }

  /** One word for an instance: {@code stale}, {@code straggler}, {@code failing-closed} or {@code ok}. */
  String health(InstanceStatus instance) {
    if (stale.contains(instance)) {
      return "stale";
    }
    if (stragglers.contains(instance)) {
      return "straggler";
    }
    if (instance.status().failingClosed()) {
      return "failing-closed";
    }
    return "ok";
  }
}
