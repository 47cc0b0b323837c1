package dev.turnout.spring.actuate;

import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import dev.turnout.source.AuthorityListener;
import dev.turnout.source.AuthorityRefresher;
import dev.turnout.spring.TurnoutClients;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters of Turnout's routing (names as Micrometer writes them; a registry may render them in its
 * own convention, e.g. {@code turnout_records_routed_total} in Prometheus):
 *
 * <ul>
 *   <li>{@code turnout.records.routed} (counter, tag {@code cluster}): records handed to that cluster's client;
 *   <li>{@code turnout.records.refused} (counter, tag {@code reason}): refused writes;
 *   <li>{@code turnout.authority.epoch} (gauge): epoch in force, -1 before the first map;
 *   <li>{@code turnout.authority.map.age} (time gauge): time since the last successful refresh;
 *   <li>{@code turnout.authority.failing.closed} (gauge): 1 while every decision is refused, else 0;
 *   <li>{@code turnout.authority.refreshes}, {@code turnout.authority.read.failures} (counters);
 *   <li>{@code turnout.authority.documents.rejected} (counter, tag {@code reason}): distinct rejected documents;
 *   <li>{@code turnout.authority.ownership} (gauge, tags {@code rule}, {@code slice}, {@code cluster}): the
 *       share (0-1) of a rule's key buckets whose writes the cluster owns in the map in force, one row per
 *       rule and slice ({@code slice="-"} for an unsliced rule).
 * </ul>
 *
 * <p>Record and refusal counts are summed over every producer of the application, including producers
 * already closed; the authority meters come from the application's authority monitor.
 */
public final class TurnoutMeterBinder implements MeterBinder {

  private final AuthorityRefresher monitor;
  private final TurnoutClients clients;
  private final List<String> clusters;

  /**
   * @param monitor a refresher of the application's authority source
   * @param clients the open clients
   * @param clusters the declared cluster aliases
   */
  public TurnoutMeterBinder(AuthorityRefresher monitor, TurnoutClients clients, List<String> clusters) {
    this.monitor = monitor;
    this.clients = clients;
    this.clusters = List.copyOf(clusters);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (String cluster : clusters) {
      FunctionCounter.builder("turnout.records.routed", clients,
              c -> c.total("records-routed-total", "cluster", cluster))
          .description("Records handed to the owner cluster's client").tag("cluster", cluster).register(registry);
    }
    for (OwnershipAmbiguousException.Reason reason : OwnershipAmbiguousException.Reason.values()) {
      FunctionCounter.builder("turnout.records.refused", clients,
              c -> c.total("records-refused-total", "reason", reason.name()))
          .description("Writes refused because ownership was ambiguous").tag("reason", reason.name())
          .register(registry);
    }
    Gauge.builder("turnout.authority.epoch", monitor, m -> {
      AuthorityMap map = m.map();
      return map == null ? -1 : map.epoch();
    }).description("Epoch of the authority map in force (-1 when none)").register(registry);
    TimeGauge.builder("turnout.authority.map.age", monitor, TimeUnit.MILLISECONDS, AuthorityRefresher::ageMillis)
        .description("Time since the last successful authority refresh (negative before the first)")
        .register(registry);
    Gauge.builder("turnout.authority.failing.closed", monitor,
            m -> AuthorityStatus.failingClosedReason(m) == null ? 0 : 1)
        .description("1 while every routing decision is refused (no valid map, or a stale one)").register(registry);
    FunctionCounter.builder("turnout.authority.refreshes", monitor, AuthorityRefresher::refreshCount)
        .description("Successful authority refreshes").register(registry);
    FunctionCounter.builder("turnout.authority.read.failures", monitor, AuthorityRefresher::readFailureCount)
        .description("Authority source reads that failed").register(registry);
    for (DocumentProblem.Kind kind : DocumentProblem.Kind.values()) {
      FunctionCounter.builder("turnout.authority.documents.rejected", monitor, m -> m.rejectionCount(kind))
          .description("Distinct authority documents rejected, by problem").tag("reason", kind.name())
          .register(registry);
    }
    MultiGauge ownership = MultiGauge.builder("turnout.authority.ownership")
        .description("Share of a rule's key buckets whose writes the cluster owns").register(registry);
    ownership.register(rows(monitor.map()), true);
    monitor.addListener(new AuthorityListener() {
      @Override
      public void onInstalled(AuthorityMap previous, AuthorityMap current) {
        ownership.register(rows(current), true);
      }
    });
  }

  private static List<MultiGauge.Row<?>> rows(AuthorityMap map) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    if (map == null) {
      return rows;
    }
    for (Rule rule : map.rules()) {
      if (!rule.sliced()) {
        rows.add(row(rule.name(), "-", rule.unslicedRoute().owner(), 1.0));
        continue;
      }
      for (Slice slice : rule.slices()) {
        rows.add(row(rule.name(), slice.name(), slice.owner(), slice.bucketCount() / (double) AuthorityMap.BUCKETS));
      }
    }
    return rows;
  }

  private static MultiGauge.Row<?> row(String rule, String slice, String cluster, double share) {
    return MultiGauge.Row.of(Tags.of("rule", rule, "slice", slice, "cluster", cluster), share);
  }
}
