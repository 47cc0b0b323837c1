package dev.turnout.cli;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What moves from one authority document to the next, as typed {@link Change}s each with a sentence an operator
 * reads aloud: epochs, rules added and removed, topics, state changes (a state skipped, a rollback, leaving
 * {@code TARGET_AUTHORITY}), write owners per key range (forward moves wait for the cutover barrier; moves back
 * from target to source are rollbacks that need reconciliation first) and read clusters. Used by
 * {@code turnout diff}, {@code turnout publish --dry-run} and {@code turnout gate}.
 *
 * <p>The state order is {@code MIRROR, DUAL_READ, WRITE_PROMOTION, TARGET_AUTHORITY}.
 */
public final class DocumentDiff {

  /** A kind of change. */
  public enum Kind {
    /** The epoch rises (or the first document is published). */
    EPOCH,
    /** The new epoch is not above the old one: clients ignore it (lower) or reject it (equal, EPOCH_CONFLICT). */
    EPOCH_NOT_INCREASING,
    /** A rule appears: its topics become governed. */
    RULE_ADDED,
    /** A rule disappears: writes to its topics are refused ({@code NO_MATCHING_RULE}). */
    RULE_REMOVED,
    /** A rule's topics or topic prefix change. */
    TOPICS_CHANGED,
    /** A rule moves one state forward. */
    STATE_FORWARD,
    /** A rule moves forward by more than one state, skipping one (for example MIRROR to WRITE_PROMOTION). */
    STATE_SKIPPED,
    /** A rule moves back to an earlier state (not from TARGET_AUTHORITY). */
    STATE_BACK,
    /**
     * A rule leaves TARGET_AUTHORITY: clients accept it only with {@code rule.<name>.rollback.allowed=true}
     * ({@link Change#refused()} when missing).
     */
    LEAVES_TARGET_AUTHORITY,
    /** Writes of a key range move forward (to the target, or between other clusters): the cutover barrier. */
    WRITES_MOVE,
    /** Writes of a key range move back from the rule's target to its source: a rollback needing reconciliation. */
    WRITES_ROLL_BACK,
    /** The cluster a rule's consumers read changes. */
    READS_MOVE
  }

  /**
   * One change.
   *
   * @param kind what changes
   * @param rule the rule's name, {@code null} for the epoch
   * @param scope what of the rule ({@code "keys 0-999 (slice canary)"}, {@code "null keys"}, {@code "all keys"}),
   *     {@code null} when the whole rule
   * @param from the old value (state, cluster, epoch, topics), {@code null} when none
   * @param to the new value, {@code null} when none
   * @param refused whether clients reject the new document because of this change (an epoch not above the old
   *     one, leaving TARGET_AUTHORITY without {@code rollback.allowed})
   * @param sentence the change in words
   */
  public record Change(Kind kind, String rule, String scope, String from, String to, boolean refused,
      String sentence) {

    public Change {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(sentence, "sentence");
    }
  }

  private final AuthorityMap before;
  private final AuthorityMap after;
  private final List<Change> changes = new ArrayList<>();

  private DocumentDiff(AuthorityMap before, AuthorityMap after) {
    this.before = before;
    this.after = Objects.requireNonNull(after, "after");
  }

  /**
   * The changes from {@code before} to {@code after}.
   *
   * @param before the document in force (published), or {@code null} when there is none yet
   * @param after the new document
   */
  public static DocumentDiff between(AuthorityMap before, AuthorityMap after) {
    DocumentDiff diff = new DocumentDiff(before, after);
    diff.compute();
    return diff;
  }

  /** Every change, epoch first, then rule by rule in name order. */
  public List<Change> changes() {
    return List.copyOf(changes);
  }

  /** The changes of one kind. */
  public List<Change> changes(Kind kind) {
    return changes.stream().filter(c -> c.kind() == kind).toList();
  }

  /** Whether some rule skips a state. */
  public boolean skipsState() {
    return !changes(Kind.STATE_SKIPPED).isEmpty();
  }

  /** Whether some writes move back from target to source: reconcile before publishing. */
  public boolean needsReconciliation() {
    return !changes(Kind.WRITES_ROLL_BACK).isEmpty();
  }

  /** Whether some writes move forward: the producers hold them at the cutover barrier. */
  public boolean needsBarrier() {
    return !changes(Kind.WRITES_MOVE).isEmpty();
  }

  /** The changes the clients would reject the new document for. */
  public List<Change> refusals() {
    return changes.stream().filter(Change::refused).toList();
  }

  /** Whether nothing but (at most) the epoch changes. */
  public boolean onlyEpoch() {
    return changes.stream().allMatch(c -> c.kind() == Kind.EPOCH || c.kind() == Kind.EPOCH_NOT_INCREASING);
  }

  /** The old document, {@code null} when none. */
  public AuthorityMap before() {
    return before;
  }

  /** The new document. */
  public AuthorityMap after() {
    return after;
  }

  private void compute() {
    epoch();
    Set<String> names = new TreeSet<>();
    if (before != null) {
      before.rules().forEach(r -> names.add(r.name()));
    }
    after.rules().forEach(r -> names.add(r.name()));
    for (String name : names) {
      Rule old = before == null ? null : rule(before, name);
      Rule now = rule(after, name);
      if (old == null) {
        add(Kind.RULE_ADDED, name, null, null, now.state().name(), false, "rule " + name + " added: "
            + topics(now) + " in " + now.state() + ", writes to " + owners(now) + ", reads from "
            + now.readCluster());
      } else if (now == null) {
        add(Kind.RULE_REMOVED, name, null, old.state().name(), null, false, "rule " + name + " removed: "
            + topics(old) + " no longer governed, writes to them are refused (NO_MATCHING_RULE) unless another "
            + "rule covers them");
      } else {
        ruleChanges(old, now);
      }
    }
  }

  private void epoch() {
    if (before == null) {
      add(Kind.EPOCH, null, null, null, Long.toString(after.epoch()), false,
          "first document: epoch " + after.epoch());
      return;
    }
    String from = Long.toString(before.epoch());
    String to = Long.toString(after.epoch());
    if (after.epoch() > before.epoch()) {
      add(Kind.EPOCH, null, null, from, to, false, "epoch " + from + " -> " + to);
    } else {
      add(Kind.EPOCH_NOT_INCREASING, null, null, from, to, true, "epoch " + to + " is not above " + from
          + ": clients " + (after.epoch() < before.epoch() ? "ignore a lower epoch" : "reject a different document "
          + "with the same epoch (EPOCH_CONFLICT)") + "; raise it to " + (before.epoch() + 1) + " or more");
    }
  }

  private void ruleChanges(Rule old, Rule now) {
    String name = now.name();
    if (!old.topics().equals(now.topics()) || !old.prefixes().equals(now.prefixes())) {
      add(Kind.TOPICS_CHANGED, name, null, topics(old), topics(now), false, "rule " + name + " now governs "
          + topics(now) + " (was " + topics(old) + ")");
    }
    state(old, now);
    writes(old, now);
    if (!old.readCluster().equals(now.readCluster())) {
      add(Kind.READS_MOVE, name, null, old.readCluster(), now.readCluster(), false, "rule " + name
          + ": consumers move their reads from " + old.readCluster() + " to " + now.readCluster()
          + " (each group hands over at a verified boundary)");
    }
  }

  private void state(Rule old, Rule now) {
    MigrationState from = old.state();
    MigrationState to = now.state();
    if (from == to) {
      return;
    }
    String name = now.name();
    String change = "rule " + name + ": " + from + " -> " + to;
    if (from == MigrationState.TARGET_AUTHORITY) {
      boolean allowed = now.rollbackAllowed();
      add(Kind.LEAVES_TARGET_AUTHORITY, name, null, from.name(), to.name(), !allowed, change
          + " leaves TARGET_AUTHORITY: " + (allowed ? "allowed by rule." + name + ".rollback.allowed=true"
          : "clients refuse it (ROLLBACK_NOT_ALLOWED) unless the document sets rule." + name
          + ".rollback.allowed=true"));
    } else if (to.ordinal() < from.ordinal()) {
      add(Kind.STATE_BACK, name, null, from.name(), to.name(), false, change + " (a rollback)");
    } else if (to.ordinal() > from.ordinal() + 1) {
      List<String> skipped = new ArrayList<>();
      for (MigrationState s : MigrationState.values()) {
        if (s.ordinal() > from.ordinal() && s.ordinal() < to.ordinal()) {
          skipped.add(s.name());
        }
      }
      add(Kind.STATE_SKIPPED, name, null, from.name(), to.name(), false, change + " skips "
          + String.join(", ", skipped) + ": go through each state, or publish with --force if intended");
    } else {
      add(Kind.STATE_FORWARD, name, null, from.name(), to.name(), false, change);
    }
  }

  /** Write-owner changes, in runs of contiguous key buckets with the same old and new owner. */
  private void writes(Rule old, Rule now) {
    int start = -1;
    String runFrom = null;
    String runTo = null;
    for (int bucket = 0; bucket <= AuthorityMap.BUCKETS; bucket++) {
      String from = bucket < AuthorityMap.BUCKETS ? owner(old.routeForBucket(bucket)) : null;
      String to = bucket < AuthorityMap.BUCKETS ? owner(now.routeForBucket(bucket)) : null;
      boolean moves = bucket < AuthorityMap.BUCKETS && !Objects.equals(from, to);
      boolean sameRun = moves && start >= 0 && Objects.equals(from, runFrom) && Objects.equals(to, runTo);
      if (start >= 0 && !sameRun) {
        String scope = start == 0 && bucket == AuthorityMap.BUCKETS ? "all keys" : "keys " + start + "-"
            + (bucket - 1) + slices(now, start, bucket - 1);
        move(old, now, scope, runFrom, runTo);
        start = -1;
      }
      if (moves && start < 0) {
        start = bucket;
        runFrom = from;
        runTo = to;
      }
    }
    String nullFrom = owner(old.nullKeyRoute());
    String nullTo = owner(now.nullKeyRoute());
    if (!Objects.equals(nullFrom, nullTo) && (now.sliced() || old.sliced())) {
      move(old, now, "null keys", nullFrom, nullTo);
    }
  }

  private void move(Rule old, Rule now, String scope, String from, String to) {
    String name = now.name();
    String what = "rule " + name + " " + scope + ": writes move from " + (from == null ? "nowhere (refused)" : from)
        + " to " + (to == null ? "nowhere (refused)" : to);
    boolean back = from != null && from.equals(old.target()) && to != null && to.equals(now.source());
    if (back) {
      add(Kind.WRITES_ROLL_BACK, name, scope, from, to, false, what + ": a rollback; reconcile the records written"
          + " to " + from + " back to " + to + " first (turnout reconcile)");
    } else {
      add(Kind.WRITES_MOVE, name, scope, from, to, false, what + (to == null ? "" : ": new writes to " + to
          + " wait at the cutover barrier until " + (from == null ? "the move" : from + "'s records")
          + " are acknowledged (and replicated, with the default barrier)"));
    }
  }

  private static String slices(Rule rule, int first, int last) {
    Set<String> names = new TreeSet<>();
    for (int b = first; b <= last; b++) {
      Route route = rule.routeForBucket(b);
      if (route.slice() != null) {
        names.add(route.slice());
      }
    }
    return names.isEmpty() ? "" : " (slice " + String.join(", ", names) + ")";
  }

  private static String owner(Route route) {
    return route == null || !route.routable() ? null : route.owner();
  }

  private static Rule rule(AuthorityMap map, String name) {
    return map.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
  }

  private static String topics(Rule rule) {
    List<String> parts = new ArrayList<>(new TreeSet<>(rule.topics()));
    new TreeSet<>(rule.prefixes()).forEach(p -> parts.add(p + "*"));
    return "topics " + String.join(",", parts);
  }

  private static String owners(Rule rule) {
    return String.join(" and ", rule.writeOwners());
  }

  private void add(Kind kind, String rule, String scope, String from, String to, boolean refused, String sentence) {
    changes.add(new Change(kind, rule, scope, from, to, refused, sentence));
  }
}
