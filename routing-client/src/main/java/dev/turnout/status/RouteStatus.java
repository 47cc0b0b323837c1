package dev.turnout.status;

import java.util.Map;

/**
 * The write decision of one rule and slice, and the records a producer routed under it.
 *
 * @param rule the rule name
 * @param slice the slice name; {@code "-"} for a rule not split by key, {@code "null-key"} for the null-key
 *     decision of a sliced rule
 * @param inForce whether the rule and slice are in the map in force; {@code false} for one that only
 *     counted records under an earlier epoch
 * @param owner the cluster that owns the writes, or {@code null} when they are refused or not in force
 * @param refusal why the writes are refused (a refusal reason such as {@code NULL_KEY_NOT_ROUTABLE}), or
 *     {@code null} when an owner is named or the slice is not in force
 * @param records records routed under this rule and slice since the client opened, per cluster (all epochs);
 *     empty for consumers
 */
public record RouteStatus(String rule, String slice, boolean inForce, String owner, String refusal,
    Map<String, Long> records) {

  public RouteStatus {
    records = Map.copyOf(records);
  }
}
