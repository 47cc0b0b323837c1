package dev.turnout.internal.reconcile;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What the last plan established, per partition, so that the next plan of the same request reads only what was
 * appended since: the target range's tally (offsets surveyed so far) and, on the source, the offset searched up to
 * and the ids found. One request is remembered (the last one planned); any failure forgets everything.
 *
 * <p>An entry is used again only when it is provably what a full plan would find:
 *
 * <ul>
 *   <li>target: same request (rule, slice, epochs, documents, given ranges, {@code since}), the partition's range
 *       starts at the same offset (a moved log start, a deletion or a new {@code since} offset starts over), its
 *       end did not move back (truncation), and the topic is not compacted (compaction removes records below the
 *       end without moving the start);
 *   <li>source: its log start did not move (retention or deleteRecords may have removed copies) and its high
 *       watermark did not move back. Every offset below the high watermark searched last time was then decided
 *       (the search reads {@code read_committed} up to it), so a copy of a candidate not found there can only lie
 *       above it; candidates new since are searched from their own lower bound.
 * </ul>
 */
final class PlanCache {

  /** One partition's remembered state. */
  static final class Entry {
    final PartitionTask task;
    final RangeTally tally;
    long surveyedTo;
    long sourceLogStart = -1;
    long searchedTo = -1;
    int candidatesSearched;
    final Set<ByteBuffer> found = new HashSet<>();

    Entry(PartitionTask task, RangeTally tally) {
      this.task = task;
      this.tally = tally;
      this.surveyedTo = task.start();
    }

    /** Whether a plan of {@code next} may continue this entry's tally from {@link #surveyedTo}. */
    boolean resumable(PartitionTask next) {
      return !next.compacted() && next.start() == task.start() && Objects.equals(next.given(), task.given())
          && next.logStartCheck() == task.logStartCheck() && surveyedTo <= next.end();
    }

    /** Whether the source search may continue from {@link #searchedTo}. */
    boolean sourceValid(long logStart, long highWatermark) {
      return searchedTo >= 0 && !task.compacted() && logStart == sourceLogStart && highWatermark >= searchedTo;
    }

    /** Forgets the source search. */
    void resetSource() {
      found.clear();
      searchedTo = -1;
      candidatesSearched = 0;
      sourceLogStart = -1;
    }
  }

  private Scope scope;
  private final Map<TopicPartition, Entry> entries = new HashMap<>();

  /** The entries of {@code next}: those of the last plan when it is the same request, else none. */
  Map<TopicPartition, Entry> entries(Scope next) {
    if (scope == null || !same(scope, next)) {
      entries.clear();
      scope = next;
    }
    return entries;
  }

  /** Forgets everything. */
  void clear() {
    entries.clear();
    scope = null;
  }

  static boolean same(Scope a, Scope b) {
    return a.rule().equals(b.rule()) && Objects.equals(a.slice(), b.slice()) && a.fromEpoch() == b.fromEpoch()
        && a.toEpoch() == b.toEpoch() && a.offsets().equals(b.offsets()) && Objects.equals(a.since(), b.since())
        && a.documents().sameAs(b.documents());
  }
}
