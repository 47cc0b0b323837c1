package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.cutover.CutoverCoordinator;
import dev.turnout.internal.source.AuthorityRefresher;
import dev.turnout.source.AuthorityListener;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientRole;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterIdCheck;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.CutoverStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Assembles a {@link RoutingProducer}'s {@link ClientStatus} from its parts, and owns its {@link Listeners},
 * which it tells when an epoch is applied. Created before the producer's refresher starts, after the producer's own
 * authority listener is added (so an epoch counts as applied once the cutover machinery has installed it).
 * Reads only thread-safe state: callable from any thread.
 */
final class ProducerStatusView {

  private final String clientId;
  private final List<String> aliases;
  private final AuthorityRefresher refresher;
  private final ClientMetrics metrics;
  private final CutoverCoordinator cutover;
  private final ClusterBreaker[] breakers;
  private final ClusterIdentity[] identities;
  private final Listeners listeners;
  private final String instanceId;

  ProducerStatusView(String clientId, String instanceId, List<String> aliases, AuthorityRefresher refresher, ClientMetrics metrics,
      CutoverCoordinator cutover, ClusterBreaker[] breakers, ClusterIdentity[] identities, Listeners listeners) {
    this.clientId = clientId;
    this.instanceId = instanceId;
    this.aliases = List.copyOf(aliases);
    this.refresher = refresher;
    this.metrics = metrics;
    this.cutover = cutover;
    this.breakers = breakers.clone();
    this.identities = identities.clone();
    this.listeners = listeners;
    refresher.addListener(new AuthorityListener() {
      @Override
      public void onInstalled(AuthorityMap previous, AuthorityMap current) {
        listeners.epochApplied(current.epoch());
      }
    });
  }

  /** The producer's listeners, which this view's snapshots read the last refusals and epoch time from. */
  Listeners listeners() {
    return listeners;
  }

  ClientStatus snapshot() {
    MetricValues values = new MetricValues(metrics);
    AuthorityMap map = cutover.view().map();
    String reason = Freshness.failingClosedReason(refresher);
    Map<String, Long> routed = values.countsBy("records-routed-total", ClientMetrics.CLUSTER_TAG);
    List<ClusterStatus> clusters = new ArrayList<>();
    for (int i = 0; i < aliases.size(); i++) {
      String alias = aliases.get(i);
      clusters.add(new ClusterStatus(alias, BreakerState.valueOf(breakers[i].state().name()),
          breakers[i].failureRate(), idCheck(identities[i]), routed.getOrDefault(alias, 0L)));
    }
    CutoverStatus cutoverStatus = new CutoverStatus(cutover.cutovers(), cutover.barriers(), cutover.timeouts(),
        cutover.pendingCutovers(), cutover.waitingRecords(), cutover.waitingBytes(),
        values.value("cutover-barrier-wait-ms-max"), values.value("cutover-barrier-wait-ms-p99"));
    return new ClientStatus(clientId, ClientRole.PRODUCER, Instant.now(), map == null ? -1 : map.epoch(),
        listeners.epochSince(), refresher.ageMillis(), reason != null, reason, Freshness.authorityProblem(refresher),
        clusters,
        RouteTable.of(map, values.countsBy("records-routed-by-rule-total", ClientMetrics.CLUSTER_TAG, "rule", "slice")),
        cutover.openBarriers(), cutoverStatus, null, listeners.recentRefusals(),
        values.countsBy("records-refused-total", "reason"), instanceId);
  }

  /**
   * A value that changes when a breaker changes state or a barrier opens, fails or settles (for the fleet
   * status publisher, which compares it a few times a second). Reads counters and volatile states only.
   */
  long changeSignature() {
    long signature = cutover.barriers() * 31 + cutover.timeouts();
    signature = signature * 31 + cutover.pendingCutovers();
    for (ClusterBreaker breaker : breakers) {
      signature = signature * 31 + breaker.state().code();
    }
    return signature;
  }

  static ClusterIdCheck idCheck(ClusterIdentity identity) {
    if (!identity.pinned()) {
      return ClusterIdCheck.NOT_PINNED;
    }
    String observed = identity.observed();
    ClusterIdCheck.Verdict verdict = identity.mismatch() != null ? ClusterIdCheck.Verdict.MISMATCH
        : observed == null ? ClusterIdCheck.Verdict.NOT_SEEN : ClusterIdCheck.Verdict.MATCH;
    return new ClusterIdCheck(identity.expected(), observed, verdict);
  }
}
