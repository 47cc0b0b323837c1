package dev.turnout.internal.cutover;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The key buckets of one topic whose write owner differs between two consecutive authority maps, as sorted,
 * disjoint bucket ranges each with its old and new owner (cluster indexes), plus the move of null-key writes.
 * Immutable; computed once per topic and transition.
 */
final class TopicMoves {

  static final TopicMoves NONE = new TopicMoves(new int[0], new int[0], new int[0], new int[0], -1, -1);

  /** Bucket passed for a record with a null key. */
  static final int NULL_KEY = -1;

  private final int[] starts;
  private final int[] ends;
  private final int[] from;
  private final int[] to;
  private final int nullFrom;
  private final int nullTo;
  private final boolean uniform;

  private TopicMoves(int[] starts, int[] ends, int[] from, int[] to, int nullFrom, int nullTo) {
    this.starts = starts;
    this.ends = ends;
    this.from = from;
    this.to = to;
    this.nullFrom = nullFrom;
    this.nullTo = nullTo;
    this.uniform = starts.length == 1 && starts[0] == 0 && ends[0] == AuthorityMap.BUCKETS - 1
        && nullFrom == from[0] && nullTo == to[0];
  }

  /** The moves of {@code topic} from {@code previous} to {@code current}. */
  static TopicMoves compute(AuthorityMap previous, AuthorityMap current, String topic) {
    return compute(RoutingHistory.of(previous), current, topic);
  }

  /**
   * The moves of {@code topic} from its last owners in {@code history} (the newest map with a rule for the
   * topic, and for null keys the newest that routed them, however many maps without one came after) to
   * {@code current}.
   */
  static TopicMoves compute(RoutingHistory history, AuthorityMap current, String topic) {
    Rule after = current.ruleFor(topic);
    if (after == null) {
      return NONE; // nothing is routed now
    }
    Rule before = history.lastRule(topic);
    if (before == null) {
      return NONE; // nothing was ever routed
    }
    TreeSet<Integer> cuts = new TreeSet<>();
    cuts.add(0);
    addStarts(before, cuts);
    addStarts(after, cuts);
    List<int[]> segments = new ArrayList<>();
    Integer[] points = cuts.toArray(new Integer[0]);
    for (int i = 0; i < points.length; i++) {
      int start = points[i];
      int end = i + 1 < points.length ? points[i + 1] - 1 : AuthorityMap.BUCKETS - 1;
      int oldOwner = before.routeForBucket(start).ownerIndex();
      int newOwner = after.routeForBucket(start).ownerIndex();
      if (oldOwner == newOwner) {
        continue;
      }
      int[] last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
      if (last != null && last[1] == start - 1 && last[2] == oldOwner && last[3] == newOwner) {
        last[1] = end;
      } else {
        segments.add(new int[] {start, end, oldOwner, newOwner});
      }
    }
    Route nullBefore = history.lastNullKeyRoute(topic);
    Route nullAfter = RoutingHistory.nullKeyRoute(after);
    int nullFrom = -1;
    int nullTo = -1;
    if (nullBefore != null && nullAfter != null && nullBefore.routable() && nullAfter.routable()
        && nullBefore.ownerIndex() != nullAfter.ownerIndex()) {
      nullFrom = nullBefore.ownerIndex();
      nullTo = nullAfter.ownerIndex();
    }
    if (segments.isEmpty() && nullFrom < 0) {
      return NONE;
    }
    int n = segments.size();
    int[] starts = new int[n];
    int[] ends = new int[n];
    int[] from = new int[n];
    int[] to = new int[n];
    for (int i = 0; i < n; i++) {
      int[] s = segments.get(i);
      starts[i] = s[0];
      ends[i] = s[1];
      from[i] = s[2];
      to[i] = s[3];
    }
    return new TopicMoves(starts, ends, from, to, nullFrom, nullTo);
  }

  private static void addStarts(Rule rule, TreeSet<Integer> cuts) {
    if (rule.unslicedRoute() != null) {
      return;
    }
    for (Slice slice : rule.slices()) {
      for (Slice.KeyRange range : slice.ranges()) {
        cuts.add(range.from());
      }
    }
  }

  /** Whether no write of the topic changed owner. */
  boolean none() {
    return starts.length == 0 && nullFrom < 0;
  }

  /** Whether {@link #moved(int)} depends on the bucket (otherwise every write of the topic moved alike). */
  boolean needsBucket() {
    return !uniform && !none();
  }

  /**
   * Whether writes of a bucket (or {@link #NULL_KEY}) changed owner. When {@link #needsBucket()} is false
   * any bucket gives the answer for the whole topic.
   */
  boolean moved(int bucket) {
    if (uniform) {
      return true;
    }
    return movedSegment(bucket);
  }

  private boolean movedSegment(int bucket) {
    if (bucket < 0) {
      return nullFrom >= 0;
    }
    int idx = Arrays.binarySearch(starts, bucket);
    if (idx < 0) {
      idx = -idx - 2;
    }
    return idx >= 0 && bucket <= ends[idx];
  }

  /**
   * Whether every write that moved here (each moved bucket, and null-key writes if they moved) moved again in
   * one of {@code later}: then a send of any of them finds a later cutover first, never this one.
   */
  boolean coveredBy(List<TopicMoves> later) {
    for (int i = 0; i < starts.length; i++) {
      for (int bucket = starts[i]; bucket <= ends[i]; bucket++) {
        if (!movedInAny(later, bucket)) {
          return false;
        }
      }
    }
    return nullFrom < 0 || movedInAny(later, NULL_KEY);
  }

  private static boolean movedInAny(List<TopicMoves> moves, int bucket) {
    for (TopicMoves m : moves) {
      if (!m.none() && m.moved(bucket)) {
        return true;
      }
    }
    return false;
  }

  /** Distinct (old owner, new owner) pairs, as cluster indexes. */
  Set<List<Integer>> pairs() {
    Set<List<Integer>> pairs = new LinkedHashSet<>();
    for (int i = 0; i < starts.length; i++) {
      pairs.add(List.of(from[i], to[i]));
    }
    if (nullFrom >= 0) {
      pairs.add(List.of(nullFrom, nullTo));
    }
    return pairs;
  }

  /**
   * Whether some bucket of {@code [start, end]} moved from cluster {@code fromIndex} to {@code toIndex} (for
   * status reports; not on the send path).
   */
  boolean movedWithin(int start, int end, int fromIndex, int toIndex) {
    for (int i = 0; i < starts.length; i++) {
      if (from[i] == fromIndex && to[i] == toIndex && starts[i] <= end && ends[i] >= start) {
        return true;
      }
    }
    return false;
  }

  /** Whether null-key writes moved from cluster {@code fromIndex} to {@code toIndex}. */
  boolean nullKeyMoved(int fromIndex, int toIndex) {
    return nullFrom == fromIndex && nullTo == toIndex;
  }

  /** Number of buckets that moved (0-10000). */
  int bucketCount() {
    int count = 0;
    for (int i = 0; i < starts.length; i++) {
      count += ends[i] - starts[i] + 1;
    }
    return count;
  }

  /** Whether null-key writes moved. */
  boolean nullKeyMoved() {
    return nullFrom >= 0;
  }

  @Override
  public String toString() {
    if (none()) {
      return "TopicMoves{none}";
    }
    StringBuilder b = new StringBuilder("TopicMoves{");
    for (int i = 0; i < starts.length; i++) {
      b.append(starts[i]).append('-').append(ends[i]).append(':').append(from[i]).append("->").append(to[i]).append(' ');
    }
    if (nullFrom >= 0) {
      b.append("null-key:").append(nullFrom).append("->").append(nullTo);
    }
    return b.toString().trim() + '}';
  }
}
