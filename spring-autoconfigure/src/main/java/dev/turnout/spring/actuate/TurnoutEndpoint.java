package dev.turnout.spring.actuate;

import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import dev.turnout.cluster.Redaction;
import dev.turnout.source.AuthorityRefresher;
import dev.turnout.spring.TurnoutClients;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The read-only actuator endpoint {@code turnout}: the authority epoch and document in force, the decision per
 * rule and slice, the read cluster per topic, the clusters' client settings with secrets masked, the open
 * clients, and their most recent refusals.
 *
 * <p>Fields the core does not expose yet are present and {@code null}, and listed under
 * {@code notAvailable}: read clusters per consumer group (they need the routing consumer) and breaker
 * states.
 */
@Endpoint(id = "turnout")
public final class TurnoutEndpoint {

  /** Refusals listed at most. */
  static final int MAX_REFUSALS = 20;

  private final AuthorityRefresher monitor;
  private final TurnoutClients clients;
  private final Map<String, Object> clientConfig;

  /**
   * @param monitor a refresher of the application's authority source
   * @param clients the open clients
   * @param clientConfig the Turnout client configuration of the producers (for the cluster settings), or an
   *     empty map when unknown
   */
  public TurnoutEndpoint(AuthorityRefresher monitor, TurnoutClients clients, Map<String, Object> clientConfig) {
    this.monitor = monitor;
    this.clients = clients;
    this.clientConfig = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(clientConfig));
  }

  /** The whole state, as described in the class comment. */
  @ReadOperation
  public Map<String, Object> turnout() {
    Map<String, Object> out = new LinkedHashMap<>();
    AuthorityMap map = monitor.map();
    String failingReason = AuthorityStatus.failingClosedReason(monitor);
    out.put("epoch", map == null ? -1 : map.epoch());
    out.put("source", monitor.source().description());
    out.put("failingClosed", failingReason != null);
    out.put("failingClosedReason", failingReason);
    out.put("mapAgeMs", monitor.ageMillis());
    out.put("maxStalenessMs", monitor.maxStalenessMillis());
    out.put("refreshes", monitor.refreshCount());
    out.put("readFailures", monitor.readFailureCount());
    InvalidAuthorityDocumentException rejection = monitor.lastRejection();
    out.put("lastRejection", rejection == null ? null : rejection.getMessage());
    out.put("document", map == null ? null : Redaction.redact(map.document()));
    out.put("rules", map == null ? List.of() : map.rules().stream().map(TurnoutEndpoint::rule).toList());
    Map<String, Object> reads = new LinkedHashMap<>();
    Map<String, String> byTopic = new TreeMap<>();
    Map<String, String> byPrefix = new TreeMap<>();
    if (map != null) {
      for (Rule rule : map.rules()) {
        rule.topics().forEach(topic -> byTopic.put(topic, rule.readCluster()));
        rule.prefixes().forEach(prefix -> byPrefix.put(prefix, rule.readCluster()));
      }
    }
    reads.put("topics", byTopic);
    reads.put("topicPrefixes", byPrefix);
    reads.put("groups", null);
    out.put("readClusters", reads);
    out.put("breakers", null);
    out.put("clusters", clusters());
    List<Map<String, Object>> clientViews = new ArrayList<>();
    List<Map<String, Object>> refusals = new ArrayList<>();
    for (RoutingProducer<?, ?> producer : clients.producers()) {
      String clientId = clientId(producer);
      Map<String, Object> client = new LinkedHashMap<>();
      client.put("clientId", clientId);
      client.put("type", "producer");
      client.put("epoch", producer.epoch());
      client.put("failingClosed", producer.failingClosed());
      clientViews.add(client);
      for (RoutingProducer.RecentRefusal recent : producer.recentRefusals()) {
        OwnershipAmbiguousException refusal = recent.refusal();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("at", recent.at().toString());
        view.put("clientId", clientId);
        view.put("reason", refusal.reason().name());
        view.put("topic", refusal.topic());
        view.put("epoch", refusal.epoch());
        view.put("message", refusal.getMessage());
        refusals.add(view);
      }
    }
    clientViews.sort(Comparator.comparing(c -> String.valueOf(c.get("clientId"))));
    refusals.sort(Comparator.comparing((Map<String, Object> r) -> (String) r.get("at")).reversed());
    out.put("clients", clientViews);
    out.put("recentRefusals", refusals.size() > MAX_REFUSALS ? refusals.subList(0, MAX_REFUSALS) : refusals);
    out.put("notAvailable", List.of("readClusters.groups: needs the routing consumer",
        "breakers: the core has no circuit breakers yet"));
    return out;
  }

  private static Map<String, Object> rule(Rule rule) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", rule.name());
    view.put("state", rule.state().name());
    view.put("topics", new TreeSet<>(rule.topics()));
    view.put("topicPrefixes", new TreeSet<>(rule.prefixes()));
    view.put("source", rule.source());
    view.put("target", rule.target());
    view.put("readCluster", rule.readCluster());
    view.put("writeOwners", rule.writeOwners());
    if (rule.sliced()) {
      List<Map<String, Object>> slices = new ArrayList<>();
      for (Slice slice : rule.slices()) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", slice.name());
        s.put("keys", slice.ranges().stream().map(Slice.KeyRange::toString).toList());
        s.put("buckets", slice.bucketCount());
        s.put("owner", slice.owner());
        slices.add(s);
      }
      view.put("slices", slices);
      view.put("nullKeyOwner", rule.nullKeyOwner());
    } else {
      view.put("writesTo", rule.unslicedRoute().owner());
    }
    return view;
  }

  private Map<String, Object> clusters() {
    Map<String, Object> common = new LinkedHashMap<>();
    Map<String, Map<String, Object>> perCluster = new TreeMap<>();
    clientConfig.forEach((key, value) -> {
      if (key.startsWith(TurnoutConfig.CLUSTER_PREFIX)) {
        String rest = key.substring(TurnoutConfig.CLUSTER_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot > 0) {
          perCluster.computeIfAbsent(rest.substring(0, dot), a -> new TreeMap<>()).put(rest.substring(dot + 1), value);
        }
      } else if (!key.startsWith("turnout.")) {
        common.put(key, value);
      }
    });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("common", Redaction.redact(common));
    Map<String, Object> aliases = new LinkedHashMap<>();
    perCluster.forEach((alias, config) -> aliases.put(alias, Redaction.redact(config)));
    out.put("byAlias", aliases);
    return out;
  }

  private static String clientId(RoutingProducer<?, ?> producer) {
    return producer.metrics().keySet().stream()
        .filter(name -> TurnoutClients.METRIC_GROUP.equals(name.group()))
        .map(name -> name.tags().get("client-id"))
        .filter(id -> id != null)
        .findFirst().orElse("unknown");
  }
}
