package dev.turnout.spring.actuate;

import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.internal.cluster.Redaction;
import dev.turnout.internal.source.AuthorityRefresher;
import dev.turnout.spring.TurnoutClients;
import java.util.ArrayList;
import java.util.Collections;
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
 * rule and slice, the read cluster per topic (by the map) and per consumer group and topic (by the open
 * routing consumers), the producers' circuit breakers per cluster, the clusters' client settings with
 * secrets masked, the open clients, and the producers' most recent refusals.
 *
 * <p>Everything is read from the clients' metrics and monitoring accessors, which are safe to call from any
 * thread; a consumer's polling thread is never disturbed.
 */
@Endpoint(id = "turnout")
public final class TurnoutEndpoint {

  /** Refusals listed at most. */
  static final int MAX_REFUSALS = 20;

  private final AuthorityRefresher monitor;
  private final TurnoutClients clients;
  private final Map<String, Object> clientConfig;
  private final Map<String, Object> consumerConfig;

  /**
   * @param monitor a refresher of the application's authority source
   * @param clients the open clients
   * @param clientConfig the Turnout client configuration of the producers (for the cluster settings and the
   *     producer settings), or an empty map when unknown
   * @param consumerConfig the Turnout client configuration of the consumers (for the consumer settings), or an
   *     empty map when unknown
   */
  public TurnoutEndpoint(AuthorityRefresher monitor, TurnoutClients clients, Map<String, Object> clientConfig,
      Map<String, Object> consumerConfig) {
    this.monitor = monitor;
    this.clients = clients;
    this.clientConfig = Collections.unmodifiableMap(new LinkedHashMap<>(clientConfig));
    this.consumerConfig = Collections.unmodifiableMap(new LinkedHashMap<>(consumerConfig));
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
    Map<String, Map<String, TreeSet<String>>> byGroup = new TreeMap<>();
    List<Map<String, Object>> clientViews = new ArrayList<>();
    for (TurnoutClients.OpenConsumer open : clients.consumers()) {
      ConsumerView consumer = ConsumerView.of(open);
      clientViews.add(consumer.view());
      Map<String, TreeSet<String>> topics = byGroup.computeIfAbsent(
          open.groupId() == null ? NO_GROUP : open.groupId(), g -> new TreeMap<>());
      consumer.readClusters().forEach((topic, alias) -> topics.computeIfAbsent(topic, t -> new TreeSet<>()).add(alias));
    }
    Map<String, Map<String, List<String>>> groups = new TreeMap<>();
    byGroup.forEach((group, topics) -> {
      Map<String, List<String>> lists = new TreeMap<>();
      topics.forEach((topic, aliases) -> lists.put(topic, List.copyOf(aliases)));
      groups.put(group, lists);
    });
    reads.put("groups", groups);
    out.put("readClusters", reads);
    List<Map<String, Object>> refusals = new ArrayList<>();
    Map<String, Map<String, Object>> breakers = new TreeMap<>();
    for (RoutingProducer<?, ?> producer : clients.producers()) {
      ProducerView view = ProducerView.of(producer);
      clientViews.add(view.view());
      view.breakerStates().forEach((alias, state) -> {
        Map<String, Object> breaker = breakers.computeIfAbsent(alias, a -> {
          Map<String, Object> b = new LinkedHashMap<>();
          b.put("state", null);
          b.put("producers", new TreeMap<String, Integer>());
          b.put("maxFailureRate", null);
          return b;
        });
        @SuppressWarnings("unchecked")
        Map<String, Integer> byState = (Map<String, Integer>) breaker.get("producers");
        byState.merge(state, 1, Integer::sum);
        breaker.put("state", worse((String) breaker.get("state"), state));
        Double rate = view.failureRates().get(alias);
        if (rate != null && !rate.isNaN()
            && (breaker.get("maxFailureRate") == null || rate > (Double) breaker.get("maxFailureRate"))) {
          breaker.put("maxFailureRate", rate);
        }
      });
      for (RoutingProducer.RecentRefusal recent : producer.recentRefusals()) {
        OwnershipAmbiguousException refusal = recent.refusal();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("at", recent.at().toString());
        r.put("clientId", view.clientId());
        r.put("reason", refusal.reason().name());
        r.put("topic", refusal.topic());
        r.put("epoch", refusal.epoch());
        r.put("message", refusal.getMessage());
        refusals.add(r);
      }
    }
    out.put("breakers", breakers);
    out.put("clusters", clusters());
    out.put("settings", settings());
    clientViews.sort(Comparator.comparing((Map<String, Object> c) -> String.valueOf(c.get("type")))
        .thenComparing(c -> String.valueOf(c.get("clientId"))));
    refusals.sort(Comparator.comparing((Map<String, Object> r) -> (String) r.get("at")).reversed());
    out.put("clients", clientViews);
    out.put("recentRefusals", refusals.size() > MAX_REFUSALS ? refusals.subList(0, MAX_REFUSALS) : refusals);
    return out;
  }

  /** The group key of consumers without a group in {@code readClusters.groups}. */
  static final String NO_GROUP = "(no group)";

  /** Breaker states from the most to the least alarming. */
  private static final List<String> SEVERITY = List.of(ClusterBreaker.State.OPEN.name(),
      ClusterBreaker.State.HALF_OPEN.name(), ClusterBreaker.State.CLOSED.name(), ClusterBreaker.State.DISABLED.name());

  private static String worse(String a, String b) {
    if (a == null) {
      return b;
    }
    int ia = SEVERITY.indexOf(a);
    int ib = SEVERITY.indexOf(b);
    return ib >= 0 && (ia < 0 || ib < ia) ? b : a;
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

  /** The producers' cutover and breaker settings and the consumers' settings ({@code turnout.*} client keys). */
  private Map<String, Object> settings() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("producer", turnoutSettings(clientConfig));
    out.put("consumer", turnoutSettings(consumerConfig));
    return out;
  }

  private static Map<String, String> turnoutSettings(Map<String, Object> config) {
    Map<String, Object> settings = new TreeMap<>();
    config.forEach((key, value) -> {
      if (key.startsWith("turnout.") && !key.startsWith(TurnoutConfig.CLUSTER_PREFIX)
          && !key.equals(TurnoutConfig.CLUSTERS) && !key.equals(TurnoutConfig.AUTHORITY_SOURCE)) {
        settings.put(key, value);
      }
    });
    return Redaction.redact(settings);
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
}
