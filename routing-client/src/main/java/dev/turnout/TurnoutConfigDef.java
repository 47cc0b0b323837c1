package dev.turnout;

import static dev.turnout.TurnoutConfig.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;

/**
 * The definition of every {@code turnout.*} key (type, default, valid values, importance, documentation), the
 * single source of what {@link TurnoutSettings} accepts and of the key tables in docs/. The per-cluster keys
 * {@code turnout.cluster.<alias>.*} are dynamic and not defined here.
 */
final class TurnoutConfigDef {

  /** Groups of keys, in the order of the docs. */
  static final String GROUP_CLUSTERS = "clusters";
  static final String GROUP_AUTHORITY = "authority";
  static final String GROUP_CUTOVER = "cutover";
  static final String GROUP_BREAKER = "breaker";
  static final String GROUP_CONSUMER = "consumer";
  static final String GROUP_STATUS = "status";

  /** The definitions. */
  static final ConfigDef DEFINITION = define();

  private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_-]+");
  /** The key of the Archaius source's prefix (a source-specific key: no constant in {@link TurnoutConfig}). */
  static final String ARCHAIUS_PREFIX = "turnout.authority.archaius.prefix";
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  private TurnoutConfigDef() {}

  private static ConfigDef define() {
    ConfigDef def = new ConfigDef();
    int[] order = {0};
    defineClustersAndAuthority(def, order);
    defineCutoverAndBreaker(def, order);
    defineConsumer(def, order);
    defineStatus(def, order);
    return def;
  }

  private static void defineClustersAndAuthority(ConfigDef def, int[] order) {
    def.define(CLUSTERS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new Aliases(), Importance.HIGH,
        "Comma-separated aliases of the clusters this client may ever talk to (letters, digits, `_` and `-`).",
        GROUP_CLUSTERS, ++order[0], ConfigDef.Width.LONG, CLUSTERS);
    def.define(AUTHORITY_FILE, Type.STRING, null, null, Importance.HIGH,
        "Path of the authority document (a properties file, UTF-8). One of this or " + AUTHORITY_SOURCE + ".",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.LONG, AUTHORITY_FILE);
    def.define(AUTHORITY_SOURCE, Type.CLASS, null, new Implements(dev.turnout.source.AuthoritySource.class),
        Importance.HIGH, "Instead of a file: an `AuthoritySource` class name, `Class` or instance; a `Configurable` "
            + "one is configured with the whole client configuration.",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.LONG, AUTHORITY_SOURCE);
    def.define(AUTHORITY_TOPIC, Type.STRING, null, new TopicName(), Importance.HIGH,
        "Instead of a file: a compacted Kafka topic holding the authority document (each record value a whole "
            + "document); its cluster is " + AUTHORITY_TOPIC_CLUSTER + " or " + AUTHORITY_TOPIC_BOOTSTRAP_SERVERS + ".",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.LONG, AUTHORITY_TOPIC);
    def.define(AUTHORITY_TOPIC_CLUSTER, Type.STRING, null, null, Importance.HIGH,
        "The alias (of " + CLUSTERS + ") of the cluster holding " + AUTHORITY_TOPIC + "; its client settings, "
            + "security included, are used. One of this or " + AUTHORITY_TOPIC_BOOTSTRAP_SERVERS + ".",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.SHORT, AUTHORITY_TOPIC_CLUSTER);
    def.define(AUTHORITY_TOPIC_BOOTSTRAP_SERVERS, Type.STRING, null, null, Importance.HIGH,
        "Bootstrap servers of a cluster of its own holding " + AUTHORITY_TOPIC + ", with its other client settings "
            + "under " + AUTHORITY_TOPIC_PREFIX + "<Kafka client setting>. One of this or " + AUTHORITY_TOPIC_CLUSTER
            + ".",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.LONG, AUTHORITY_TOPIC_BOOTSTRAP_SERVERS);
    def.define(AUTHORITY_REFRESH_MS, Type.LONG, DEFAULT_AUTHORITY_REFRESH_MS, Bounded.positive("milliseconds"),
        Importance.MEDIUM, "How often the authority source is re-read, in milliseconds.",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.SHORT, AUTHORITY_REFRESH_MS);
    def.define(AUTHORITY_MAX_STALENESS_MS, Type.LONG, DEFAULT_AUTHORITY_MAX_STALENESS_MS,
        Bounded.positive("milliseconds"), Importance.MEDIUM, "After this long without a successful refresh every "
            + "routing decision fails closed; must exceed " + AUTHORITY_REFRESH_MS + ".",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.SHORT, AUTHORITY_MAX_STALENESS_MS);
    def.define(AUTHORITY_REQUIRED, Type.BOOLEAN, DEFAULT_AUTHORITY_REQUIRED, Importance.MEDIUM,
        "Whether construction fails (with the reason) when no valid authority document can be read at start; "
            + "by default the client starts, logs the reason at WARN and refuses every decision until one is read.",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.SHORT, AUTHORITY_REQUIRED);
    def.define(AUTHORITY_CACHE_FILE, Type.STRING, null, null, Importance.MEDIUM, "Path of the last-known-good "
            + "cache: each accepted document is written there; at a start with the source unusable the client routes "
            + "by it until " + AUTHORITY_MAX_STALENESS_MS + " after it was written. Default: no cache.",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.LONG, AUTHORITY_CACHE_FILE);
    def.define(AUTHORITY_TRUSTED_KEYS, Type.LIST, null, null, Importance.MEDIUM, TrustedKeys.DOCUMENTATION,
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.LONG, AUTHORITY_TRUSTED_KEYS);
    // Read by dev.turnout.archaius.ArchaiusAuthoritySource (artifact turnout-archaius), declared here so that the
    // unknown-key check lets it through; the routing client itself does not use it.
    def.define(ARCHAIUS_PREFIX, Type.STRING, "turnout.authority.document.", null, Importance.LOW,
        "Prefix of the Archaius properties that hold the authority document, for `turnout.authority.source="
            + "dev.turnout.archaius.ArchaiusAuthoritySource` (artifact `turnout-archaius`); other sources ignore it.",
        GROUP_AUTHORITY, ++order[0], ConfigDef.Width.LONG, ARCHAIUS_PREFIX);
  }

  private static void defineCutoverAndBreaker(ConfigDef def, int[] order) {
    def.define(CUTOVER_BARRIER, Type.STRING, DEFAULT_CUTOVER_BARRIER, new Choice<>(CutoverBarrier.class,
            "replicated (wait until the records sent to the old owner are visible on the new owner) or drained "
                + "(wait for their acknowledgements only)"), Importance.HIGH,
        "What a moved slice waits for: `replicated` (acknowledgements, then the records on the new owner) or "
            + "`drained` (acknowledgements only, when nothing replicates the old owner to the new one).",
        GROUP_CUTOVER, ++order[0], ConfigDef.Width.SHORT, CUTOVER_BARRIER);
    def.define(CUTOVER_MAX_PAUSE_MS, Type.LONG, DEFAULT_CUTOVER_MAX_PAUSE_MS, Bounded.positive("milliseconds"),
        Importance.MEDIUM, "Longest a moved slice waits at its cutover barrier, in milliseconds; then its records "
            + "fail with `CUTOVER_BARRIER_TIMEOUT` and the slice fails closed.",
        GROUP_CUTOVER, ++order[0], ConfigDef.Width.SHORT, CUTOVER_MAX_PAUSE_MS);
    def.define(CUTOVER_BUFFER_BYTES, Type.LONG, DEFAULT_CUTOVER_BUFFER_BYTES, Bounded.positive("bytes"),
        Importance.LOW, "Memory for records waiting at cutover barriers, in bytes (serialized key, value and headers "
            + "+ 64 bytes each); when full, `send` blocks up to `max.block.ms`.",
        GROUP_CUTOVER, ++order[0], ConfigDef.Width.SHORT, CUTOVER_BUFFER_BYTES);
    def.define(ROLLBACK_RECONCILE, Type.STRING, DEFAULT_ROLLBACK_RECONCILE, new Choice<>(RollbackReconcile.class,
            "manual (an operator or a job reconciles the slice) or auto (the producer reconciles it itself)"),
        Importance.MEDIUM, "Who copies the target-only records of a slice moved back from the target to the source "
            + "before its sends go to the source: `manual` (an operator or a job; the producer waits until the records "
            + "it wrote to the target are on the source) or `auto` (the producer reconciles the slice's whole range).",
        GROUP_CUTOVER, ++order[0], ConfigDef.Width.SHORT, ROLLBACK_RECONCILE);
    def.define(ROLLBACK_MAX_PAUSE_MS, Type.LONG, DEFAULT_ROLLBACK_MAX_PAUSE_MS, Bounded.positive("milliseconds"),
        Importance.MEDIUM, "Longest a slice moved back from the target to the source waits for its target-only "
            + "records to be on the source, in milliseconds; then its records fail with `ROLLBACK_NOT_RECONCILED` and "
            + "the slice fails closed.",
        GROUP_CUTOVER, ++order[0], ConfigDef.Width.SHORT, ROLLBACK_MAX_PAUSE_MS);
    def.define(BREAKER_ENABLED, Type.BOOLEAN, DEFAULT_BREAKER_ENABLED, null, Importance.MEDIUM,
        "Whether a circuit breaker guards each cluster.",
        GROUP_BREAKER, ++order[0], ConfigDef.Width.SHORT, BREAKER_ENABLED);
    def.define(BREAKER_FAILURE_RATE_THRESHOLD, Type.INT, DEFAULT_BREAKER_FAILURE_RATE_THRESHOLD,
        new Bounded(Range.between(1, 100), "a percentage from 1 to 100"), Importance.LOW,
        "Percent of failed sends in the window at or above which a cluster's breaker opens.",
        GROUP_BREAKER, ++order[0], ConfigDef.Width.SHORT, BREAKER_FAILURE_RATE_THRESHOLD);
    def.define(BREAKER_WINDOW_SIZE, Type.INT, DEFAULT_BREAKER_WINDOW_SIZE, Bounded.positive("sends"),
        Importance.LOW, "Number of most recent send outcomes per cluster over which the failure rate is computed.",
        GROUP_BREAKER, ++order[0], ConfigDef.Width.SHORT, BREAKER_WINDOW_SIZE);
    def.define(BREAKER_MINIMUM_CALLS, Type.INT, DEFAULT_BREAKER_MINIMUM_CALLS, Bounded.positive("sends"),
        Importance.LOW, "Outcomes the window must hold before the failure rate can open the breaker.",
        GROUP_BREAKER, ++order[0], ConfigDef.Width.SHORT, BREAKER_MINIMUM_CALLS);
    def.define(BREAKER_OPEN_WAIT_MS, Type.LONG, DEFAULT_BREAKER_OPEN_WAIT_MS, Bounded.positive("milliseconds"),
        Importance.LOW, "How long an open breaker refuses sends before letting trial sends through, in milliseconds.",
        GROUP_BREAKER, ++order[0], ConfigDef.Width.SHORT, BREAKER_OPEN_WAIT_MS);
    def.define(BREAKER_HALF_OPEN_CALLS, Type.INT, DEFAULT_BREAKER_HALF_OPEN_CALLS, Bounded.positive("sends"),
        Importance.LOW, "Trial sends a half-open breaker lets through; their outcomes close or reopen it.",
        GROUP_BREAKER, ++order[0], ConfigDef.Width.SHORT, BREAKER_HALF_OPEN_CALLS);
  }

  private static void defineConsumer(ConfigDef def, int[] order) {
    def.define(CONSUMER_ROLE, Type.STRING, CONSUMER_ROLE_PRODUCTION, new Choice<>(ConsumerRole.class,
            CONSUMER_ROLE_PRODUCTION + " or " + CONSUMER_ROLE_VALIDATION), Importance.MEDIUM,
        "`validation`: read the target of `DUAL_READ` rules, under the group id `<group.id>"
            + VALIDATION_GROUP_SUFFIX + "` on every cluster.",
        GROUP_CONSUMER, ++order[0], ConfigDef.Width.SHORT, CONSUMER_ROLE);
    def.define(CONSUMER_OFFSET_TRANSLATION, Type.STRING, DEFAULT_CONSUMER_OFFSET_TRANSLATION,
        new Choice<>(OffsetTranslation.class, "one of identity, mirrormaker2, timestamp"), Importance.MEDIUM,
        "First estimate of a handed-over offset on the new cluster: `identity` (offset-preserving links), "
            + "`mirrormaker2` (MirrorMaker 2 checkpoints; needs `org.apache.kafka:connect-mirror-client`) or "
            + "`timestamp` (`offsetsForTimes` with the last processed record's timestamp).",
        GROUP_CONSUMER, ++order[0], ConfigDef.Width.SHORT, CONSUMER_OFFSET_TRANSLATION);
    def.define(CONSUMER_MM2_SOURCE_ALIAS, Type.STRING, null, null, Importance.LOW,
        "MirrorMaker 2's alias of the source cluster (the prefix of `<alias>.checkpoints.internal` on the target); "
            + "unset: the Turnout alias of the rule's source.",
        GROUP_CONSUMER, ++order[0], ConfigDef.Width.SHORT, CONSUMER_MM2_SOURCE_ALIAS);
    def.define(CONSUMER_BOUNDARY_TIMEOUT_MS, Type.LONG, DEFAULT_CONSUMER_BOUNDARY_TIMEOUT_MS,
        Bounded.positive("milliseconds"), Importance.MEDIUM, "How long the boundary search waits for the last "
            + "processed record to appear on the new cluster (replication lag), in milliseconds.",
        GROUP_CONSUMER, ++order[0], ConfigDef.Width.SHORT, CONSUMER_BOUNDARY_TIMEOUT_MS);
    def.define(CONSUMER_UNVERIFIED, Type.STRING, CONSUMER_UNVERIFIED_FAIL, new Choice<>(UnverifiedBoundary.class,
            CONSUMER_UNVERIFIED_FAIL + " or " + CONSUMER_UNVERIFIED_REWIND), Importance.MEDIUM,
        "A boundary not verified in time: `fail` blocks the partition; `rewind` resumes at the translated offset "
            + "and counts the duplicates.",
        GROUP_CONSUMER, ++order[0], ConfigDef.Width.SHORT, CONSUMER_UNVERIFIED);
    def.define(CONSUMER_DEDUPE_WINDOW, Type.INT, DEFAULT_CONSUMER_DEDUPE_WINDOW,
        new Bounded(Range.between(0, MAX_CONSUMER_DEDUPE_WINDOW), "a number of records from 0 to "
            + MAX_CONSUMER_DEDUPE_WINDOW), Importance.LOW,
        "Moving back from a rule's target to its source: the most records of a partition processed on the target "
            + "whose copies on the source are recognised and withheld (about 24 to 48 bytes of memory per record "
            + "of the range, per partition moved back). A larger range is an unverified boundary. 0 disables it.",
        GROUP_CONSUMER, ++order[0], ConfigDef.Width.SHORT, CONSUMER_DEDUPE_WINDOW);
  }

  private static void defineStatus(ConfigDef def, int[] order) {
    def.define(STATUS_TOPIC, Type.STRING, null, null, Importance.MEDIUM, "The topic each client instance "
            + "publishes its status to (compacted; not created by Turnout). Unset: no status is published.",
        GROUP_STATUS, ++order[0], ConfigDef.Width.LONG, STATUS_TOPIC);
    def.define(STATUS_TOPIC_CLUSTER, Type.STRING, null, null, Importance.MEDIUM, "The alias of the cluster "
            + "holding the status topic; or `" + STATUS_TOPIC_PREFIX + "bootstrap.servers` and other `"
            + STATUS_TOPIC_PREFIX + "<setting>` keys; neither: the control topic's cluster.",
        GROUP_STATUS, ++order[0], ConfigDef.Width.SHORT, STATUS_TOPIC_CLUSTER);
    def.define(STATUS_INTERVAL_MS, Type.LONG, DEFAULT_STATUS_INTERVAL_MS,
        new Bounded(Range.atLeast(100), "at least 100 milliseconds"), Importance.LOW,
        "How often the status is published when nothing changed, in milliseconds.",
        GROUP_STATUS, ++order[0], ConfigDef.Width.SHORT, STATUS_INTERVAL_MS);
    def.define(SERVICE_NAME, Type.STRING, null, null, Importance.LOW, "The service name in the status record; "
            + "unset: the `client.id` without a trailing `-<digits>`.",
        GROUP_STATUS, ++order[0], ConfigDef.Width.SHORT, SERVICE_NAME);
  }

  /** The defined keys, sorted. */
  static List<String> sortedKeys() {
    return DEFINITION.names().stream().sorted().toList();
  }

  /** The enum constant a validated {@link Choice} value names. */
  static <E extends Enum<E>> E choice(Class<E> type, String value) {
    return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
  }

  /**
   * The error for an unknown {@code turnout.*} key: suggests the closest known key (or the per-cluster key
   * a mistyped prefix meant) and lists the known keys in sorted order.
   *
   * @param aliases the declared cluster aliases
   */
  static TurnoutConfigException unknownKey(String key, List<String> aliases) {
    String suggestion = closest(key, candidates(key, aliases));
    String message = "Unknown setting " + key + (suggestion == null ? "." : ": did you mean " + suggestion + "?")
        + " The turnout.* settings are " + String.join(", ", sortedKeys()) + ", and " + CLUSTER_PREFIX
        + "<alias>.<Kafka client setting> for each alias of " + CLUSTERS + ".";
    return TurnoutConfigException.unknown(key, message);
  }

  private static List<String> candidates(String key, List<String> aliases) {
    List<String> candidates = new ArrayList<>(sortedKeys());
    String[] parts = key.split("\\.", -1);
    // turnout.<prefix typo>.<alias>.<setting>: the per-cluster key it meant
    if (parts.length >= 4) {
      for (String alias : aliases) {
        if (parts[2].equals(alias)) {
          candidates.add(CLUSTER_PREFIX + alias + "." + String.join(".", Arrays.copyOfRange(parts, 3, parts.length)));
        }
      }
    }
    return candidates;
  }

  /** The candidate nearest to key by edit distance, if near enough to be a typo of it. */
  private static String closest(String key, List<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(key, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    int tolerated = Math.max(2, Math.min(key.length(), best == null ? 0 : best.length()) / 4);
    return bestDistance <= tolerated ? best : null;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** A number within a range, with a message in words. */
  static final class Bounded implements Validator {
    private final Range range;
    private final String expected;

    Bounded(Range range, String expected) {
      this.range = range;
      this.expected = expected;
    }

    static Bounded positive(String unit) {
      return new Bounded(Range.atLeast(1), "a positive number of " + unit);
    }

    @Override
    public void ensureValid(String name, Object value) {
      try {
        range.ensureValid(name, value);
      } catch (ConfigException e) {
        throw TurnoutConfigException.invalid(name, value, "must be " + expected);
      }
    }

    /** What a valid value is, in words. */
    String expected() {
      return expected;
    }

    @Override
    public String toString() {
      return range.toString();
    }
  }

  /** One of the configuration values of an enum, case-insensitive. */
  static final class Choice<E extends Enum<E>> implements Validator {
    private final Set<String> values;
    private final String expected;

    Choice(Class<E> type, String expected) {
      this.values = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
          .collect(Collectors.toCollection(java.util.TreeSet::new));
      this.expected = expected;
    }

    @Override
    public void ensureValid(String name, Object value) {
      if (value == null || !values.contains(value.toString().trim().toLowerCase(Locale.ROOT))) {
        throw TurnoutConfigException.invalid(name, value, "must be " + expected);
      }
    }

    @Override
    public String toString() {
      return String.join(", ", values);
    }
  }

  /** A class implementing an interface. */
  static final class Implements implements Validator {
    private final Class<?> type;

    Implements(Class<?> type) {
      this.type = type;
    }

    @Override
    public void ensureValid(String name, Object value) {
      if (value != null && !type.isAssignableFrom((Class<?>) value)) {
        throw TurnoutConfigException.invalid(name, ((Class<?>) value).getName(), "must name a class implementing "
            + type.getName() + " with a public no-argument constructor");
      }
    }

    @Override
    public String toString() {
      return "a class implementing " + type.getSimpleName();
    }
  }

  /** A legal Kafka topic name. */
  static final class TopicName implements Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value == null) {
        return;
      }
      String topic = value.toString().trim();
      if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
        throw TurnoutConfigException.invalid(name, value, "must be the name of the compacted control topic: 1-249 "
            + "characters of [A-Za-z0-9._-]");
      }
    }

    @Override
    public String toString() {
      return "a topic name";
    }
  }

  /** Cluster aliases: at least one, each matching {@code [A-Za-z0-9_-]+}, none twice. */
  static final class Aliases implements Validator {
    @Override
    public void ensureValid(String name, Object value) {
      List<?> items = (List<?>) value;
      if (items == null || items.isEmpty()) {
        throw TurnoutConfigException.invalid(name, value, "declare at least one cluster alias");
      }
      Set<String> seen = new HashSet<>();
      for (Object item : items) {
        String alias = String.valueOf(item).trim();
        if (!ALIAS.matcher(alias).matches()) {
          throw TurnoutConfigException.invalid(name, value, "alias '" + alias + "' must match [A-Za-z0-9_-]+");
        }
        if (!seen.add(alias)) {
          throw TurnoutConfigException.invalid(name, value, "alias '" + alias + "' is declared twice");
        }
      }
    }

    @Override
    public String toString() {
      return "aliases of [A-Za-z0-9_-]+";
    }
  }
}
