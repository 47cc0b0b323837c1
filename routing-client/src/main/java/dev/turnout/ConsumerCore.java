package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Rule;
import dev.turnout.internal.cluster.ClusterClients;
import dev.turnout.internal.source.AuthorityRefresher;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The consumer's view of the authority map, over the {@link ClientCore} both clients share (refresher
 * lifecycle, staleness, listeners): the refusals that concern the map as a whole for reads (none loaded,
 * stale, no rule for a topic) and the client metrics. Everything the consumer asks about the map in force goes
 * through here.
 */
final class ConsumerCore implements AutoCloseable {

  private final ClientCore core;
  private final AuthorityRefresher refresher;
  private final ClientMetrics metrics;
  private final Listeners listeners;

  ConsumerCore(TurnoutSettings settings) {
    this.core = new ClientCore(settings, "RoutingConsumer");
    this.refresher = core.refresher();
    this.metrics = new ClientMetrics(settings.clientId, settings.clusters, refresher, "records-consumed-total",
        "Records delivered to the application from that cluster");
    this.listeners = core.listeners();
  }

  /** Loads the first map; on failure closes what it opened and rethrows. */
  void start() {
    try {
      core.start();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** A random id of this client instance (see {@link ClientCore#instanceId()}). */
  String instanceId() {
    return core.instanceId();
  }

  ClientMetrics metrics() {
    return metrics;
  }

  /** The refresher (for the status view). */
  AuthorityRefresher refresher() {
    return refresher;
  }

  /** The consumer's listeners: told of every refusal counted here. */
  Listeners listeners() {
    return listeners;
  }

  String sourceDescription() {
    return core.sourceDescription();
  }

  /** Re-reads the authority source now. */
  void refresh() {
    refresher.refresh();
  }

  /** The newest valid map loaded, or {@code null}. */
  AuthorityMap latest() {
    return refresher.map();
  }

  /** Whether no map is loaded, or no refresh has succeeded within {@code turnout.authority.max.staleness.ms}. */
  boolean unusable(AuthorityMap map) {
    return map == null || core.stale();
  }

  /** Why the consumer stops reading altogether: no map, or a stale one (counted). */
  OwnershipAmbiguousException haltRefusal(AuthorityMap map) {
    return refusal(map == null
        ? new OwnershipAmbiguousException(Reason.NO_AUTHORITY_MAP, null, -1, "No valid authority map has been "
            + "loaded from " + sourceDescription() + ": this consumer reads nothing until one is." + core.reason())
        : new OwnershipAmbiguousException(Reason.STALE_AUTHORITY_MAP, null, map.epoch(), "The authority map "
            + "(epoch " + map.epoch() + ") is stale: no refresh from " + sourceDescription()
            + " has succeeded for " + refresher.ageMillis() + " ms (" + TurnoutConfig.AUTHORITY_MAX_STALENESS_MS
            + "). Every partition is paused until the source is readable and valid again." + core.staleReason()));
  }

  /** Why a subscribed topic is read nowhere (counted). */
  OwnershipAmbiguousException noRuleToRead(String topic, long epoch) {
    return refusal(new OwnershipAmbiguousException(Reason.NO_MATCHING_RULE, topic, epoch,
        "No rule of authority map epoch " + epoch + " governs topic '" + topic + "': it is read from no cluster. "
            + "Add it to a rule (rule.<name>.topics or rule.<name>.topic-prefix) in a document with a higher epoch."));
  }

  /** A commit before any map was applied cannot be stamped. */
  OwnershipAmbiguousException noMapToStamp() {
    return new OwnershipAmbiguousException(Reason.NO_AUTHORITY_MAP, null, -1, "No authority map has been applied "
        + "yet: a commit cannot be attributed to a cluster." + core.reason());
  }

  /** The map in force: the one applied, else the newest loaded. */
  AuthorityMap inForce(AuthorityMap applied) {
    return applied != null ? applied : refresher.map();
  }

  /** The rule of a topic in the map in force, refusing when there is none, it is stale, or no rule governs it. */
  Rule ruleOf(String topic, AuthorityMap applied) {
    AuthorityMap map = inForce(applied);
    if (map == null) {
      throw refusal(new OwnershipAmbiguousException(Reason.NO_AUTHORITY_MAP, topic, -1, "No valid authority map has "
          + "been loaded from " + sourceDescription() + ": the cluster of topic '" + topic + "' is unknown."
          + core.reason()));
    }
    if (core.stale()) {
      throw refusal(new OwnershipAmbiguousException(Reason.STALE_AUTHORITY_MAP, topic, map.epoch(), "The authority map "
          + "(epoch " + map.epoch() + ") is stale: the cluster of topic '" + topic + "' is not known for certain."
          + core.staleReason()));
    }
    Rule rule = map.ruleFor(topic);
    if (rule == null) {
      throw refusal(new OwnershipAmbiguousException(Reason.NO_MATCHING_RULE, topic, map.epoch(), "No rule of authority "
          + "map epoch " + map.epoch() + " governs topic '" + topic + "': it belongs to no cluster."));
    }
    return rule;
  }

  /** The map in force, refusing as {@link #ruleOf} does when there is none or it is stale. */
  AuthorityMap requireUsable(AuthorityMap applied) {
    if (unusable(inForce(applied))) {
      ruleOf("*", applied);
    }
    return inForce(applied);
  }

  /** Counts a refusal in the metrics and returns it. */
  OwnershipAmbiguousException refusal(OwnershipAmbiguousException e) {
    metrics.refused(e.reason());
    listeners.refused(e);
    return e;
  }

  /** Turnout's metrics and those of every cluster's client, tagged {@code cluster=<alias>}. */
  <C extends Consumer<?, ?>> Map<MetricName, Metric> allMetrics(ClusterClients<C> clients) {
    Map<MetricName, Metric> all = metrics.own();
    clients.forEachExisting((alias, consumer) -> ClientMetrics.addTagged(all, alias, consumer.metrics()));
    return all;
  }

  @Override
  public void close() {
    core.close();
    metrics.close();
  }
}
