package dev.turnout.benchmarks.micro;

import dev.turnout.authority.AuthorityMap;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Synthetic authority documents and lookup inputs for the decision benchmarks. */
public final class Documents {

  /** The cluster aliases every synthetic document is validated against. */
  public static final List<String> CLUSTERS = List.of("onprem", "cloud");

  /** How a rule names its topics. */
  public enum Match {
    /** {@code rule.<name>.topics=orders-00042} */
    EXACT,
    /** {@code rule.<name>.topic-prefix=tenant-00042.}, looked up with {@code tenant-00042.events} */
    PREFIX
  }

  /** Which kind of decision a lookup exercises. */
  public enum Decision {
    /** MIRROR rules: one precomputed decision per rule, the key is not read. */
    UNSLICED,
    /** WRITE_PROMOTION rules with four key ranges: bucket of the serialized key, binary search. */
    SLICED,
    /** WRITE_PROMOTION rules, null key routed by {@code null-key-owner}. */
    NULL_KEY
  }

  private Documents() {}

  /** An authority document of {@code rules} rules, all matched the same way and of the same kind. */
  public static Map<String, String> document(int rules, Match match, Decision decision) {
    Map<String, String> doc = new HashMap<>();
    doc.put("epoch", "7");
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    for (int i = 0; i < rules; i++) {
      String p = "rule.r" + i + '.';
      if (match == Match.EXACT) {
        doc.put(p + "topics", exactTopic(i));
      } else {
        doc.put(p + "topic-prefix", prefix(i));
      }
      if (decision == Decision.UNSLICED) {
        doc.put(p + "state", "MIRROR");
      } else {
        doc.put(p + "state", "WRITE_PROMOTION");
        doc.put(p + "slice.a.keys", "0-999,5000-5999");
        doc.put(p + "slice.a.owner", "cloud");
        doc.put(p + "slice.b.keys", "1000-4999,6000-9999");
        doc.put(p + "slice.b.owner", "onprem");
        doc.put(p + "null-key-owner", "onprem");
      }
    }
    return doc;
  }

  /** Parses {@link #document(int, Match, Decision)}. */
  public static AuthorityMap map(int rules, Match match, Decision decision) {
    return AuthorityMap.parse(document(rules, match, decision), CLUSTERS);
  }

  /** The exact topic of rule {@code i}. */
  public static String exactTopic(int i) {
    return String.format("orders-%05d", i);
  }

  /** The topic prefix of rule {@code i}. */
  public static String prefix(int i) {
    return String.format("tenant-%05d.", i);
  }

  /**
   * {@code count} topics spread over the rules of a map (each a new String instance, as a topic read from
   * configuration or a record would be), in a shuffled order.
   */
  public static String[] topics(int rules, Match match, int count, long seed) {
    Random random = new Random(seed);
    String[] topics = new String[count];
    for (int t = 0; t < count; t++) {
      int rule = random.nextInt(rules);
      String name = match == Match.EXACT ? exactTopic(rule) : prefix(rule) + "events";
      topics[t] = new String(name.toCharArray());
    }
    return topics;
  }

  /** {@code count} distinct topics under the prefix rules, each new (never looked up before). */
  public static String[] freshPrefixTopics(int rules, int count, long seed) {
    Random random = new Random(seed);
    String[] topics = new String[count];
    for (int t = 0; t < count; t++) {
      topics[t] = prefix(random.nextInt(rules)) + "events-" + t;
    }
    return topics;
  }

  /** {@code count} serialized keys such as {@code customer-004711} (UTF-8, as StringSerializer writes them). */
  public static byte[][] keys(int count, long seed) {
    Random random = new Random(seed);
    byte[][] keys = new byte[count][];
    for (int k = 0; k < count; k++) {
      keys[k] = String.format("customer-%06d", random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
    }
    return keys;
  }
}
