package dev.turnout.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Grouping, epochs, staleness and stragglers of a fleet. */
class FleetViewTest {

  private static final Instant NOW = Instant.parse("2026-12-05T04:00:00Z");

  private static InstanceStatus instance(String id, String service, long epoch, Instant publishedAt, long interval) {
    return new InstanceStatus(id, service, "h", Map.of(), publishedAt, interval, 0,
        StatusRecordsTest.producerStatus(id, epoch));
  }

  @Test
  void groupsByServiceReportsEpochsStaleInstancesAndStragglers() {
    InstanceStatus a1 = instance("a1", "billing", 8, NOW.minusSeconds(5), 10_000);
    InstanceStatus a2 = instance("a2", "billing", 7, NOW.minusSeconds(29), 10_000); // 3 intervals = 30 s: live
    InstanceStatus b1 = instance("b1", "orders", 7, NOW.minusSeconds(31), 10_000); // silent for > 3 intervals
    InstanceStatus b2 = instance("b2", "orders", 6, NOW.minusMillis(350), 100); // 3 x 100 ms: stale
    FleetView view = new FleetView(NOW, List.of(b2, a2, b1, a1), 1);

    assertThat(view.instances()).extracting(InstanceStatus::instanceId).containsExactly("a1", "a2", "b1", "b2");
    assertThat(view.byService()).containsOnlyKeys("billing", "orders");
    assertThat(view.byService().get("orders")).extracting(InstanceStatus::instanceId).containsExactly("b1", "b2");
    assertThat(view.epochOf("a2")).hasValue(7);
    assertThat(view.epochOf("gone")).isEmpty();
    assertThat(view.instance("b1")).isSameAs(b1);
    assertThat(view.stale(NOW)).extracting(InstanceStatus::instanceId).containsExactly("b1", "b2");
    assertThat(view.stale(NOW.minusSeconds(10))).isEmpty();
    assertThat(view.stragglers(8)).extracting(InstanceStatus::instanceId).containsExactly("a2");
    assertThat(view.stragglers(7)).isEmpty();
    assertThat(view.skipped()).isEqualTo(1);
  }
}
