package dev.turnout.cli.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.fleet.FleetView;
import dev.turnout.fleet.InstanceStatus;
import dev.turnout.status.BreakerState;
import dev.turnout.status.Refusal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetCheckTest {

  private static final Instant NOW = Instant.parse("2026-12-05T04:00:00Z");
  private static final AuthorityMap DOCUMENT = AuthorityMap.parse(Map.of("epoch", "7", "source", "onprem",
      "target", "cloud", "rule.orders.topics", "orders", "rule.orders.state", "MIRROR",
      "rule.audit.topics", "audit", "rule.audit.state", "MIRROR"), List.of("onprem", "cloud"));

  @Test
  void withoutAStatusTopicTheFleetIsGreyNeverGreen() {
    List<GateLine> lines = new FleetCheck().evaluate(context(GateContext.Fleet.notGiven()));

    assertThat(lines).singleElement().satisfies(l -> {
      assertThat(l.status()).isEqualTo(Status.GREY);
      assertThat(l.detail()).contains("--status-topic");
    });
  }

  @Test
  void anUnreadableStatusTopicIsRed() {
    List<GateLine> lines = new FleetCheck().evaluate(context(GateContext.Fleet.unreadable("no such topic")));

    assertThat(lines).singleElement().extracting(GateLine::status).isEqualTo(Status.RED);
  }

  @Test
  void aHealthyFleetOnTheEpochIsGreen() {
    List<GateLine> lines = evaluate(producer("a", 7, BreakerState.CLOSED, List.of()),
        producer("b", 7, BreakerState.CLOSED, List.of()));

    assertThat(lines).extracting(GateLine::status).containsOnly(Status.GREEN);
    assertThat(line(lines, "epoch applied").live()).isEqualTo("2/2");
  }

  @Test
  void anInstanceOnAnOldEpochIsRedAndNamed() {
    List<GateLine> lines = evaluate(producer("a", 7, BreakerState.CLOSED, List.of()),
        producer("b", 6, BreakerState.CLOSED, List.of()));

    GateLine epoch = line(lines, "epoch applied");
    assertThat(epoch.status()).isEqualTo(Status.RED);
    assertThat(epoch.detail()).contains("orders-api/client-b@host-b on 6");
  }

  @Test
  void aStaleInstanceIsRed() {
    InstanceStatus silent = Statuses.producer("old", 7, NOW.minus(Duration.ofMinutes(5)), BreakerState.CLOSED,
        List.of());
    List<GateLine> lines = evaluate(producer("a", 7, BreakerState.CLOSED, List.of()), silent);

    assertThat(line(lines, "stale instances").status()).isEqualTo(Status.RED);
    assertThat(line(lines, "stale instances").live()).isEqualTo("1");
  }

  @Test
  void anOpenOrHalfOpenBreakerIsRed() {
    List<GateLine> lines = evaluate(producer("a", 7, BreakerState.OPEN, List.of()),
        producer("b", 7, BreakerState.HALF_OPEN, List.of()));

    GateLine breakers = line(lines, "open breakers");
    assertThat(breakers.status()).isEqualTo(Status.RED);
    assertThat(breakers.live()).isEqualTo("2");
    assertThat(breakers.detail()).contains("cloud OPEN").contains("cloud HALF_OPEN");
  }

  @Test
  void aRefusalOfTheRuleInTheLastIntervalIsRedButOneOfAnotherRuleOrOlderIsNot() {
    Refusal recent = new Refusal("NOT_OWNER", "orders", 7, "refused", NOW.minusMillis(100));
    Refusal otherRule = new Refusal("NOT_OWNER", "audit", 7, "refused", NOW.minusMillis(100));
    Refusal old = new Refusal("NOT_OWNER", "orders", 6, "refused", NOW.minus(Duration.ofMinutes(1)));

    assertThat(line(evaluate(producer("a", 7, BreakerState.CLOSED, List.of(recent))), "refusals last interval")
        .status()).isEqualTo(Status.RED);
    assertThat(line(evaluate(producer("a", 7, BreakerState.CLOSED, List.of(otherRule, old))),
        "refusals last interval").status()).isEqualTo(Status.GREEN);
  }

  @Test
  void noLiveInstanceIsRed() {
    List<GateLine> lines = evaluate();

    assertThat(line(lines, "live instances").status()).isEqualTo(Status.RED);
  }

  private static InstanceStatus producer(String id, long epoch, BreakerState breaker, List<Refusal> refusals) {
    return Statuses.producer(id, epoch, NOW.minusMillis(50), breaker, refusals);
  }

  private static List<GateLine> evaluate(InstanceStatus... instances) {
    return new FleetCheck().evaluate(context(GateContext.Fleet.of(new FleetView(NOW, List.of(instances), 0))));
  }

  static GateContext context(GateContext.Fleet fleet) {
    return GateContext.builder(DOCUMENT, DOCUMENT.rules().stream().filter(r -> r.name().equals("orders"))
            .findFirst().orElseThrow(), MigrationState.DUAL_READ)
        .clusters(new Cluster("onprem", Map.of(), Duration.ofSeconds(1)),
            new Cluster("cloud", Map.of(), Duration.ofSeconds(1)))
        .fleet(fleet).now(NOW).build();
  }

  private static GateLine line(List<GateLine> lines, String name) {
    return lines.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
  }
}
