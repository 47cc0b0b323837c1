package dev.turnout.authority;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.utils.Utils;

/**
 * An immutable, validated authority map of one epoch: which cluster owns writes (and reads) for every
 * governed topic and key slice. Build one with {@link #parse(Map, List)}; route with
 * {@link #route(String, byte[])}.
 *
 * <p>Topic matching: an exact topic name beats a prefix, and the longest prefix wins. Key buckets are
 * {@code Utils.toPositive(Utils.murmur2(serializedKey)) % 10000}, the hash of Kafka's default partitioner.
 */
public final class AuthorityMap {

  /** Number of key buckets; slices of a rule cover {@code 0..BUCKETS-1} exactly once. */
  public static final int BUCKETS = 10_000;

  private static final Object NO_RULE = new Object();
  private static final int TOPIC_CACHE_LIMIT = 100_000;

  private final long epoch;
  private final String source;
  private final String target;
  private final List<String> clusters;
  private final List<Rule> rules;
  private final Map<String, Rule> exact;
  private final PrefixIndex prefixes;
  private final SortedMap<String, String> document;
  private final Route noRule;
  private final ConcurrentHashMap<String, Object> resolved = new ConcurrentHashMap<>();

  AuthorityMap(long epoch, String source, String target, List<String> clusters, List<Rule> rules,
      SortedMap<String, String> document) {
    this.epoch = epoch;
    this.source = source;
    this.target = target;
    this.clusters = List.copyOf(clusters);
    this.rules = List.copyOf(rules);
    this.document = Collections.unmodifiableSortedMap(new TreeMap<>(document));
    Map<String, Rule> exactTopics = new HashMap<>();
    Map<String, Rule> prefixRules = new HashMap<>();
    for (Rule rule : rules) {
      rule.precompute(epoch, clusters);
      for (String topic : rule.topics()) {
        exactTopics.put(topic, rule);
      }
      for (String prefix : rule.prefixes()) {
        prefixRules.put(prefix, rule);
      }
    }
    this.exact = Map.copyOf(exactTopics);
    this.prefixes = new PrefixIndex(prefixRules);
    this.noRule = Route.refused(Route.Refusal.NO_MATCHING_RULE, epoch, null);
  }

  /**
   * Parses and validates a flat authority document.
   *
   * @param document the document's keys and values (for example a loaded properties file)
   * @param clusters the aliases declared in {@code turnout.clusters}, in declaration order
   * @throws InvalidAuthorityDocumentException listing every problem found
   */
  public static AuthorityMap parse(Map<String, String> document, List<String> clusters) {
    return new AuthorityDocumentParser(document, clusters).parse();
  }

  /** The epoch; it only increases from one map in force to the next. */
  public long epoch() {
    return epoch;
  }

  /** The default source alias ({@code null} when every rule names its own). */
  public String source() {
    return source;
  }

  /** The default target alias ({@code null} when every rule names its own). */
  public String target() {
    return target;
  }

  /** The declared cluster aliases this map was validated against. */
  public List<String> clusters() {
    return clusters;
  }

  /** Rules in name order. */
  public List<Rule> rules() {
    return rules;
  }

  /**
   * The canonical document (trimmed values, sorted keys, without the signature keys); equal documents produce
   * equal maps.
   */
  public SortedMap<String, String> document() {
    return document;
  }

  /** Whether this map came from the same canonical document as {@code other}. */
  public boolean sameDocument(AuthorityMap other) {
    return other != null && document.equals(other.document);
  }

  /**
   * The rule governing a topic, or {@code null} when none does. The answer for each topic is cached in this
   * map (up to 100,000 topics), so a producer's topics cost one hash lookup each after their first send in
   * an epoch; the first lookup costs one pass over the topic name, whatever the number of rules.
   */
  public Rule ruleFor(String topic) {
    Object cached = resolved.get(topic);
    if (cached != null) {
      return cached == NO_RULE ? null : (Rule) cached;
    }
    Rule rule = exact.get(topic);
    if (rule == null) {
      rule = prefixes.longestMatch(topic);
    }
    if (resolved.size() < TOPIC_CACHE_LIMIT) {
      resolved.putIfAbsent(topic, rule == null ? NO_RULE : rule);
    }
    return rule;
  }

  /**
   * The decision for a write. Never {@code null}: a refusal is a {@link Route} with a non-null
   * {@link Route#refusal()}. {@code serializedKey} is only read for sliced rules.
   */
  public Route route(String topic, byte[] serializedKey) {
    Rule rule = ruleFor(topic);
    if (rule == null) {
      return noRule;
    }
    Route unsliced = rule.unslicedRoute();
    if (unsliced != null) {
      return unsliced;
    }
    if (serializedKey == null) {
      return rule.nullKeyRoute();
    }
    return rule.routeForBucket(bucket(serializedKey));
  }

  /** The key bucket (0-9999) of a serialized key. */
  public static int bucket(byte[] serializedKey) {
    return Utils.toPositive(Utils.murmur2(serializedKey)) % BUCKETS;
  }

  @Override
  public String toString() {
    return "AuthorityMap{epoch=" + epoch + ", rules=" + rules.size() + '}';
  }
}
