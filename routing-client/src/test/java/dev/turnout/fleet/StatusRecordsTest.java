package dev.turnout.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.internal.fleet.StatusDocument;
import dev.turnout.status.BarrierStatus;
import dev.turnout.status.BlockedPartition;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientRole;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterIdCheck;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.ConsumerStatus;
import dev.turnout.status.CutoverStatus;
import dev.turnout.status.PartitionRef;
import dev.turnout.status.Refusal;
import dev.turnout.status.RouteStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A status record's value: written by the clients ({@link StatusDocument}), read back by the reader. */
class StatusRecordsTest {

  static final Instant T0 = Instant.parse("2026-12-05T03:00:00.123456789Z");
  static final String ID = "6f1c2a1e-8d4b-4c55-9a0e-3f2b7c9d1e00";

  static ClientStatus producerStatus(String instanceId) {
    return producerStatus(instanceId, 7);
  }

  static ClientStatus producerStatus(String instanceId, long epoch) {
    return new ClientStatus("orders-api-3", ClientRole.PRODUCER, T0, epoch, T0.minusSeconds(60), 120, true,
        "stale \"map\"\nsince 5 min", "rule 'x': bad é", List.of(
            new ClusterStatus("onprem", BreakerState.OPEN, 62.5, ClusterIdCheck.NOT_PINNED, 1000),
            new ClusterStatus("cloud", BreakerState.CLOSED, -1, new ClusterIdCheck("abc", "abd",
                ClusterIdCheck.Verdict.MISMATCH), 0)),
        List.of(new RouteStatus("orders", "canary", true, "cloud", null, Map.of("cloud", 5L, "onprem", 2L)),
            new RouteStatus("orders", "null-key", true, null, "NULL_KEY_NOT_ROUTABLE", Map.of())),
        List.of(new BarrierStatus("orders", List.of("canary", "-"), "onprem", "cloud", 6, 7, "WAITING", 12,
            T0.minusMillis(1500))),
        new CutoverStatus(3, 4, 1, 1, 12, 4096, 250.5, Double.NaN), null,
        List.of(new Refusal("STALE_AUTHORITY_MAP", null, 7, "no refresh \u2028 for 5 min", T0)),
        Map.of("STALE_AUTHORITY_MAP", 3L, "NO_MATCHING_RULE", 0L), instanceId);
  }

  static ClientStatus consumerStatus(String instanceId) {
    return new ClientStatus("billing-12", ClientRole.VALIDATION_CONSUMER, T0, -1, null, -1, false, null, null,
        List.of(new ClusterStatus("onprem", BreakerState.DISABLED, -1, ClusterIdCheck.NOT_PINNED, 9)),
        List.of(), List.of(), null,
        new ConsumerStatus("billing.turnout-validation", Map.of("orders", "cloud", "refunds", "onprem"),
            List.of(new BlockedPartition("orders", 3, "cloud", "LAST_RECORD_NOT_FOUND", "not replicated yet")),
            List.of(new PartitionRef("refunds", 0)), List.of("invoices"), 2, Map.of("verified", 4L), 1, 0,
            Double.NaN),
        List.of(), Map.of(), instanceId);
  }

  private static StatusDocument.Identity identity(long interval) {
    return new StatusDocument.Identity(ID, "orders-api", "host-1.example", Map.of("onprem", "User:alice",
        "cloud", "ANONYMOUS"), interval);
  }

  @Test
  void aFullProducerStatusReadsBackEqual() {
    ClientStatus status = producerStatus(ID);

    InstanceStatus read = StatusRecords.parse(StatusDocument.render(status, identity(5000), T0.plusSeconds(1), 4));

    assertThat(read.status()).isEqualTo(status);
    assertThat(read).isEqualTo(new InstanceStatus(ID, "orders-api", "host-1.example",
        Map.of("onprem", "User:alice", "cloud", "ANONYMOUS"), T0.plusSeconds(1), 5000, 4, status));
    assertThat(read.clientId()).isEqualTo("orders-api-3");
    assertThat(read.role()).isEqualTo(ClientRole.PRODUCER);
    assertThat(read.epoch()).isEqualTo(7);
    assertThat(read.epochSince()).isEqualTo(T0.minusSeconds(60));
  }

  @Test
  void aFullConsumerStatusReadsBackEqual() {
    ClientStatus status = consumerStatus(ID);

    InstanceStatus read = StatusRecords.parse(StatusDocument.render(status, identity(100), T0, 0));

    assertThat(read.status()).isEqualTo(status);
    assertThat(read.status().consumer().switchDurationMaxMs()).isNaN();
  }

  @Test
  void theDocumentHasTheDocumentedFields() {
    String json = new String(StatusDocument.render(producerStatus(ID), identity(5000), T0, 0), StandardCharsets.UTF_8);

    assertThat(json).startsWith("{\"format\":1,\"instanceId\":\"" + ID + "\",\"clientId\":\"orders-api-3\","
        + "\"service\":\"orders-api\",\"host\":\"host-1.example\",\"role\":\"PRODUCER\",")
        .contains("\"principals\":{\"cloud\":\"ANONYMOUS\",\"onprem\":\"User:alice\"}")
        .contains("\"barrierWaitP99Ms\":null").contains("\"intervalMs\":5000");
  }

  @Test
  void aRecordThatIsNotAStatusIsRefusedWithTheReason() {
    assertThatThrownBy(() -> StatusRecords.parse("{\"format\":1,".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON")
        .hasMessageContaining("at position 12");
    assertThatThrownBy(() -> StatusRecords.parse("{\"format\":2}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("format 2 is not known");
    String withoutHost = new String(StatusDocument.render(producerStatus(ID), identity(5000), T0, 0),
        StandardCharsets.UTF_8).replace("\"host\":\"host-1.example\",", "");
    assertThatThrownBy(() -> StatusRecords.parse(withoutHost.getBytes(StandardCharsets.UTF_8)))
        .hasMessage("field 'host' is missing");
    String badRecords = new String(StatusDocument.render(producerStatus(ID), identity(5000), T0, 0),
        StandardCharsets.UTF_8).replace("\"records\":1000", "\"records\":\"many\"");
    assertThatThrownBy(() -> StatusRecords.parse(badRecords.getBytes(StandardCharsets.UTF_8)))
        .hasMessage("field 'clusters[0].records' must be an integer");
  }
}
