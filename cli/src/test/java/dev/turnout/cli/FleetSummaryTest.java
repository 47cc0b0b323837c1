package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.cli.json.Json;
import dev.turnout.fleet.FleetView;
import dev.turnout.fleet.InstanceStatus;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientRole;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterIdCheck;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.Refusal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Help.Ansi;

/** What {@code status} judges red, on fleets built from typed snapshots (the broker path is in ClusterCommandsIT). */
class FleetSummaryTest {

  private static final Instant NOW = Instant.parse("2026-12-05T04:00:00Z");

  private static InstanceStatus instance(String id, long epoch, BreakerState cloudBreaker, List<Refusal> refusals,
      Map<String, Long> totals) {
    ClientStatus status = new ClientStatus("client-" + id, ClientRole.PRODUCER, NOW, epoch, NOW.minusSeconds(60), 10,
        false, null, null,
        List.of(new ClusterStatus("onprem", BreakerState.CLOSED, 0, ClusterIdCheck.NOT_PINNED, 5),
            new ClusterStatus("cloud", cloudBreaker, 80.0, ClusterIdCheck.NOT_PINNED, 5)),
        List.of(), List.of(), null, null, refusals, totals, id);
    return new InstanceStatus(id, "orders-api", "host-" + id, Map.of(), NOW.minusSeconds(1), 10_000, 0, status);
  }

  private static InstanceStatus healthy(String id, long epoch) {
    return instance(id, epoch, BreakerState.CLOSED, List.of(), Map.of());
  }

  private static FleetSummary summary(InstanceStatus... instances) {
    return new FleetSummary(new FleetView(NOW, List.of(instances), 0), NOW);
  }

  @Test
  void aHealthyFleetOnOneEpochIsGreen() {
    FleetSummary summary = summary(healthy("a", 7), healthy("b", 7));

    assertThat(summary.red()).isFalse();
    assertThat(summary.newestEpoch).isEqualTo(7);
  }

  @Test
  void anInstanceOnAnOlderEpochIsAStraggler() {
    FleetSummary summary = summary(healthy("a", 7), healthy("b", 6));

    assertThat(summary.red()).isTrue();
    assertThat(summary.stragglers).extracting(InstanceStatus::instanceId).containsExactly("b");
    assertThat(summary.health(summary.view.instance("b"))).isEqualTo("straggler");
  }

  @Test
  void anOpenOrHalfOpenBreakerIsRedAndPrintedWithItsCluster() {
    FleetSummary summary = summary(healthy("a", 7), instance("b", 7, BreakerState.OPEN, List.of(), Map.of()),
        instance("c", 7, BreakerState.HALF_OPEN, List.of(), Map.of()));

    assertThat(summary.red()).isTrue();
    assertThat(summary.breakers).extracting(b -> b.instance().instanceId() + "/" + b.cluster().alias())
        .containsExactly("b/cloud", "c/cloud");
    StringWriter out = new StringWriter();
    StatusCommand.StatusOutput.print(new PrintWriter(out), Ansi.OFF, summary, "turnout-status");
    assertThat(out.toString()).containsPattern("orders-api +host-b +client-b +cloud +OPEN +80.0%");
  }

  @Test
  void onlyRefusalsWithinTheLastIntervalCount() {
    Refusal recent = new Refusal("STALE_AUTHORITY_MAP", "orders", 7, "stale", NOW.minusSeconds(5));
    Refusal old = new Refusal("NO_MATCHING_RULE", "audit", 7, "no rule", NOW.minusSeconds(3600));
    FleetSummary summary = summary(instance("a", 7, BreakerState.CLOSED, List.of(recent, old),
        Map.of("STALE_AUTHORITY_MAP", 42L, "NO_MATCHING_RULE", 3L)));

    assertThat(summary.red()).isTrue();
    assertThat(summary.refusing).extracting(FleetSummary.Refusing::reason, FleetSummary.Refusing::total)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("STALE_AUTHORITY_MAP", 42L));
    assertThat(summary.refusingByReason()).containsExactly(Map.entry("STALE_AUTHORITY_MAP", 1L));
  }

  @Test
  void oldRefusalsAloneKeepTheFleetGreen() {
    Refusal old = new Refusal("NO_MATCHING_RULE", "audit", 7, "no rule", NOW.minusSeconds(3600));

    assertThat(summary(instance("a", 7, BreakerState.CLOSED, List.of(old), Map.of("NO_MATCHING_RULE", 3L))).red())
        .isFalse();
  }

  @Test
  void jsonNamesEveryRedReason() throws Exception {
    FleetSummary summary = summary(healthy("a", 7), healthy("b", 6));

    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Json.write(
        StatusCommand.StatusOutput.json(summary)));

    assertThat(json.get("red").asBoolean()).isTrue();
    assertThat(json.get("stragglers").get(0).asText()).isEqualTo("b");
    assertThat(json.get("newestEpoch").asLong()).isEqualTo(7);
  }
}
