package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.internal.source.AuthorityRefresher;
import dev.turnout.internal.source.LastKnownGood;
import dev.turnout.source.AuthorityListener;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What both routing clients share: the authority refresher (its creation, start and close), whether the map
 * in force may be used (staleness), the refusals that concern the map itself rather than a cluster
 * ({@code NO_AUTHORITY_MAP}, {@code STALE_AUTHORITY_MAP}, {@code NO_MATCHING_RULE},
 * {@code NULL_KEY_NOT_ROUTABLE}), and the merge of Turnout's metrics with those of each cluster's client.
 * The one place where these decisions and their messages are made.
 */
final class ClientCore implements AutoCloseable {

  private final TurnoutSettings settings;
  private final String client;
  private final AuthorityRefresher refresher;
  private final Listeners listeners;
  private final String instanceId = java.util.UUID.randomUUID().toString();

  /**
   * Creates the refresher of the configured source (not started).
   *
   * @param client the client's class name, for log lines ({@code RoutingProducer} or {@code RoutingConsumer})
   */
  ClientCore(TurnoutSettings settings, String client) {
    this.settings = settings;
    this.client = client;
    this.refresher = new AuthorityRefresher(settings.createSource(), settings.clusters, settings.refreshMillis,
        settings.maxStalenessMillis, settings.clientId, settings.trustedKeys);
    if (settings.authorityCacheFile != null) {
      refresher.useCache(new LastKnownGood(settings.authorityCacheFile, settings.clientId));
    }
    this.listeners = new Listeners(settings.clientId);
  }

  /** The client's {@link dev.turnout.status.TurnoutListener}s. */
  Listeners listeners() {
    return listeners;
  }

  /** A random id of this client instance, stable for its life (status snapshots, the status topic's key). */
  String instanceId() {
    return instanceId;
  }

  /** The refresher (for metrics and status). */
  AuthorityRefresher refresher() {
    return refresher;
  }

  /** Adds a listener of installed maps; call before {@link #start()}. */
  void addListener(AuthorityListener listener) {
    refresher.addListener(listener);
  }

  /** Loads the first map and starts refreshing; the caller closes everything it built if this throws. */
  void start() {
    AuthorityChecks.start(refresher, settings.authorityRequired, settings.clientId, client);
  }

  /** The map loaded last, or {@code null}. */
  AuthorityMap map() {
    return refresher.map();
  }

  /** Re-reads the authority source now. */
  void refresh() {
    refresher.refresh();
  }

  /** Why there is no map, or why it is stale, as a sentence to append to a refusal (see {@link AuthorityChecks}). */
  String reason() {
    return AuthorityChecks.reason(refresher);
  }

  /** {@link #reason()} for a stale map, logging once per stale spell that routing fails closed. */
  String staleReason() {
    return AuthorityChecks.staleReason(refresher);
  }

  /** A description of the authority source (no secrets). */
  String sourceDescription() {
    return refresher.source().description();
  }

  /** Whether the map may not be used now: none loaded, or no refresh succeeded within the staleness bound. */
  boolean failingClosed() {
    return refresher.map() == null || stale();
  }

  /** The refresher's staleness check (the single one), as of now. */
  boolean stale() {
    return refresher.isStale();
  }

  /** The refusal of any write to {@code topic} under {@code map} ({@code null}: none loaded), or {@code null}. */
  OwnershipAmbiguousException checkFresh(AuthorityMap map, String topic) {
    if (map == null) {
      return new OwnershipAmbiguousException(Reason.NO_AUTHORITY_MAP, topic, -1,
          "No valid authority map has been loaded from " + sourceDescription() + " yet; refusing the "
              + "write to topic '" + topic + "'." + reason());
    }
    if (stale()) {
      return new OwnershipAmbiguousException(Reason.STALE_AUTHORITY_MAP, topic, map.epoch(),
          "The authority map (epoch " + map.epoch() + ") is stale: no refresh from "
              + sourceDescription() + " has succeeded for " + refresher.ageMillis() + " ms ("
              + TurnoutConfig.AUTHORITY_MAX_STALENESS_MS + "=" + settings.maxStalenessMillis + "). Refusing the write "
              + "to topic '" + topic + "' until the source is readable and valid again."
              + staleReason());
    }
    return null;
  }

  /** The refusal of an unroutable decision ({@code NO_MATCHING_RULE} or {@code NULL_KEY_NOT_ROUTABLE}). */
  static OwnershipAmbiguousException refusalFor(Route route, String topic) {
    if (route.refusal() == Route.Refusal.NO_MATCHING_RULE) {
      return new OwnershipAmbiguousException(Reason.NO_MATCHING_RULE, topic, route.epoch(),
          "No rule of authority map epoch " + route.epoch() + " governs topic '" + topic + "'. Add it to a rule "
              + "(rule.<name>.topics or rule.<name>.topic-prefix) in a document with a higher epoch.");
    }
    String rule = route.rule().name();
    return new OwnershipAmbiguousException(Reason.NULL_KEY_NOT_ROUTABLE, topic, route.epoch(),
        "A record for topic '" + topic + "' has a null key, but rule '" + rule + "' splits writes by key at epoch "
            + route.epoch() + " and has no rule." + rule + ".null-key-owner. Set it, or send keyed records.");
  }

  /**
   * Turnout's own metrics merged with those of each cluster's client ({@code byAlias}), each tagged with
   * {@code cluster=<alias>}.
   */
  static Map<MetricName, Metric> mergedMetrics(ClientMetrics own,
      Map<String, ? extends Map<MetricName, ? extends Metric>> byAlias) {
    Map<MetricName, Metric> all = own.own();
    byAlias.forEach((alias, metrics) -> ClientMetrics.addTagged(all, alias, metrics));
    return all;
  }

  /** Stops refreshing. */
  @Override
  public void close() {
    refresher.close();
  }
}
