package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import dev.turnout.status.RouteStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The write decision of every rule and slice of a map, with the records counted under each. */
final class RouteTable {

  /** The slice label of a rule not split by key (as in the metrics). */
  static final String UNSLICED = "-";

  private RouteTable() {}

  /**
   * @param map the map in force, or {@code null}
   * @param counts records per (cluster, rule, slice); rules and slices absent from {@code map} are listed as
   *     not in force
   */
  static List<RouteStatus> of(AuthorityMap map, Map<List<String>, Long> counts) {
    Map<List<String>, Map<String, Long>> byRuleSlice = new HashMap<>();
    counts.forEach((key, n) -> byRuleSlice.computeIfAbsent(List.of(key.get(1), key.get(2)), k -> new TreeMap<>())
        .put(key.get(0), n));
    Map<List<String>, RouteStatus> out = new LinkedHashMap<>();
    if (map != null) {
      for (Rule rule : map.rules()) {
        if (!rule.sliced()) {
          add(out, byRuleSlice, rule.name(), UNSLICED, rule.unslicedRoute());
          continue;
        }
        for (Slice slice : rule.slices()) {
          List<String> key = List.of(rule.name(), slice.name());
          out.put(key, new RouteStatus(rule.name(), slice.name(), true, slice.owner(), null,
              byRuleSlice.getOrDefault(key, Map.of())));
        }
        add(out, byRuleSlice, rule.name(), Rule.NULL_KEY_SLICE, rule.nullKeyRoute());
      }
    }
    List<RouteStatus> rows = new ArrayList<>(out.values());
    byRuleSlice.entrySet().stream()
        .filter(e -> !out.containsKey(e.getKey()))
        .sorted(Map.Entry.comparingByKey(Comparator.comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1))))
        .forEach(e -> rows.add(new RouteStatus(e.getKey().get(0), e.getKey().get(1), false, null, null, e.getValue())));
    return rows;
  }

  private static void add(Map<List<String>, RouteStatus> out, Map<List<String>, Map<String, Long>> counts,
      String rule, String slice, Route route) {
    List<String> key = List.of(rule, slice);
    Map<String, Long> records = counts.getOrDefault(key, Map.of());
    out.put(key, route.routable()
        ? new RouteStatus(rule, slice, true, route.owner(), null, records)
        : new RouteStatus(rule, slice, true, null, route.refusal().name(), records));
  }
}
