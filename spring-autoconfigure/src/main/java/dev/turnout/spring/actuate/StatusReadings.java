package dev.turnout.spring.actuate;

import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterIdCheck;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.ConsumerStatus;
import dev.turnout.status.CutoverStatus;
import dev.turnout.status.RouteStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The meters {@link TurnoutMeterBinder} derives from a client's {@link ClientStatus}: one reading per meter and
 * tag set, with how readings of several clients combine.
 */
final class StatusReadings {

  /** How the readings of the open clients combine into a meter's value. */
  enum Kind {
    /** A counter: summed over the open clients, plus the final values of closed ones. */
    COUNTER,
    /** A gauge: summed over the open clients. */
    SUM,
    /** A gauge: the largest value over the open clients (NaN when none has one). */
    MAX,
    /** A time gauge in milliseconds: the largest value over the open clients. */
    TIME_MAX
  }

  /** A meter: name, tags and kind. */
  record Meter(String name, Map<String, String> tags, Kind kind) {
    Meter {
      tags = Map.copyOf(tags);
    }
  }

  /** The value of a meter in one client's status; NaN when the client has none yet. */
  record Reading(Meter meter, double value) {}

  /** Descriptions of the meters, by name. */
  static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
      Map.entry("turnout.records.routed", "Records handed to the owner cluster's client"),
      Map.entry("turnout.records.routed.by.rule", "Records handed to the owner cluster's client, per rule and slice"),
      Map.entry("turnout.records.refused", "Requests refused because ownership was ambiguous"),
      Map.entry("turnout.cutovers", "Epochs whose moved slices needed a cutover barrier"),
      Map.entry("turnout.cutover.barriers", "Cutover barriers (one per topic with moved slices and epoch)"),
      Map.entry("turnout.cutover.barrier.timeouts", "Cutover barriers that did not complete within the maximum pause"),
      Map.entry("turnout.cutovers.pending", "Cutovers whose barriers are not all open"),
      Map.entry("turnout.cutover.records.waiting", "Records waiting at cutover barriers"),
      Map.entry("turnout.cutover.bytes.waiting", "Estimated bytes of the records waiting at cutover barriers"),
      Map.entry("turnout.cutover.barrier.wait.max", "Longest wait of a cutover barrier"),
      Map.entry("turnout.cutover.barrier.wait.p99", "99th percentile wait of cutover barriers"),
      Map.entry("turnout.cluster.breakers", "Producers whose circuit breaker of the cluster is in the state"),
      Map.entry("turnout.cluster.breaker.failure.rate",
          "Failed sends in the breaker's window, in percent (-1 until the window holds the minimum)"),
      Map.entry("turnout.cluster.id.mismatch", "1 while the cluster reports another id than expected.cluster.id"),
      Map.entry("turnout.consumer.records.consumed", "Records delivered to the application from that cluster"),
      Map.entry("turnout.consumer.records.refused", "Requests refused because ownership was ambiguous"),
      Map.entry("turnout.consumer.read.switches", "Topics whose reads this consumer moved to another cluster"),
      Map.entry("turnout.consumer.boundary.verifications",
          "Partitions whose read position was established after assignment, by outcome"),
      Map.entry("turnout.consumer.duplicates.avoided", "Records between the translated offset and the verified "
          + "boundary: what trusting the translation would have delivered twice"),
      Map.entry("turnout.consumer.duplicates.admitted", "Records delivered twice after a rewind, counted once the last "
          + "processed record appeared on the new cluster"),
      Map.entry("turnout.consumer.partitions.pending", "Assigned partitions whose read position is still being established"),
      Map.entry("turnout.consumer.partitions.blocked", "Assigned partitions blocked because their boundary was not verified"),
      Map.entry("turnout.consumer.topics.fenced",
          "Topics not read because the group committed them under a newer authority map than this consumer's"),
      Map.entry("turnout.consumer.read.cluster", "Consumers that read the topic from the cluster"),
      Map.entry("turnout.consumer.switch.duration.max",
          "Maximum of milliseconds from a partition's handover on the old cluster to its resumption on the new one"));

  private StatusReadings() {}

  static List<Reading> of(ClientStatus status) {
    List<Reading> out = new ArrayList<>();
    if (status.role().isConsumer()) {
      consumer(status, out);
    } else {
      producer(status, out);
    }
    return out;
  }

  private static void producer(ClientStatus status, List<Reading> out) {
    for (ClusterStatus cluster : status.clusters()) {
      Map<String, String> tag = Map.of("cluster", cluster.alias());
      add(out, "turnout.records.routed", tag, Kind.COUNTER, cluster.records());
      for (BreakerState state : BreakerState.values()) {
        add(out, "turnout.cluster.breakers", Map.of("cluster", cluster.alias(), "state", state.name()), Kind.SUM,
            cluster.breaker() == state ? 1 : 0);
      }
      add(out, "turnout.cluster.breaker.failure.rate", tag, Kind.MAX, cluster.breakerFailureRate());
      add(out, "turnout.cluster.id.mismatch", tag, Kind.MAX,
          cluster.clusterId().verdict() == ClusterIdCheck.Verdict.MISMATCH ? 1 : 0);
    }
    for (RouteStatus route : status.routes()) {
      route.records().forEach((cluster, n) -> add(out, "turnout.records.routed.by.rule",
          Map.of("cluster", cluster, "rule", route.rule(), "slice", route.slice()), Kind.COUNTER, n));
    }
    status.refusals().forEach((reason, n) ->
        add(out, "turnout.records.refused", Map.of("reason", reason), Kind.COUNTER, n));
    CutoverStatus cutover = status.cutover();
    add(out, "turnout.cutovers", Map.of(), Kind.COUNTER, cutover.cutovers());
    add(out, "turnout.cutover.barriers", Map.of(), Kind.COUNTER, cutover.barriers());
    add(out, "turnout.cutover.barrier.timeouts", Map.of(), Kind.COUNTER, cutover.barrierTimeouts());
    add(out, "turnout.cutovers.pending", Map.of(), Kind.SUM, cutover.pending());
    add(out, "turnout.cutover.records.waiting", Map.of(), Kind.SUM, cutover.recordsWaiting());
    add(out, "turnout.cutover.bytes.waiting", Map.of(), Kind.SUM, cutover.bytesWaiting());
    add(out, "turnout.cutover.barrier.wait.max", Map.of(), Kind.TIME_MAX, cutover.barrierWaitMaxMs());
    add(out, "turnout.cutover.barrier.wait.p99", Map.of(), Kind.TIME_MAX, cutover.barrierWaitP99Ms());
  }

  private static void consumer(ClientStatus status, List<Reading> out) {
    ConsumerStatus reads = status.consumer();
    for (ClusterStatus cluster : status.clusters()) {
      add(out, "turnout.consumer.records.consumed", Map.of("cluster", cluster.alias()), Kind.COUNTER,
          cluster.records());
    }
    reads.readClusters().forEach((topic, readCluster) -> {
      for (ClusterStatus cluster : status.clusters()) {
        add(out, "turnout.consumer.read.cluster", Map.of("topic", topic, "cluster", cluster.alias()), Kind.SUM,
            cluster.alias().equals(readCluster) ? 1 : 0);
      }
    });
    status.refusals().forEach((reason, n) ->
        add(out, "turnout.consumer.records.refused", Map.of("reason", reason), Kind.COUNTER, n));
    add(out, "turnout.consumer.read.switches", Map.of(), Kind.COUNTER, reads.readSwitches());
    reads.boundaryVerifications().forEach((outcome, n) ->
        add(out, "turnout.consumer.boundary.verifications", Map.of("outcome", outcome), Kind.COUNTER, n));
    add(out, "turnout.consumer.duplicates.avoided", Map.of(), Kind.COUNTER, reads.duplicatesAvoided());
    add(out, "turnout.consumer.duplicates.admitted", Map.of(), Kind.COUNTER, reads.duplicatesAdmitted());
    add(out, "turnout.consumer.partitions.pending", Map.of(), Kind.SUM, reads.establishing().size());
    add(out, "turnout.consumer.partitions.blocked", Map.of(), Kind.SUM, reads.blocked().size());
    add(out, "turnout.consumer.topics.fenced", Map.of(), Kind.SUM, reads.fencedTopics().size());
    add(out, "turnout.consumer.switch.duration.max", Map.of(), Kind.TIME_MAX, reads.switchDurationMaxMs());
  }

  private static void add(List<Reading> out, String name, Map<String, String> tags, Kind kind, double value) {
    out.add(new Reading(new Meter(name, tags, kind), value));
  }
}
