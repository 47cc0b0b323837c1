package dev.turnout.internal.consumer;

import dev.turnout.internal.consumer.Resolution.Kind;
import dev.turnout.internal.consumer.Resolution.Outcome;
import dev.turnout.internal.consumer.Resolution.Problem;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a partition resumes when the group moves back from the rule's target to its source (a rollback),
 * and which of the source's records it must leave out.
 *
 * <p>While the group read the target, producers wrote target-only records there; reconciliation copies them
 * to the source (same {@code turnout.id}, plus the {@value RecordIdentity#RECONCILED} marker), after the
 * source records written meanwhile and interleaved with new ones. So one offset on the source cannot separate
 * processed from unprocessed records. The move back therefore:
 *
 * <ol>
 *   <li>finds the <b>range the group processed on the target</b>: from where it entered the target (the
 *       forward boundary, searched again from the group's last commit on the source, the position it left the
 *       source at) up to the target handover. More offsets than the dedupe window: not verified.
 *   <li>derives from the target's log the <b>processed set</b>: the ids of the records of that range written on
 *       the target (target-only records, and replicas of earlier reconciled copies). Any member derives the
 *       same set, so a member that takes the partition over later (restart, rebalance) withholds the same
 *       copies.
 *   <li>searches the <b>boundary</b> on the source as any move does ({@link BoundarySearch}, against the
 *       replication direction): the copy of the last source record processed on the target.
 *   <li>resumes at the position the group left the source at, withholding the records below the boundary
 *       (processed on the target) except reconciled copies, and every record whose id is in the set.
 * </ol>
 *
 * <p>A member that finds the group already committed on the source at the epoch of the move back (it took the
 * partition over after the first member) no longer knows where the group entered the target: it derives the
 * set from the last {@code window} offsets before the target handover instead, and continues from the group's
 * commit. Advanced by {@link #step()} on the switch worker's thread, one read at a time.
 */
final class MoveBack {

  private static final Logger log = LoggerFactory.getLogger(MoveBack.class);
  private static final Duration FETCH_WAIT = Duration.ofMillis(200);

  private enum Phase { ENTRY, RANGE, BOUNDARY, DONE }

  private final TopicPartition tp;
  private final ClusterReader source;
  private final ClusterReader target;
  private final long sourceCommit;
  private final boolean takeOver;
  private final long targetHandover;
  private final int window;
  private final boolean rewind;
  private final long timeoutNanos;
  private long deadlineNanos;
  private final OffsetTranslator translator;
  private final long handoverMillis;
  private final LongConsumer admitted;

  private Phase phase = Phase.ENTRY;
  private BoundarySearch entrySearch;
  private BoundarySearch boundarySearch;
  private long rangeStart;
  private long rangePos;
  private IdSet ids;
  private String unverifiedWhy;
  private Problem unverifiedProblem;

  /**
   * @param source reads the rule's source (the cluster the partition moves back to)
   * @param target reads the rule's target (the cluster it leaves)
   * @param sourceCommit the group's commit on the source (where it left the source, or, with
   *     {@code takeOver}, where it continues), -1 if none
   * @param takeOver whether the group already committed on the source at the epoch of the move back: a member
   *     taking the partition over after the first one
   * @param targetHandover the group's handover offset on the target
   * @param window the most offsets of the target whose ids are kept
   * @param timeoutNanos how long each search waits for a record to appear, and how long reading the range may
   *     make no progress
   * @param rewind whether an unverified range resumes anyway (accepting duplicates) instead of blocking
   */
  MoveBack(TopicPartition tp, ClusterReader source, ClusterReader target, long sourceCommit, boolean takeOver,
      long targetHandover, int window, OffsetTranslator translator, long timeoutNanos, boolean rewind,
      long handoverMillis, LongConsumer admitted) {
    this.tp = tp;
    this.source = source;
    this.target = target;
    this.sourceCommit = sourceCommit;
    this.takeOver = takeOver;
    this.targetHandover = targetHandover;
    this.window = window;
    this.translator = translator;
    this.timeoutNanos = timeoutNanos;
    this.deadlineNanos = System.nanoTime() + timeoutNanos;
    this.rewind = rewind;
    this.handoverMillis = handoverMillis;
    this.admitted = admitted;
  }

  /** Whether a rewound boundary search still watches for the last processed record. */
  boolean watching() {
    return boundarySearch != null && boundarySearch.watching();
  }

  /** Whether nothing remains to do. */
  boolean done() {
    return phase == Phase.DONE && (boundarySearch == null || boundarySearch.done());
  }

  /**
   * Advances by one read.
   *
   * @return the resolution once known, otherwise {@code null}
   */
  Resolution step() {
    switch (phase) {
      case ENTRY:
        return entry();
      case RANGE:
        return range();
      case BOUNDARY:
        return boundary();
      default:
        if (boundarySearch != null && boundarySearch.watching()) {
          boundarySearch.step();
        }
        return null;
    }
  }

  private Resolution entry() {
    long start;
    if (takeOver) {
      start = Math.max(target.beginningOffset(tp), targetHandover - window);
    } else if (sourceCommit < 0) {
      start = target.beginningOffset(tp);
    } else {
      if (entrySearch == null) {
        // Where the group entered the target: the forward boundary from the position it left the source at.
        entrySearch = new BoundarySearch(tp, source, target, sourceCommit, true, target.alias(), translator,
            deadlineNanos, false, handoverMillis, n -> { }, -1);
      }
      Resolution r = entrySearch.step();
      if (r == null) {
        return null;
      }
      if (r.kind() == Kind.BLOCKED) {
        return unverified(r.problem(), "where the group entered '" + target.alias() + "' cannot be verified: "
            + r.detail());
      }
      start = r.offset();
    }
    rangeStart = Math.min(start, targetHandover);
    long size = targetHandover - rangeStart;
    if (size > window) {
      return unverified(Problem.DEDUPE_WINDOW_EXCEEDED, "the promoted range holds " + size + " records (offsets "
          + rangeStart + " to " + targetHandover + " on '" + target.alias() + "')");
    }
    rangePos = rangeStart;
    deadlineNanos = System.nanoTime() + timeoutNanos;
    ids = new IdSet((int) size);
    phase = Phase.RANGE;
    return null;
  }

  private Resolution range() {
    if (rangePos < targetHandover) {
      ClusterReader.Batch batch;
      try {
        batch = target.readFrom(tp, rangePos, FETCH_WAIT);
      } catch (KafkaException e) {
        if (System.nanoTime() > deadlineNanos) {
          return unverified(Problem.CLUSTER_UNREACHABLE, "the records the group processed on '" + target.alias()
              + "' (offsets " + rangeStart + " to " + targetHandover + ") cannot be read: " + e.getMessage());
        }
        throw e;
      }
      for (ConsumerRecord<byte[], byte[]> r : batch.records()) {
        if (r.offset() >= targetHandover) {
          break;
        }
        if (target.alias().equals(RecordIdentity.originOf(r.headers()))) {
          byte[] id = RecordIdentity.idOf(r.headers());
          if (id != null) {
            ids.add(id);
          }
        }
      }
      if (batch.next() > rangePos) {
        deadlineNanos = System.nanoTime() + timeoutNanos;
      } else if (System.nanoTime() > deadlineNanos) {
        return unverified(Problem.CLUSTER_UNREACHABLE, "the records the group processed on '" + target.alias()
            + "' (offsets " + rangeStart + " to " + targetHandover + ") could not be read past offset " + rangePos);
      }
      rangePos = batch.next();
      if (batch.records().isEmpty() && rangePos < targetHandover && target.endOffset(tp) <= rangePos) {
        rangePos = targetHandover; // the log ends before the handover (deleted records): nothing more to read
      }
      if (rangePos < targetHandover) {
        return null;
      }
    }
    ids = ids.compact();
    log.debug("{}: {} record(s) written on '{}' among offsets {} to {} processed there", tp, ids.size(),
        target.alias(), rangeStart, targetHandover);
    startBoundary();
    return null;
  }

  private void startBoundary() {
    deadlineNanos = System.nanoTime() + timeoutNanos;
    boundarySearch = new BoundarySearch(tp, target, source, targetHandover, false, null, translator, deadlineNanos,
        rewind, handoverMillis, admitted, -1);
    phase = Phase.BOUNDARY;
  }

  private Resolution boundary() {
    Resolution r = boundarySearch.step();
    if (r == null) {
      return null;
    }
    phase = Phase.DONE;
    if (r.kind() == Kind.BLOCKED) {
      return r;
    }
    long boundary = r.outcome() == Outcome.VERIFIED ? r.offset() : -1;
    long resumeAt = sourceCommit >= 0 ? sourceCommit : r.offset();
    long below = boundary > resumeAt ? boundary : -1;
    Withholding withholding = Withholding.movedBack(below, ids == null || ids.size() == 0 ? null : ids);
    Outcome outcome = unverifiedWhy != null ? Outcome.REWOUND : r.outcome();
    Problem problem = unverifiedWhy != null ? unverifiedProblem : r.problem();
    String detail = (unverifiedWhy != null ? unverifiedWhy + "; resuming without the processed set: " : "")
        + "moved back from '" + target.alias() + "' (handed over at " + targetHandover + "): resuming at " + resumeAt
        + (below >= 0 ? ", withholding the records below " + below + " (processed on '" + target.alias()
            + "') except reconciled copies" : "")
        + (ids != null ? ", withholding the copies of " + ids.size() + " record(s) written on '" + target.alias()
            + "' and processed there (offsets " + rangeStart + " to " + targetHandover + ")" : "")
        + " [boundary search: " + r.detail() + "]";
    if (takeOver) {
      return new Resolution(tp, Kind.CONTINUE, Outcome.CONTINUED, null, -1, target.alias(), targetHandover,
          r.translated(), 0, -1, null, handoverMillis, detail, withholding);
    }
    return new Resolution(tp, Kind.SEEK, outcome, problem, resumeAt, target.alias(), targetHandover, r.translated(),
        r.duplicatesAvoided(), -1, null, handoverMillis, detail, withholding);
  }

  private Resolution unverified(Problem problem, String why) {
    if (!rewind) {
      phase = Phase.DONE;
      return new Resolution(tp, Kind.BLOCKED, Outcome.FAILED_CLOSED, problem, -1, target.alias(), targetHandover, -1,
          0, -1, null, handoverMillis, why);
    }
    log.warn("{}: {}; with rewind it resumes on '{}' without withholding the copies of records processed on '{}': "
        + "they are delivered a second time", tp, why, source.alias(), target.alias());
    unverifiedWhy = why;
    unverifiedProblem = problem;
    ids = null;
    startBoundary();
    return null;
  }
}
