package dev.turnout.internal.fleet;

import dev.turnout.status.BarrierStatus;
import dev.turnout.status.BlockedPartition;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.ConsumerStatus;
import dev.turnout.status.CutoverStatus;
import dev.turnout.status.PartitionRef;
import dev.turnout.status.Refusal;
import dev.turnout.status.RouteStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The value of a status record: a {@link ClientStatus} and what identifies the instance, as JSON (format
 * {@value #FORMAT}; field names as in docs/control-plane.md). The status holds no secret, and the identity
 * only the principal names ({@link Principals}). Instants are ISO-8601 strings, NaN numbers {@code null}.
 */
public final class StatusDocument {

  /** The format version, the {@code format} field. */
  public static final int FORMAT = 1;

  /**
   * Who publishes: fixed for the life of a client instance.
   *
   * @param instanceId the random id of the client instance (also the record key)
   * @param service the service name ({@code turnout.service.name} or derived from the client id)
   * @param host the local host name, or {@code unknown}
   * @param principals the principal the client authenticates as, per cluster alias
   * @param intervalMs the publication interval ({@code turnout.status.interval.ms})
   */
  public record Identity(String instanceId, String service, String host, Map<String, String> principals,
      long intervalMs) {
    public Identity {
      principals = Map.copyOf(principals);
    }
  }

  private StatusDocument() {}

  /** The record value, UTF-8 JSON. */
  public static byte[] render(ClientStatus status, Identity identity, Instant publishedAt, long publishFailures) {
    return JsonWriter.write(tree(status, identity, publishedAt, publishFailures)).getBytes(StandardCharsets.UTF_8);
  }

  /** The JSON tree of the record value. */
  public static Map<String, Object> tree(ClientStatus s, Identity identity, Instant publishedAt, long publishFailures) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("instanceId", identity.instanceId());
    m.put("clientId", s.clientId());
    m.put("service", identity.service());
    m.put("host", identity.host());
    m.put("role", s.role().name());
    m.put("publishedAt", instant(publishedAt));
    m.put("intervalMs", identity.intervalMs());
    m.put("publishFailures", publishFailures);
    m.put("principals", new TreeMap<>(identity.principals()));
    m.put("at", instant(s.at()));
    m.put("epoch", s.epoch());
    m.put("epochSince", instant(s.epochSince()));
    m.put("mapAgeMs", s.mapAgeMs());
    m.put("failingClosed", s.failingClosed());
    m.put("failingClosedReason", s.failingClosedReason());
    m.put("authorityProblem", s.authorityProblem());
    m.put("clusters", s.clusters().stream().map(StatusDocument::cluster).toList());
    m.put("routes", s.routes().stream().map(StatusDocument::route).toList());
    m.put("barriers", s.barriers().stream().map(StatusDocument::barrier).toList());
    m.put("cutover", s.cutover() == null ? null : cutover(s.cutover()));
    m.put("consumer", s.consumer() == null ? null : consumer(s.consumer()));
    m.put("recentRefusals", s.recentRefusals().stream().map(StatusDocument::refusal).toList());
    m.put("refusals", new TreeMap<>(s.refusals()));
    return m;
  }

  private static Map<String, Object> cluster(ClusterStatus c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alias", c.alias());
    m.put("breaker", c.breaker().name());
    m.put("breakerFailureRate", c.breakerFailureRate());
    Map<String, Object> id = new LinkedHashMap<>();
    id.put("expected", c.clusterId().expected());
    id.put("observed", c.clusterId().observed());
    id.put("verdict", c.clusterId().verdict().name());
    m.put("clusterId", id);
    m.put("records", c.records());
    return m;
  }

  private static Map<String, Object> route(RouteStatus r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rule", r.rule());
    m.put("slice", r.slice());
    m.put("inForce", r.inForce());
    m.put("owner", r.owner());
    m.put("refusal", r.refusal());
    m.put("records", new TreeMap<>(r.records()));
    return m;
  }

  private static Map<String, Object> barrier(BarrierStatus b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("topic", b.topic());
    m.put("slices", b.slices());
    m.put("from", b.from());
    m.put("to", b.to());
    m.put("fromEpoch", b.fromEpoch());
    m.put("toEpoch", b.toEpoch());
    m.put("state", b.state());
    m.put("waitingRecords", b.waitingRecords());
    m.put("since", instant(b.since()));
    return m;
  }

  private static Map<String, Object> cutover(CutoverStatus c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cutovers", c.cutovers());
    m.put("barriers", c.barriers());
    m.put("barrierTimeouts", c.barrierTimeouts());
    m.put("pending", c.pending());
    m.put("recordsWaiting", c.recordsWaiting());
    m.put("bytesWaiting", c.bytesWaiting());
    m.put("barrierWaitMaxMs", c.barrierWaitMaxMs());
    m.put("barrierWaitP99Ms", c.barrierWaitP99Ms());
    return m;
  }

  private static Map<String, Object> consumer(ConsumerStatus c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("groupId", c.groupId());
    m.put("readClusters", new TreeMap<>(c.readClusters()));
    List<Object> blocked = new ArrayList<>();
    for (BlockedPartition b : c.blocked()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("topic", b.topic());
      p.put("partition", b.partition());
      p.put("cluster", b.cluster());
      p.put("reason", b.reason());
      p.put("message", b.message());
      blocked.add(p);
    }
    m.put("blocked", blocked);
    List<Object> establishing = new ArrayList<>();
    for (PartitionRef p : c.establishing()) {
      Map<String, Object> ref = new LinkedHashMap<>();
      ref.put("topic", p.topic());
      ref.put("partition", p.partition());
      establishing.add(ref);
    }
    m.put("establishing", establishing);
    m.put("fencedTopics", c.fencedTopics());
    m.put("readSwitches", c.readSwitches());
    m.put("boundaryVerifications", new TreeMap<>(c.boundaryVerifications()));
    m.put("duplicatesAvoided", c.duplicatesAvoided());
    m.put("duplicatesAdmitted", c.duplicatesAdmitted());
    m.put("switchDurationMaxMs", c.switchDurationMaxMs());
    return m;
  }

  private static Map<String, Object> refusal(Refusal r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reason", r.reason());
    m.put("topic", r.topic());
    m.put("epoch", r.epoch());
    m.put("message", r.message());
    m.put("at", instant(r.at()));
    return m;
  }

  private static String instant(Instant at) {
    return at == null ? null : at.toString();
  }
}
