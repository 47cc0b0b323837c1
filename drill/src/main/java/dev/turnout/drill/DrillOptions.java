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
 * @param topic the keyed topic; the control topic is {@code <topic>-authority}, the status topic
 *     {@code <topic>-status}
 * @param external the operator's clusters, or {@code null} for two embedded clusters and MirrorMaker 2
 * @param gateStrict whether a flip waits for its readiness gate (up to a step's length) and the drill fails when
 *     it never passes; otherwise the gate's verdict is recorded and the flip made anyway
 */
public record DrillOptions(Duration duration, int producers, int consumers, double rate, int keys, int partitions,
    Plan plan, long seed, Path out, ReconcileMode reconcile, long replicationLagMillis,
    Map<String, String> clientProperties, String topic, External external, boolean gateStrict) {

  /** The keyed topic's default name. */
  public static final String DEFAULT_TOPIC = "drill-orders";

  /**
   * Clusters the operator runs, with the replication the operator runs between them.
   *
   * @param sourceSettings the source's client settings ({@code bootstrap.servers} and security)
   * @param targetSettings the target's client settings
   * @param replicationTimeout how long a record written to the source topic may take to appear on the target
   *     before the drill refuses to start
   */
  public record External(Map<String, String> sourceSettings, Map<String, String> targetSettings,
      Duration replicationTimeout) {

    public External {
      sourceSettings = Map.copyOf(sourceSettings);
      targetSettings = Map.copyOf(targetSettings);
      require(sourceSettings.containsKey(BOOTSTRAP), "the source cluster needs --source-bootstrap or "
          + "bootstrap.servers in --source-config");
      require(targetSettings.containsKey(BOOTSTRAP), "the target cluster needs --target-bootstrap or "
          + "bootstrap.servers in --target-config");
      require(!replicationTimeout.isNegative() && !replicationTimeout.isZero(),
          "--replication-timeout must be above 0, got " + replicationTimeout.toSeconds() + " s");
    }

    /** The settings as the report shows them: bootstrap servers, and the other keys with secrets redacted. */
    static String describe(Map<String, String> settings) {
      StringBuilder b = new StringBuilder(settings.get(BOOTSTRAP));
      new java.util.TreeMap<>(settings).forEach((k, v) -> {
        if (!k.equals(BOOTSTRAP)) {
          b.append(", ").append(k).append('=').append(secret(k) ? "[redacted]" : v);
        }
      });
      return b.toString();
    }
  }

  private static final String BOOTSTRAP = "bootstrap.servers";

  /** A drill on embedded clusters, on the default topic, the gates recorded but not strict. */
  public DrillOptions(Duration duration, int producers, int consumers, double rate, int keys, int partitions,
      Plan plan, long seed, Path out, ReconcileMode reconcile, long replicationLagMillis,
      Map<String, String> clientProperties) {
    this(duration, producers, consumers, rate, keys, partitions, plan, seed, out, reconcile, replicationLagMillis,
        clientProperties, DEFAULT_TOPIC, null, false);
  }

  public DrillOptions {
    clientProperties = Map.copyOf(clientProperties);
    require(topic != null && topic.matches("[A-Za-z0-9._-]{1,200}"), "--topic must be 1 to 200 of "
        + "[A-Za-z0-9._-], got '" + topic + "'");
    require(external == null || replicationLagMillis == 0, "--replication-lag-ms adds lag to the embedded "
        + "MirrorMaker 2: it does not apply to external clusters");
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
    return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("private")
        || k.contains("token") || k.endsWith(".key");
  }

  /** The compacted topic the drill publishes its documents to, on the source. */
  public String controlTopic() {
    return topic + "-authority";
  }

  /** The compacted topic the routing clients publish their status to, on the target. */
  public String statusTopic() {
    return topic + "-status";
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
    d.put("topic", topic + " (control topic " + controlTopic() + ", status topic " + statusTopic() + ")");
    if (external == null) {
      d.put("clusters", "embedded, MirrorMaker 2 in the drill's JVM");
      d.put("replication lag", replicationLagMillis + " ms");
    } else {
      d.put("source cluster", External.describe(external.sourceSettings()));
      d.put("target cluster", External.describe(external.targetSettings()));
      d.put("replication", "the operator's; checked within " + external.replicationTimeout().toSeconds() + " s");
    }
    d.put("gates", gateStrict ? "strict (a flip waits for its gate; the drill fails if it never passes)"
        : "recorded (a NO-GO gate does not stop the flip)");
    clientProperties.forEach((k, v) -> d.put("client property " + k, secret(k) ? "[redacted]" : v));
    return d;
  }
}
