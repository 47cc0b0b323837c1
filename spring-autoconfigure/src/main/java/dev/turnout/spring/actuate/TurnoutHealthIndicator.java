package dev.turnout.spring.actuate;

import dev.turnout.AuthorityMonitor;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * OUT_OF_SERVICE while Turnout fails closed (no valid authority map loaded, or the map is stale, or an open
 * producer refuses every write for that reason), so that a load balancer stops sending work that would be
 * refused, and while an open routing consumer has a partition blocked at a boundary it could not verify
 * (its records are not processed until an operator decides); UP otherwise. Details: the epoch, the source,
 * the map's age, the number of open producers and of those failing closed, the number of open consumers and
 * of their blocked partitions, and the clusters whose circuit breaker is open in some producer.
 */
public final class TurnoutHealthIndicator implements HealthIndicator {

  private final AuthorityMonitor monitor;
  private final TurnoutClients clients;

  /**
   * @param monitor the monitor of the application's authority source
   * @param clients the open clients
   */
  public TurnoutHealthIndicator(AuthorityMonitor monitor, TurnoutClients clients) {
    this.monitor = monitor;
    this.clients = clients;
  }

  @Override
  public Health health() {
    Map<String, Object> details = new LinkedHashMap<>();
    AuthorityMap map = monitor.map();
    details.put("epoch", map == null ? -1 : map.epoch());
    details.put("source", monitor.source().description());
    details.put("mapAgeMs", monitor.ageMillis());
    long producers = 0;
    long failing = 0;
    long consumers = 0;
    long blocked = 0;
    TreeSet<String> openBreakers = new TreeSet<>();
    for (ClientStatus status : clients.statuses()) {
      if (status.role().isConsumer()) {
        consumers++;
        blocked += status.consumer().blocked().size();
        continue;
      }
      producers++;
      if (status.failingClosed()) {
        failing++;
      }
      for (ClusterStatus cluster : status.clusters()) {
        if (cluster.breaker() == BreakerState.OPEN) {
          openBreakers.add(cluster.alias());
        }
      }
    }
    details.put("clients", (int) producers);
    details.put("clientsFailingClosed", failing);
    details.put("consumers", (int) consumers);
    details.put("partitionsBlocked", blocked);
    details.put("openBreakers", openBreakers);
    List<String> reasons = new ArrayList<>();
    String reason = monitor.failingClosedReason();
    if (reason != null) {
      reasons.add(reason);
    }
    if (failing > 0) {
      reasons.add(failing + " of " + producers + " client(s) refuse every write (no valid or a stale map)");
    }
    if (blocked > 0) {
      reasons.add(blocked + " partition(s) blocked at a read boundary that could not be verified: their records are "
          + "not processed until the application seeks them, they are revoked, or a later epoch moves their topic "
          + "(see docs/consumers.md)");
    }
    if (reasons.isEmpty()) {
      return Health.up().withDetails(details).build();
    }
    details.put("failingClosed", String.join("; ", reasons));
    return Health.outOfService().withDetails(details).build();
  }
}
