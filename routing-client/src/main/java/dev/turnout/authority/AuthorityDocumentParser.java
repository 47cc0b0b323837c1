package dev.turnout.authority;

import dev.turnout.authority.DocumentProblem.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Parses a flat authority document into an {@link AuthorityMap}, collecting every problem found. */
final class AuthorityDocumentParser {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final String RULE = "rule.";
  /**
   * Optional: the number of keys of the document, itself included and the signature keys excluded; a document
   * with another count is incomplete.
   */
  static final String KEY_COUNT = "key-count";
  private static final Set<String> RULE_ATTRIBUTES =
      Set.of("topics", "topic-prefix", "state", "source", "target", "null-key-owner", "rollback.allowed");

  private final SortedMap<String, String> doc = new TreeMap<>();
  private final List<String> clusters;
  private final List<DocumentProblem> problems = new ArrayList<>();
  private final Map<String, String> exactClaims = new HashMap<>();
  private final Map<String, String> prefixClaims = new HashMap<>();
  private int rangeProblems;

  AuthorityDocumentParser(Map<String, String> document, List<String> clusters) {
    document.forEach((k, v) -> {
      if (k == null) {
        problem(Kind.UNKNOWN_KEY, "the document has a null key");
      } else if (!isSignature(k.trim())) {
        doc.put(k.trim(), v == null ? "" : v.trim());
      }
    });
    this.clusters = List.copyOf(clusters);
  }

  AuthorityMap parse() {
    checkKeyCount();
    long epoch = parseEpoch();
    String source = optionalAlias("source", "source");
    String target = optionalAlias("target", "target");

    Map<String, Map<String, String>> ruleAttrs = new TreeMap<>();
    for (Map.Entry<String, String> e : doc.entrySet()) {
      String key = e.getKey();
      if (key.equals("epoch") || key.equals("source") || key.equals("target") || key.equals(KEY_COUNT)) {
        continue;
      }
      if (key.startsWith(DocumentSignatures.PREFIX)) {
        problem(Kind.UNKNOWN_KEY, "unknown key '" + key + "': the signature keys are " + DocumentSignatures.KEY_ID
            + " and " + DocumentSignatures.VALUE);
        continue;
      }
      if (!key.startsWith(RULE)) {
        problem(Kind.UNKNOWN_KEY, "unknown key '" + key + "': top-level keys are epoch, source, target, key-count and "
            + "rule.<name>.*");
        continue;
      }
      String rest = key.substring(RULE.length());
      int dot = rest.indexOf('.');
      if (dot <= 0 || dot == rest.length() - 1) {
        problem(Kind.UNKNOWN_KEY, "unknown key '" + key + "': rule keys are rule.<name>.<attribute>");
        continue;
      }
      String name = rest.substring(0, dot);
      if (!NAME.matcher(name).matches()) {
        problem(Kind.INVALID_NAME, "rule name '" + name + "' in key '" + key + "' must match [A-Za-z0-9_-]+");
        continue;
      }
      ruleAttrs.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(rest.substring(dot + 1), e.getValue());
    }

    List<Rule> rules = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> e : ruleAttrs.entrySet()) {
      Rule rule = parseRule(e.getKey(), e.getValue(), source, target);
      if (rule != null) {
        rules.add(rule);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidAuthorityDocumentException(problems);
    }
    return new AuthorityMap(epoch, source, target, clusters, rules, doc);
  }

  /**
   * With {@code key-count}, a document with another number of keys is incomplete, and that is its only problem
   * reported: the other problems of a torn read are artefacts of where the read was cut.
   */
  private void checkKeyCount() {
    String value = doc.get(KEY_COUNT);
    if (value == null) {
      return;
    }
    long declared;
    try {
      declared = Long.parseLong(value);
    } catch (NumberFormatException e) {
      declared = -1;
    }
    if (declared < 1) {
      problem(Kind.MALFORMED_NUMBER, "'" + KEY_COUNT + "' must be the number of keys of the document, itself "
          + "included, was '" + value + "'");
    } else if (declared != doc.size()) {
      throw new InvalidAuthorityDocumentException(List.of(new DocumentProblem(Kind.INCOMPLETE, "'" + KEY_COUNT
          + "' is " + declared + " but the document read has " + doc.size() + " key(s): it was read while being "
          + "written (it is read again at the next refresh), or " + KEY_COUNT + " is wrong (a key listed twice "
          + "counts once)")));
    }
  }

  /**
   * Whether {@code key} is a signature key, which is not content: not part of the map's document, not counted
   * by {@code key-count}, and checked (when signatures are required) before the document is parsed.
   */
  private static boolean isSignature(String key) {
    return key.equals(DocumentSignatures.KEY_ID) || key.equals(DocumentSignatures.VALUE);
  }

  private long parseEpoch() {
    String value = doc.get("epoch");
    if (value == null || value.isEmpty()) {
      problem(Kind.MISSING_VALUE, "'epoch' is required: a non-negative integer that only increases");
      return -1;
    }
    try {
      long epoch = Long.parseLong(value);
      if (epoch < 0) {
        problem(Kind.MALFORMED_NUMBER, "'epoch' must be a non-negative integer, was '" + value + "'");
      }
      return epoch;
    } catch (NumberFormatException e) {
      problem(Kind.MALFORMED_NUMBER, "'epoch' must be a non-negative integer, was '" + value + "'");
      return -1;
    }
  }

  private String optionalAlias(String key, String what) {
    String value = doc.get(key);
    if (value == null || value.isEmpty()) {
      return null;
    }
    checkAlias(key, value, what);
    return value;
  }

  private boolean checkAlias(String key, String alias, String what) {
    if (!clusters.contains(alias)) {
      problem(Kind.UNKNOWN_CLUSTER, "'" + key + "' names " + what + " cluster '" + alias
          + "', which is not declared in turnout.clusters " + clusters);
      return false;
    }
    return true;
  }

  private Rule parseRule(String name, Map<String, String> attrs, String defaultSource, String defaultTarget) {
    String p = RULE + name + '.';
    int before = problems.size();
    Map<String, Map<String, String>> sliceAttrs = sliceAttributes(p, attrs);
    MigrationState state = parseState(p, attrs.get("state"));

    String source = ruleAlias(p + "source", attrs.get("source"), defaultSource, "source");
    String target = ruleAlias(p + "target", attrs.get("target"), defaultTarget, "target");
    if (source != null && source.equals(target)) {
      problem(Kind.SOURCE_EQUALS_TARGET, "rule '" + name + "' has source and target both '" + source + "'");
    }

    Set<String> topics = topicList(p + "topics", attrs.get("topics"));
    Set<String> prefixes = topicList(p + "topic-prefix", attrs.get("topic-prefix"));
    if (emptyToNull(attrs.get("topics")) == null && emptyToNull(attrs.get("topic-prefix")) == null) {
      problem(Kind.NO_TOPICS, "rule '" + name + "' governs no topic: set " + p + "topics or " + p + "topic-prefix");
    }

    String nullKeyOwner = emptyToNull(attrs.get("null-key-owner"));
    List<Slice> slices = parseSlices(name, p, state, sliceAttrs, nullKeyOwner, source, target);
    boolean rollbackAllowed = flag(p + "rollback.allowed", attrs.get("rollback.allowed"));
    claim(exactClaims, topics, name, "topic");
    claim(prefixClaims, prefixes, name, "topic prefix");
    if (problems.size() != before) {
      return null;
    }
    return new Rule(name, topics, prefixes, state, source, target, slices, nullKeyOwner, rollbackAllowed);
  }

  /** An optional {@code true}/{@code false} value (case-insensitive); absent or empty is {@code false}. */
  private boolean flag(String key, String value) {
    String v = emptyToNull(value);
    if (v == null || v.trim().equalsIgnoreCase("false")) {
      return false;
    }
    if (v.trim().equalsIgnoreCase("true")) {
      return true;
    }
    problem(Kind.INVALID_VALUE, "'" + key + "' is '" + v + "': it must be true or false");
    return false;
  }

  /** The {@code slice.<name>.keys/owner} attributes of a rule by slice name; reports every other unknown key. */
  private Map<String, Map<String, String>> sliceAttributes(String p, Map<String, String> attrs) {
    Map<String, Map<String, String>> sliceAttrs = new LinkedHashMap<>();
    for (Map.Entry<String, String> a : attrs.entrySet()) {
      String attr = a.getKey();
      if (RULE_ATTRIBUTES.contains(attr)) {
        continue;
      }
      if (!attr.startsWith("slice.")) {
        problem(Kind.UNKNOWN_KEY, "unknown key '" + p + attr + "': rule attributes are "
            + new java.util.TreeSet<>(RULE_ATTRIBUTES) + " and slice.<name>.keys/owner");
        continue;
      }
      String rest = attr.substring("slice.".length());
      int dot = rest.indexOf('.');
      String sliceName = dot < 0 ? rest : rest.substring(0, dot);
      String sliceAttr = dot < 0 ? "" : rest.substring(dot + 1);
      if (!sliceAttr.equals("keys") && !sliceAttr.equals("owner")) {
        problem(Kind.UNKNOWN_KEY, "unknown key '" + p + attr + "': slice keys are "
            + p + "slice.<name>.keys and " + p + "slice.<name>.owner");
      } else if (Rule.NULL_KEY_SLICE.equals(sliceName)) {
        problem(Kind.INVALID_NAME, "slice name '" + sliceName + "' in '" + p + attr
            + "' is reserved for records routed by null-key-owner");
      } else if (!NAME.matcher(sliceName).matches()) {
        problem(Kind.INVALID_NAME, "slice name '" + sliceName + "' in '" + p + attr + "' must match [A-Za-z0-9_-]+");
      } else {
        sliceAttrs.computeIfAbsent(sliceName, n -> new HashMap<>()).put(sliceAttr, a.getValue());
      }
    }
    return sliceAttrs;
  }

  /** The rule's state, or {@code null} after reporting a missing or unknown one. */
  private MigrationState parseState(String p, String stateValue) {
    if (stateValue == null || stateValue.isEmpty()) {
      problem(Kind.MISSING_VALUE, "'" + p + "state' is required (MIRROR, DUAL_READ, WRITE_PROMOTION or TARGET_AUTHORITY)");
      return null;
    }
    try {
      return MigrationState.valueOf(stateValue);
    } catch (IllegalArgumentException e) {
      problem(Kind.UNKNOWN_STATE, "'" + p + "state' is '" + stateValue
          + "'; use MIRROR, DUAL_READ, WRITE_PROMOTION or TARGET_AUTHORITY");
      return null;
    }
  }

  /**
   * The slices of a rule: none outside WRITE_PROMOTION (reporting any given), and in WRITE_PROMOTION slices that
   * must cover every key bucket once, plus a valid null-key owner if one is set.
   */
  private List<Slice> parseSlices(String name, String p, MigrationState state,
      Map<String, Map<String, String>> sliceAttrs, String nullKeyOwner, String source, String target) {
    List<Slice> slices = new ArrayList<>();
    if (state == null) {
      return slices;
    }
    if (!state.sliced()) {
      if (!sliceAttrs.isEmpty()) {
        problem(Kind.SLICES_NOT_ALLOWED, "rule '" + name + "' is " + state
            + ": slices exist only in WRITE_PROMOTION; remove " + p + "slice.*");
      }
      if (nullKeyOwner != null) {
        problem(Kind.SLICES_NOT_ALLOWED, "rule '" + name + "' is " + state
            + ": null-key-owner applies only to WRITE_PROMOTION; remove " + p + "null-key-owner");
      }
      return slices;
    }
    if (sliceAttrs.isEmpty()) {
      problem(Kind.SLICES_REQUIRED, "rule '" + name + "' is WRITE_PROMOTION and needs slices covering key buckets 0-9999: "
          + p + "slice.<name>.keys=<from>-<to> and " + p + "slice.<name>.owner=<alias>");
    }
    boolean rangesValid = true;
    for (Map.Entry<String, Map<String, String>> s : sliceAttrs.entrySet()) {
      int beforeRanges = rangeProblems;
      slices.add(parseSlice(p + "slice." + s.getKey() + '.', s.getKey(), s.getValue(), source, target));
      rangesValid &= rangeProblems == beforeRanges;
    }
    if (rangesValid) {
      checkCoverage(name, slices);
    }
    if (nullKeyOwner != null) {
      checkOwner(p + "null-key-owner", nullKeyOwner, source, target);
    }
    return slices;
  }

  private String ruleAlias(String key, String value, String fallback, String what) {
    String alias = emptyToNull(value);
    if (alias == null) {
      if (fallback == null) {
        problem(Kind.MISSING_VALUE, "'" + key + "' is required when the document has no top-level '" + what + "'");
      }
      return fallback;
    }
    checkAlias(key, alias, what);
    return alias;
  }

  private Set<String> topicList(String key, String value) {
    Set<String> names = new LinkedHashSet<>();
    if (value == null) {
      return names;
    }
    for (String raw : value.split(",", -1)) {
      String topic = raw.trim();
      if (!TOPIC.matcher(topic).matches()) {
        problem(Kind.INVALID_NAME, "'" + key + "' has '" + topic
            + "': topic names and prefixes are 1-249 characters of [A-Za-z0-9._-], separated by commas");
        continue;
      }
      names.add(topic);
    }
    return names;
  }

  private Slice parseSlice(String p, String name, Map<String, String> attrs, String source, String target) {
    String keys = emptyToNull(attrs.get("keys"));
    String owner = emptyToNull(attrs.get("owner"));
    List<Slice.KeyRange> ranges = new ArrayList<>();
    if (keys == null) {
      problem(Kind.MISSING_VALUE, "'" + p + "keys' is required: inclusive bucket ranges such as 0-999");
      rangeProblems++;
    } else {
      for (String raw : keys.split(",", -1)) {
        Slice.KeyRange range = parseRange(p + "keys", raw.trim());
        if (range != null) {
          ranges.add(range);
        }
      }
    }
    if (owner == null) {
      problem(Kind.MISSING_VALUE, "'" + p + "owner' is required: the rule's source or target alias");
    } else {
      checkOwner(p + "owner", owner, source, target);
    }
    return new Slice(name, ranges, owner);
  }

  private Slice.KeyRange parseRange(String key, String text) {
    int dash = text.indexOf('-');
    String fromText = dash < 0 ? text : text.substring(0, dash).trim();
    String toText = dash < 0 ? text : text.substring(dash + 1).trim();
    int from;
    int to;
    try {
      from = Integer.parseInt(fromText);
      to = Integer.parseInt(toText);
    } catch (NumberFormatException e) {
      problem(Kind.MALFORMED_NUMBER, "'" + key + "' has '" + text + "': a range is <from>-<to>, two integers in 0-9999");
      rangeProblems++;
      return null;
    }
    if (from < 0 || to >= AuthorityMap.BUCKETS || from > to) {
      problem(Kind.INVALID_RANGE, "'" + key + "' has '" + text + "': ranges lie within 0-9999 with from <= to");
      rangeProblems++;
      return null;
    }
    return new Slice.KeyRange(from, to);
  }

  private void checkOwner(String key, String owner, String source, String target) {
    if (!checkAlias(key, owner, "owner") || !clusters.contains(source) || !clusters.contains(target)) {
      return; // an undeclared alias is reported once, where it is named
    }
    if (!owner.equals(source) && !owner.equals(target)) {
      problem(Kind.OWNER_NOT_SOURCE_OR_TARGET, "'" + key + "' is '" + owner + "', which is neither the rule's source '"
          + source + "' nor its target '" + target + "'");
    }
  }

  private void checkCoverage(String rule, List<Slice> slices) {
    String[] owner = new String[AuthorityMap.BUCKETS];
    boolean overlap = false;
    for (Slice slice : slices) {
      for (Slice.KeyRange r : slice.ranges()) {
        for (int b = r.from(); b <= r.to(); b++) {
          if (owner[b] != null && !overlap) {
            problem(Kind.SLICE_OVERLAP, "rule '" + rule + "': slices '" + owner[b] + "' and '" + slice.name()
                + "' both cover key bucket " + b);
            overlap = true;
          }
          owner[b] = slice.name();
        }
      }
    }
    if (slices.isEmpty()) {
      return;
    }
    int gapStart = -1;
    StringBuilder gaps = new StringBuilder();
    for (int b = 0; b <= AuthorityMap.BUCKETS; b++) {
      boolean missing = b < AuthorityMap.BUCKETS && owner[b] == null;
      if (missing && gapStart < 0) {
        gapStart = b;
      } else if (!missing && gapStart >= 0) {
        gaps.append(gaps.length() == 0 ? "" : ",").append(gapStart).append('-').append(b - 1);
        gapStart = -1;
      }
    }
    if (gaps.length() > 0) {
      problem(Kind.SLICE_GAP, "rule '" + rule + "': key buckets " + gaps
          + " belong to no slice; slices must cover 0-9999 exactly once");
    }
  }

  private void claim(Map<String, String> claims, Set<String> names, String rule, String what) {
    for (String name : names) {
      String other = claims.putIfAbsent(name, rule);
      if (other != null) {
        problem(Kind.TOPIC_CLAIMED_TWICE, what + " '" + name + "' is claimed by rules '" + other + "' and '"
            + rule + "'");
      }
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private void problem(Kind kind, String detail) {
    problems.add(new DocumentProblem(kind, detail));
  }
}
