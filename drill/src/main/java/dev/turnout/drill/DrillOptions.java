package dev.turnout.drill;

import dev.turnout.drill.plan.Plan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of one drill, validated.
 *
 * @param duration the load's total duration, split evenly between the plan's steps
 * @param producers the number of producer instances
 * @param consumers the number of members of the consumer group
 * @param rate records per second sent by all producers together
 * @param keys the number of distinct keys
 * @param partitions the partitions of the drill's topic
 * @param plan the steps to walk
 * @param seed the seed of the key choice
 * @param out the report's folder
 * @param reconcile who reconciles at a rollback
 * @param replicationLagMillis lag added to MirrorMaker 2 (0 for none)
 * @param clientProperties extra settings given to every routing client
 */
public record DrillOptions(Duration duration, int producers, int consumers, double rate, int keys, int partitions,
    Plan plan, long seed, Path out, ReconcileMode reconcile, long replicationLagMillis,
    Map<String, String> clientProperties) {

  public DrillOptions {
    clientProperties = Map.copyOf(clientProperties);
    require(duration.toMillis() >= 1000L * plan.steps().size(), "--duration must give each of the plan's "
        + plan.steps().size() + " steps at least 1 s, got " + duration.toSeconds() + " s");
    require(producers >= 1 && producers <= 64, "--producers must be 1 to 64, got " + producers);
    require(consumers >= 1 && consumers <= 64, "--consumers must be 1 to 64, got " + consumers);
    require(rate > 0 && rate <= 100_000, "--rate must be above 0 and at most 100000 records/s, got " + rate);
    require(keys >= producers, "--keys must be at least --producers (" + producers + "), got " + keys);
    require(partitions >= 1 && partitions <= 100, "--partitions must be 1 to 100, got " + partitions);
    require(replicationLagMillis >= 0, "--replication-lag-ms must not be negative, got " + replicationLagMillis);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static boolean secret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("private");
  }

  /** How long each step lasts. */
  public Duration phase() {
    return duration.dividedBy(plan.steps().size());
  }

  /** The options as the report shows them. */
  public Map<String, String> describe() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("duration", duration.toSeconds() + " s (" + phase().toMillis() + " ms per step)");
    d.put("producers", Integer.toString(producers));
    d.put("consumers", Integer.toString(consumers));
    d.put("rate", rate + " records/s");
    d.put("keys", Integer.toString(keys));
    d.put("partitions", Integer.toString(partitions));
    d.put("plan", plan.steps().toString());
    d.put("seed", Long.toString(seed));
    d.put("reconcile", reconcile.name().toLowerCase(java.util.Locale.ROOT));
    d.put("replication lag", replicationLagMillis + " ms");
    clientProperties.forEach((k, v) -> d.put("client property " + k, secret(k) ? "[redacted]" : v));
    return d;
  }
}
