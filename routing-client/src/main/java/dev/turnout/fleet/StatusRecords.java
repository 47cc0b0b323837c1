package dev.turnout.fleet;

import dev.turnout.internal.fleet.JsonParser;
import dev.turnout.status.BarrierStatus;
import dev.turnout.status.BlockedPartition;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientRole;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterIdCheck;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.ConsumerStatus;
import dev.turnout.status.CutoverStatus;
import dev.turnout.status.PartitionRef;
import dev.turnout.status.Refusal;
import dev.turnout.status.RouteStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the value of a status record (the JSON written by the clients, docs/control-plane.md) into an
 * {@link InstanceStatus}. Strict: a missing field or a value of the wrong type is an
 * {@link IllegalArgumentException} naming the field.
 */
final class StatusRecords {

  private StatusRecords() {}

  static InstanceStatus parse(byte[] value) {
    Object tree;
    try {
      tree = JsonParser.parse(new String(value, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    Fields f = new Fields(object(tree, "the record value"), "");
    long format = f.lng("format");
    if (format != 1) {
      throw new IllegalArgumentException("format " + format + " is not known to this reader (1 is)");
    }
    Map<String, String> principals = new LinkedHashMap<>();
    f.obj("principals").map.forEach((alias, principal) -> principals.put(alias, text(principal, "principals")));
    ClientStatus status = new ClientStatus(f.str("clientId"), ClientRole.valueOf(f.str("role")), f.instant("at"),
        f.lng("epoch"), f.instantOrNull("epochSince"), f.lng("mapAgeMs"), f.bool("failingClosed"),
        f.strOrNull("failingClosedReason"), f.strOrNull("authorityProblem"),
        f.list("clusters", StatusRecords::cluster), f.list("routes", StatusRecords::route),
        f.list("barriers", StatusRecords::barrier), f.isNull("cutover") ? null : cutover(f.obj("cutover")),
        f.isNull("consumer") ? null : consumer(f.obj("consumer")), f.list("recentRefusals", StatusRecords::refusal),
        f.counts("refusals"), f.str("instanceId"));
    return new InstanceStatus(f.str("instanceId"), f.str("service"), f.str("host"), principals,
        f.instant("publishedAt"), f.lng("intervalMs"), f.lng("publishFailures"), status);
  }

  private static ClusterStatus cluster(Fields f) {
    Fields id = f.obj("clusterId");
    return new ClusterStatus(f.str("alias"), BreakerState.valueOf(f.str("breaker")), f.dbl("breakerFailureRate"),
        new ClusterIdCheck(id.strOrNull("expected"), id.strOrNull("observed"),
            ClusterIdCheck.Verdict.valueOf(id.str("verdict"))), f.lng("records"));
  }

  private static RouteStatus route(Fields f) {
    return new RouteStatus(f.str("rule"), f.str("slice"), f.bool("inForce"), f.strOrNull("owner"),
        f.strOrNull("refusal"), f.counts("records"));
  }

  private static BarrierStatus barrier(Fields f) {
    return new BarrierStatus(f.str("topic"), f.strings("slices"), f.str("from"), f.str("to"), f.lng("fromEpoch"),
        f.lng("toEpoch"), f.str("state"), f.lng("waitingRecords"), f.instantOrNull("since"));
  }

  private static CutoverStatus cutover(Fields f) {
    return new CutoverStatus(f.lng("cutovers"), f.lng("barriers"), f.lng("barrierTimeouts"), f.lng("pending"),
        f.lng("recordsWaiting"), f.lng("bytesWaiting"), f.dbl("barrierWaitMaxMs"), f.dbl("barrierWaitP99Ms"));
  }

  private static ConsumerStatus consumer(Fields f) {
    Map<String, String> reads = new LinkedHashMap<>();
    f.obj("readClusters").map.forEach((topic, alias) -> reads.put(topic, text(alias, "readClusters")));
    return new ConsumerStatus(f.strOrNull("groupId"), reads,
        f.list("blocked", b -> new BlockedPartition(b.str("topic"), (int) b.lng("partition"), b.strOrNull("cluster"),
            b.str("reason"), b.strOrNull("message"))),
        f.list("establishing", p -> new PartitionRef(p.str("topic"), (int) p.lng("partition"))),
        f.strings("fencedTopics"), f.lng("readSwitches"), f.counts("boundaryVerifications"),
        f.lng("duplicatesAvoided"), f.lng("duplicatesAdmitted"), f.dbl("switchDurationMaxMs"));
  }

  private static Refusal refusal(Fields f) {
    return new Refusal(f.str("reason"), f.strOrNull("topic"), f.lng("epoch"), f.strOrNull("message"),
        f.instant("at"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String what) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    return (Map<String, Object>) map;
  }

  private static String text(Object value, String what) {
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException(what + " must hold strings");
    }
    return s;
  }

  /** The fields of one JSON object, read strictly; {@code path} names it in errors. */
  private static final class Fields {
    final Map<String, Object> map;
    final String path;

    Fields(Map<String, Object> map, String path) {
      this.map = map;
      this.path = path;
    }

    private Object get(String name) {
      if (!map.containsKey(name)) {
        throw new IllegalArgumentException("field '" + path + name + "' is missing");
      }
      return map.get(name);
    }

    private IllegalArgumentException wrong(String name, String expected) {
      return new IllegalArgumentException("field '" + path + name + "' must be " + expected);
    }

    boolean isNull(String name) {
      return get(name) == null;
    }

    String strOrNull(String name) {
      Object v = get(name);
      if (v != null && !(v instanceof String)) {
        throw wrong(name, "a string or null");
      }
      return (String) v;
    }

    String str(String name) {
      String v = strOrNull(name);
      if (v == null) {
        throw wrong(name, "a string");
      }
      return v;
    }

    long lng(String name) {
      if (!(get(name) instanceof Long v)) {
        throw wrong(name, "an integer");
      }
      return v;
    }

    /** A number; {@code null} (how NaN is written) reads as NaN. */
    double dbl(String name) {
      Object v = get(name);
      if (v == null) {
        return Double.NaN;
      }
      if (!(v instanceof Number n)) {
        throw wrong(name, "a number or null");
      }
      return n.doubleValue();
    }

    boolean bool(String name) {
      if (!(get(name) instanceof Boolean v)) {
        throw wrong(name, "true or false");
      }
      return v;
    }

    Instant instantOrNull(String name) {
      String v = strOrNull(name);
      try {
        return v == null ? null : Instant.parse(v);
      } catch (DateTimeParseException e) {
        throw wrong(name, "an ISO-8601 instant");
      }
    }

    Instant instant(String name) {
      Instant v = instantOrNull(name);
      if (v == null) {
        throw wrong(name, "an ISO-8601 instant");
      }
      return v;
    }

    Fields obj(String name) {
      Object v = get(name);
      if (!(v instanceof Map<?, ?>)) {
        throw wrong(name, "an object");
      }
      return new Fields(object(v, name), path + name + ".");
    }

    <T> List<T> list(String name, Function<Fields, T> reader) {
      Object v = get(name);
      if (!(v instanceof List<?> items)) {
        throw wrong(name, "an array");
      }
      List<T> out = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (!(items.get(i) instanceof Map<?, ?>)) {
          throw wrong(name + "[" + i + "]", "an object");
        }
        out.add(reader.apply(new Fields(object(items.get(i), name), path + name + "[" + i + "].")));
      }
      return out;
    }

    List<String> strings(String name) {
      Object v = get(name);
      if (!(v instanceof List<?> items)) {
        throw wrong(name, "an array");
      }
      List<String> out = new ArrayList<>();
      items.forEach(item -> out.add(text(item, path + name)));
      return out;
    }

    Map<String, Long> counts(String name) {
      Map<String, Long> out = new LinkedHashMap<>();
      obj(name).map.forEach((key, value) -> {
        if (!(value instanceof Long n)) {
          throw wrong(name + "." + key, "an integer");
        }
        out.put(key, n);
      });
      return out;
    }
  }
}
