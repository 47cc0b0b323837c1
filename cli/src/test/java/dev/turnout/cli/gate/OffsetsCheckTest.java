package dev.turnout.cli.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.fleet.FleetView;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OffsetsCheckTest {

  private static final Instant NOW = Instant.parse("2026-12-05T04:00:00Z");

  @Test
  void aGroupReadingTheDocumentsReadClusterIsGreen() {
    GateLine line = reads(Statuses.consumer("a", 7, NOW, "billing", "orders", "onprem"),
        Statuses.consumer("b", 7, NOW, "billing", "orders", "onprem"));

    assertThat(line.status()).isEqualTo(Status.GREEN);
    assertThat(line.live()).isEqualTo("onprem");
    assertThat(line.detail()).isEqualTo("2 instance(s)");
  }

  @Test
  void aGroupSplitBetweenClustersIsRed() {
    GateLine line = reads(Statuses.consumer("a", 7, NOW, "billing", "orders", "onprem"),
        Statuses.consumer("b", 7, NOW, "billing", "orders", "cloud"));

    assertThat(line.status()).isEqualTo(Status.RED);
    assertThat(line.live()).isEqualTo("cloud,onprem");
    assertThat(line.detail()).contains("must read only onprem");
  }

  @Test
  void aGroupNoInstanceReportsIsGreyAndSoIsEveryGroupWithoutStatuses() {
    GateLine other = reads(Statuses.consumer("a", 7, NOW, "shipping", "orders", "onprem"));
    GateLine none = OffsetsCheck.reads(FleetCheckTest.context(GateContext.Fleet.notGiven()), "billing",
        Set.of("orders"), "onprem");

    assertThat(other.status()).isEqualTo(Status.GREY);
    assertThat(other.detail()).contains("no instance of the group");
    assertThat(none.status()).isEqualTo(Status.GREY);
    assertThat(none.detail()).contains("--status-topic");
  }

  private static GateLine reads(dev.turnout.fleet.InstanceStatus... instances) {
    GateContext c = FleetCheckTest.context(GateContext.Fleet.of(new FleetView(NOW, List.of(instances), 0)));
    return OffsetsCheck.reads(c, "billing", Set.of("orders"), c.rule().readCluster());
  }
}
