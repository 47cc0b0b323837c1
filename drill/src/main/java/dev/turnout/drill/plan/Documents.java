package dev.turnout.drill.plan;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The authority documents of a drill: one rule for the drill's topic, the source and target aliases, and per step
 * the state and, for {@code WRITE_PROMOTION}, a slice {@code promoted} (buckets {@code 0} to
 * {@code percent * 100 - 1}, owned by the target) and a slice {@code rest} (the other buckets, owned by the source).
 * A document leaving {@code TARGET_AUTHORITY} carries {@code rule.<name>.rollback.allowed=true}.
 */
public final class Documents {

  /** The rule's name. */
  public static final String RULE = "drill";

  private final String topic;
  private final String source;
  private final String target;

  public Documents(String topic, String source, String target) {
    this.topic = topic;
    this.source = source;
    this.target = target;
  }

  /** The document of {@code step} at {@code epoch}, {@code previous} being the step in force before (or null). */
  public Map<String, String> document(Step step, long epoch, Step previous) {
    String r = "rule." + RULE + ".";
    Map<String, String> d = new LinkedHashMap<>();
    d.put("epoch", Long.toString(epoch));
    d.put("source", source);
    d.put("target", target);
    d.put(r + "topics", topic);
    d.put(r + "state", step.state().name());
    if (step.state() == MigrationState.WRITE_PROMOTION) {
      int promotedBelow = step.percent() * (AuthorityMap.BUCKETS / 100);
      d.put(r + "slice.promoted.keys", "0-" + (promotedBelow - 1));
      d.put(r + "slice.promoted.owner", target);
      if (promotedBelow < AuthorityMap.BUCKETS) {
        d.put(r + "slice.rest.keys", promotedBelow + "-" + (AuthorityMap.BUCKETS - 1));
        d.put(r + "slice.rest.owner", source);
      }
    }
    if (previous != null && previous.state() == MigrationState.TARGET_AUTHORITY
        && step.state() != MigrationState.TARGET_AUTHORITY) {
      d.put(r + "rollback.allowed", "true");
    }
    return d;
  }

  /** The document as properties text, the control topic's record value. */
  public static String text(Map<String, String> document) {
    StringBuilder b = new StringBuilder();
    document.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return b.toString();
  }

  /**
   * The {@code epoch} of a control topic record's value (a document as properties text, {@link #text}); -1 when
   * the value is null or has no numeric epoch.
   */
  public static long epochOf(String text) {
    if (text == null) {
      return -1;
    }
    for (String line : text.split("\n")) {
      String l = line.trim();
      if (l.startsWith("epoch=")) {
        try {
          return Long.parseLong(l.substring("epoch=".length()).trim());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** The document as a validated map. */
  public AuthorityMap map(Map<String, String> document) {
    return AuthorityMap.parse(document, List.of(source, target));
  }
}
