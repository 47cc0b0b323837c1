package dev.turnout.spring.actuate;

import dev.turnout.AuthorityMonitor;
import dev.turnout.SecretRedaction;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterIdCheck;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.Refusal;
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
 * <p>Everything is read from the {@link AuthorityMonitor} and the clients' {@link ClientStatus} snapshots, which
 * are safe to take from any thread; a consumer's polling thread is never disturbed.
 */
@Endpoint(id = "turnout")
public final class TurnoutEndpoint {

  /** Refusals listed at most. */
  static final int MAX_REFUSALS = 20;

  private final AuthorityMonitor monitor;
  private final TurnoutClients clients;
  private final Map<String, Object> clientConfig;
  private final Map<String, Object> consumerConfig;

  /**
   * @param monitor the monitor of the application's authority source
   * @param clients the open clients
   * @param clientConfig the Turnout client configuration of the producers (for the cluster settings and the
   *     producer settings), or an empty map when unknown
   * @param consumerConfig the Turnout client configuration of the consumers (for the consumer settings), or an
   *     empty map when unknown
   */
  public TurnoutEndpoint(AuthorityMonitor monitor, TurnoutClients clients, Map<String, Object> clientConfig,
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
    String failingReason = monitor.failingClosedReason();
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
    out.put("document", map == null ? null : SecretRedaction.redact(map.document()));
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
    List<Map<String, Object>> refusals = new ArrayList<>();
    Map<String, Map<String, Object>> breakers = new TreeMap<>();
    for (ClientStatus status : clients.statuses()) {
      if (status.role().isConsumer()) {
        clientViews.add(consumerView(status));
        String group = status.consumer().groupId();
        Map<String, TreeSet<String>> topics = byGroup.computeIfAbsent(group == null ? NO_GROUP : group,
            g -> new TreeMap<>());
        status.consumer().readClusters()
            .forEach((topic, alias) -> topics.computeIfAbsent(topic, t -> new TreeSet<>()).add(alias));
        continue;
      }
      clientViews.add(producerView(status));
      for (ClusterStatus cluster : status.clusters()) {
        addBreaker(breakers, cluster);
      }
      for (Refusal recent : status.recentRefusals()) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("at", recent.at().toString());
        r.put("clientId", status.clientId());
        r.put("reason", recent.reason());
        r.put("topic", recent.topic());
        r.put("epoch", recent.epoch());
        r.put("message", recent.message());
        refusals.add(r);
      }
    }
    Map<String, Map<String, List<String>>> groups = new TreeMap<>();
    byGroup.forEach((group, topics) -> {
      Map<String, List<String>> lists = new TreeMap<>();
      topics.forEach((topic, aliases) -> lists.put(topic, List.copyOf(aliases)));
      groups.put(group, lists);
    });
    reads.put("groups", groups);
    out.put("readClusters", reads);
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
  private static final List<String> SEVERITY = List.of(BreakerState.OPEN.name(), BreakerState.HALF_OPEN.name(),
      BreakerState.CLOSED.name(), BreakerState.DISABLED.name());

  private static void addBreaker(Map<String, Map<String, Object>> breakers, ClusterStatus cluster) {
    String state = cluster.breaker().name();
    Map<String, Object> breaker = breakers.computeIfAbsent(cluster.alias(), a -> {
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
    double rate = cluster.breakerFailureRate();
    if (!Double.isNaN(rate)
        && (breaker.get("maxFailureRate") == null || rate > (Double) breaker.get("maxFailureRate"))) {
      breaker.put("maxFailureRate", rate);
    }
  }

  /** A producer as the endpoint lists it. */
  static Map<String, Object> producerView(ClientStatus status) {
    Map<String, String> states = new TreeMap<>();
    TreeSet<String> mismatches = new TreeSet<>();
    for (ClusterStatus cluster : status.clusters()) {
      states.put(cluster.alias(), cluster.breaker().name());
      if (cluster.clusterId().verdict() == ClusterIdCheck.Verdict.MISMATCH) {
        mismatches.add(cluster.alias());
      }
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("clientId", status.clientId());
    view.put("type", "producer");
    view.put("epoch", status.epoch());
    view.put("failingClosed", status.failingClosed());
    view.put("breakers", states);
    view.put("clusterIdMismatches", mismatches);
    view.put("cutoversPending", status.cutover().pending());
    view.put("cutoverRecordsWaiting", status.cutover().recordsWaiting());
    return view;
  }

  /** A consumer as the endpoint lists it. */
  static Map<String, Object> consumerView(ClientStatus status) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("clientId", status.clientId());
    view.put("type", "consumer");
    view.put("groupId", status.consumer().groupId());
    view.put("epoch", status.epoch());
    view.put("readClusters", new TreeMap<>(status.consumer().readClusters()));
    view.put("partitionsPending", (long) status.consumer().establishing().size());
    view.put("partitionsBlocked", (long) status.consumer().blocked().size());
    view.put("topicsFenced", (long) status.consumer().fencedTopics().size());
    return view;
  }

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
    return SecretRedaction.redact(settings);
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
    out.put("common", SecretRedaction.redact(common));
    Map<String, Object> aliases = new LinkedHashMap<>();
    perCluster.forEach((alias, config) -> aliases.put(alias, SecretRedaction.redact(config)));
    out.put("byAlias", aliases);
    return out;
  }
}
