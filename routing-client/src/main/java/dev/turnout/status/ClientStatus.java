package dev.turnout.status;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one routing client, returned by {@code RoutingProducer.status()} and
 * {@code RoutingConsumer.status()}. Immutable; safe to take from any thread; holds no secret.
 *
 * @param clientId the client's {@code client.id} (or the generated one)
 * @param role what the client is
 * @param at when the snapshot was taken
 * @param epoch the epoch of the map the client routes by, -1 before the first
 * @param epochSince when the client applied that epoch, or {@code null} before the first
 * @param mapAgeMs milliseconds since the client's last successful authority refresh, -1 before the first
 * @param failingClosed whether every decision is refused now (no valid map, or a stale one)
 * @param failingClosedReason why, or {@code null}
 * @param authorityProblem what went wrong with the last read of the authority source, even while an earlier map
 *     stays in force: the read error, or each problem of the rejected document (a lowered epoch among them);
 *     {@code null} when the last read was valid
 * @param clusters the declared clusters, in declaration order
 * @param routes the write decision of every rule and slice of the map in force (and, for a producer, the
 *     rules and slices that counted records under earlier epochs)
 * @param barriers a producer's cutover barriers that are not open; empty for consumers
 * @param cutover a producer's cutover counters; {@code null} for consumers
 * @param consumer a consumer's reads; {@code null} for producers
 * @param recentRefusals the last refusal of each reason, newest first
 * @param refusals refusals since the client opened, per reason (every reason, zeros included)
 * @param instanceId a random id of this client instance, stable for its life (the key of its records in the
 *     status topic, docs/control-plane.md); {@code null} in snapshots built without one
 */
public record ClientStatus(String clientId, ClientRole role, Instant at, long epoch, Instant epochSince,
    long mapAgeMs, boolean failingClosed, String failingClosedReason, String authorityProblem,
    List<ClusterStatus> clusters,
    List<RouteStatus> routes, List<BarrierStatus> barriers, CutoverStatus cutover, ConsumerStatus consumer,
    List<Refusal> recentRefusals, Map<String, Long> refusals, String instanceId) {

  public ClientStatus {
    clusters = List.copyOf(clusters);
    routes = List.copyOf(routes);
    barriers = List.copyOf(barriers);
    recentRefusals = List.copyOf(recentRefusals);
    refusals = Map.copyOf(refusals);
  }

  /** A snapshot without an instance id (as before {@link #instanceId()} existed). */
  public ClientStatus(String clientId, ClientRole role, Instant at, long epoch, Instant epochSince,
      long mapAgeMs, boolean failingClosed, String failingClosedReason, String authorityProblem,
      List<ClusterStatus> clusters,
      List<RouteStatus> routes, List<BarrierStatus> barriers, CutoverStatus cutover, ConsumerStatus consumer,
      List<Refusal> recentRefusals, Map<String, Long> refusals) {
    this(clientId, role, at, epoch, epochSince, mapAgeMs, failingClosed, failingClosedReason, authorityProblem,
        clusters, routes, barriers, cutover, consumer, recentRefusals, refusals, null);
  }
}
