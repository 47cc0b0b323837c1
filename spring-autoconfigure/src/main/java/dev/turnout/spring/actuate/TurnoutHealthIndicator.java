package dev.turnout.spring.actuate;

import dev.turnout.RoutingProducer;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.source.AuthorityRefresher;
import dev.turnout.spring.TurnoutClients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * OUT_OF_SERVICE while Turnout fails closed (no valid authority map loaded, or the map is stale), so that a
 * load balancer stops sending work that would be refused; UP otherwise. Details: the epoch, the source, the
 * map's age, and the number of open clients and of those failing closed.
 */
public final class TurnoutHealthIndicator implements HealthIndicator {

  private final AuthorityRefresher monitor;
  private final TurnoutClients clients;

  /**
   * @param monitor a refresher of the application's authority source
   * @param clients the open clients
   */
  public TurnoutHealthIndicator(AuthorityRefresher monitor, TurnoutClients clients) {
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
    List<RoutingProducer<?, ?>> producers = clients.producers();
    long failing = producers.stream().filter(RoutingProducer::failingClosed).count();
    details.put("clients", producers.size());
    details.put("clientsFailingClosed", failing);
    List<String> reasons = new ArrayList<>();
    String reason = AuthorityStatus.failingClosedReason(monitor);
    if (reason != null) {
      reasons.add(reason);
    }
    if (failing > 0) {
      reasons.add(failing + " of " + producers.size() + " client(s) refuse every write (no valid or a stale map)");
    }
    if (reasons.isEmpty()) {
      return Health.up().withDetails(details).build();
    }
    details.put("failingClosed", String.join("; ", reasons));
    return Health.outOfService().withDetails(details).build();
  }
}
