package dev.turnout.cli.gate;

import dev.turnout.fleet.InstanceStatus;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientRole;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterIdCheck;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.ConsumerStatus;
import dev.turnout.status.Refusal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Instance statuses as the status topic carries them, for the checks that read the fleet. */
final class Statuses {

  private Statuses() {}

  static InstanceStatus producer(String id, long epoch, Instant publishedAt, BreakerState targetBreaker,
      List<Refusal> refusals) {
    ClientStatus status = new ClientStatus("client-" + id, ClientRole.PRODUCER, publishedAt, epoch, publishedAt, 10,
        false, null, null, List.of(cluster("onprem", BreakerState.CLOSED), cluster("cloud", targetBreaker)),
        List.of(), List.of(), null, null, refusals, Map.of(), id);
    return new InstanceStatus(id, "orders-api", "host-" + id, Map.of("onprem", "User:orders", "cloud",
        "User:orders"), publishedAt, 1000, 0, status);
  }

  static InstanceStatus consumer(String id, long epoch, Instant publishedAt, String group, String topic,
      String readCluster) {
    ConsumerStatus consumer = new ConsumerStatus(group, Map.of(topic, readCluster), List.of(), List.of(), List.of(),
        0, Map.of(), 0, 0, Double.NaN);
    ClientStatus status = new ClientStatus("client-" + id, ClientRole.CONSUMER, publishedAt, epoch, publishedAt, 10,
        false, null, null, List.of(cluster("onprem", BreakerState.DISABLED), cluster("cloud", BreakerState.DISABLED)),
        List.of(), List.of(), null, consumer, List.of(), Map.of(), id);
    return new InstanceStatus(id, "orders-reader", "host-" + id, Map.of("onprem", "ANONYMOUS"), publishedAt, 1000, 0,
        status);
  }

  private static ClusterStatus cluster(String alias, BreakerState breaker) {
    return new ClusterStatus(alias, breaker, -1, new ClusterIdCheck(null, null, ClusterIdCheck.Verdict.NOT_PINNED),
        0);
  }
}
