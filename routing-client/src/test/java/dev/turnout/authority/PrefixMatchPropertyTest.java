package dev.turnout.authority;

import static dev.turnout.authority.AuthorityDocs.doc;
import static dev.turnout.authority.AuthorityDocs.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Topic matching against a naive reference (exact name, else the longest prefix found by scanning every
 * prefix) on random documents with nested, similar and hash-colliding prefixes.
 */
class PrefixMatchPropertyTest {

  private static final String ALPHABET = "ab.-_9";

  /** The reference: exact name first, else the longest matching prefix, else none. */
  private static String expectedRule(String topic, Map<String, String> exact, Map<String, String> prefixes) {
    String rule = exact.get(topic);
    if (rule != null) {
      return rule;
    }
    String best = null;
    for (Map.Entry<String, String> p : prefixes.entrySet()) {
      if (topic.startsWith(p.getKey()) && (best == null || p.getKey().length() > best.length())) {
        best = p.getKey();
      }
    }
    return best == null ? null : prefixes.get(best);
  }

  private static String randomName(Random random, int maxLength) {
    int length = 1 + random.nextInt(maxLength);
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  @Test
  void randomDocumentsMatchTheNaiveLongestPrefixReference() {
    Random random = new Random(20240611);
    for (int doc = 0; doc < 200; doc++) {
      Map<String, String> exact = new HashMap<>();
      Map<String, String> prefixes = new HashMap<>();
      Map<String, String> document = new LinkedHashMap<>(doc("epoch", "1", "source", "onprem", "target", "cloud"));
      int rules = 1 + random.nextInt(12);
      for (int r = 0; r < rules; r++) {
        String name = "r" + r;
        List<String> ruleTopics = new ArrayList<>();
        List<String> rulePrefixes = new ArrayList<>();
        int claims = 1 + random.nextInt(3);
        for (int c = 0; c < claims; c++) {
          // Nested prefixes: often extend an existing prefix, so longest-match order matters.
          boolean nested = !prefixes.isEmpty() && random.nextBoolean();
          String base = nested ? new ArrayList<>(prefixes.keySet()).get(random.nextInt(prefixes.size())) : "";
          String candidate = base + randomName(random, 4);
          if (random.nextInt(3) == 0) {
            if (!exact.containsKey(candidate)) {
              exact.put(candidate, name);
              ruleTopics.add(candidate);
            }
          } else if (!prefixes.containsKey(candidate)) {
            prefixes.put(candidate, name);
            rulePrefixes.add(candidate);
          }
        }
        if (ruleTopics.isEmpty() && rulePrefixes.isEmpty()) {
          String topic = "only-" + name;
          exact.put(topic, name);
          ruleTopics.add(topic);
        }
        if (!ruleTopics.isEmpty()) {
          document.put("rule." + name + ".topics", String.join(",", ruleTopics));
        }
        if (!rulePrefixes.isEmpty()) {
          document.put("rule." + name + ".topic-prefix", String.join(",", rulePrefixes));
        }
        document.put("rule." + name + ".state", "MIRROR");
      }
      AuthorityMap map = parse(document);
      List<String> probes = new ArrayList<>();
      for (String p : prefixes.keySet()) {
        probes.add(p);
        probes.add(p + randomName(random, 5));
        probes.add(p.substring(0, p.length() - 1));
      }
      probes.addAll(exact.keySet());
      for (int i = 0; i < 50; i++) {
        probes.add(randomName(random, 12));
      }
      // Twice: the first answer comes from the index, the second from the per-map cache.
      for (int round = 0; round < 2; round++) {
        for (String topic : probes) {
          Rule rule = map.ruleFor(topic);
          assertThat(rule == null ? null : rule.name()).as("doc %d, topic '%s', round %d", doc, topic, round)
              .isEqualTo(expectedRule(topic, exact, prefixes));
        }
      }
    }
  }

  @Test
  void prefixesWithEqualHashCodesAreTold() {
    // "Aa" and "BB" have the same String hash code, and so do all their concatenations.
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    AuthorityMap map = parse(doc(
        "epoch", "1", "source", "onprem", "target", "cloud",
        "rule.first.topic-prefix", "AaBB.",
        "rule.first.state", "MIRROR",
        "rule.second.topic-prefix", "BBAa.",
        "rule.second.state", "TARGET_AUTHORITY",
        "rule.third.topic-prefix", "AaAa.",
        "rule.third.state", "DUAL_READ"));
    assertThat(map.ruleFor("AaBB.x").name()).isEqualTo("first");
    assertThat(map.ruleFor("BBAa.x").name()).isEqualTo("second");
    assertThat(map.ruleFor("AaAa.x").name()).isEqualTo("third");
    assertThat(map.ruleFor("BBBB.x")).isNull();
  }

  @Test
  void topicsBeyondTheCacheLimitStillResolve() {
    AuthorityMap map = parse(doc(
        "epoch", "1", "source", "onprem", "target", "cloud",
        "rule.t.topic-prefix", "t.",
        "rule.t.state", "TARGET_AUTHORITY",
        "rule.deep.topic-prefix", "t.deep.",
        "rule.deep.state", "MIRROR"));
    for (int i = 0; i < 110_000; i++) {
      assertThat(map.ruleFor("t." + i).name()).isEqualTo("t");
    }
    // Past the cache limit, answers are computed each time and still right.
    assertThat(map.ruleFor("t.deep.fresh").name()).isEqualTo("deep");
    assertThat(map.ruleFor("u.fresh")).isNull();
    assertThat(map.route("t.fresh", null).owner()).isEqualTo("cloud");
  }

  @Test
  void indexRejectsDuplicateAndEmptyPrefixes() {
    Rule rule = parse(doc("epoch", "1", "source", "onprem", "target", "cloud",
        "rule.a.topic-prefix", "a.", "rule.a.state", "MIRROR")).rules().get(0);
    assertThatThrownBy(() -> new PrefixIndex(Map.of("", rule))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    PrefixIndex empty = new PrefixIndex(Map.of());
    assertThat(empty.longestMatch("anything")).isNull();
    assertThat(empty.longestMatch("")).isNull();
    PrefixIndex one = new PrefixIndex(Map.of("a.", rule));
    assertThat(one.longestMatch("a.x")).isSameAs(rule);
    assertThat(one.longestMatch("a")).isNull();
    assertThat(one.longestMatch("")).isNull();
  }
}
