package dev.turnout.internal.consumer;

import dev.turnout.internal.consumer.Resolution.Kind;
import dev.turnout.internal.consumer.Resolution.Outcome;
import dev.turnout.internal.consumer.Resolution.Problem;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exact boundary for one partition moving from an old cluster to a new one: the first record on the new
 * cluster after the last record processed on the old one.
 *
 * <ol>
 *   <li>Read the last processed record on the old cluster: the last record before the handed-over position
 *       (when moving back against the replication direction, the last one that did not originate on the old
 *       cluster, since records written there were never copied back).
 *   <li>Translate the position, and take the smaller of the translation and the first offset at or after
 *       that record's timestamp (a lower bound on any cluster that keeps timestamps), minus a back window.
 *   <li>Scan forward on the new cluster for a copy of the record (by {@code turnout.id}, else by
 *       fingerprint), waiting for replication until the deadline. Found: resume right after it.
 * </ol>
 *
 * <p>Advanced by {@link #step()} from the switch worker's thread, one fetch at a time, so that many
 * partitions can wait for replication at once.
 */
final class BoundarySearch {

  private static final Logger log = LoggerFactory.getLogger(BoundarySearch.class);
  static final int BACK_WINDOW = 500;
  private static final long MAX_ANCHOR_SCAN = 1_000_000;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration FETCH_WAIT = Duration.ofMillis(200);
  private static final long WATCH_NANOS = TimeUnit.MINUTES.toNanos(10);

  private enum Phase { ANCHOR, SCAN, WATCH, DONE }

  private final TopicPartition tp;
  private final ClusterReader from;
  private final ClusterReader to;
  private final long fromOffset;
  private final String skipOrigin;
  private final String keepOrigin;
  private final OffsetTranslator translator;
  private final boolean forward;
  private final long deadlineNanos;
  private final boolean rewind;
  private final long handoverMillis;
  private final LongConsumer admitted;
  private final long readCommitted;
  private long keepSinceEpoch = -1;

  private Phase phase = Phase.ANCHOR;
  private RecordIdentity anchor;
  private long translated = -1;
  private long estimate;
  private long pos;
  private long firstKeep = -1;
  private long match = -1;
  private long ambiguityEnd = -1;
  private long copiesSinceEstimate;
  private long rewoundTo = -1;
  private long watchUntilNanos;

  /**
   * @param fromOffset the handed-over position on the old cluster (next record to process there)
   * @param forward whether the move follows the replication direction (rule source to rule target); when it
   *     does not, records that originated on the old cluster are skipped as anchors
   * @param keepOrigin on a forward move, the new cluster's alias: records that originated there and precede
   *     the boundary are not copies and must still be delivered
   * @param admitted receives the count of duplicates admitted by a rewind, once the last processed record
   *     turns up after all
   * @param readCommitted the group's committed offset on the new cluster, -1 if none: if it is at or past the
   *     verified boundary, it was made after the switch (for example by a transactional producer, without a
   *     stamp) and the consumer continues from it; records written directly to the new cluster below it are not
   *     delivered again
   */
  BoundarySearch(TopicPartition tp, ClusterReader from, ClusterReader to, long fromOffset, boolean forward,
      String keepOrigin, OffsetTranslator translator, long deadlineNanos, boolean rewind, long handoverMillis,
      LongConsumer admitted, long readCommitted) {
    this.readCommitted = readCommitted;
    this.tp = tp;
    this.from = from;
    this.to = to;
    this.fromOffset = fromOffset;
    this.forward = forward;
    this.skipOrigin = forward ? null : from.alias();
    this.keepOrigin = forward ? keepOrigin : null;
    this.translator = translator;
    this.deadlineNanos = deadlineNanos;
    this.rewind = rewind;
    this.handoverMillis = handoverMillis;
    this.admitted = admitted;
  }

  /**
   * On a forward move, keeps as "written directly to the new cluster" only records routed under
   * {@code epoch} or later (the epoch after the group's handover on the new cluster, when it read there
   * before): older ones were written during that earlier stay, and were processed then or reconciled to the
   * old cluster and processed there.
   */
  BoundarySearch keepSince(long epoch) {
    this.keepSinceEpoch = epoch;
    return this;
  }

  /** Whether a rewound search still watches for the last processed record (to count admitted duplicates). */
  boolean watching() {
    return phase == Phase.WATCH;
  }

  /** Whether nothing remains to do. */
  boolean done() {
    return phase == Phase.DONE;
  }

  /**
   * Advances the search by one read.
   *
   * @return the resolution once known (then {@link #watching()} may still be true), otherwise {@code null}
   */
  Resolution step() {
    switch (phase) {
      case ANCHOR:
        return findAnchor();
      case SCAN:
        return scan();
      case WATCH:
        watch();
        return null;
      default:
        return null;
    }
  }

  private Resolution findAnchor() {
    long logStart = from.beginningOffset(tp);
    long hi = fromOffset;
    long window = 64;
    long scanned = 0;
    while (anchor == null) {
      if (hi <= logStart) {
        if (logStart == 0) {
          return nothingProcessed();
        }
        return unverified(Problem.LAST_RECORD_UNREADABLE, "the records before offset " + hi + " on '" + from.alias()
            + "' are gone (log start " + logStart + "), so the last processed record cannot be read");
      }
      long lo = Math.max(logStart, hi - window);
      List<ConsumerRecord<byte[], byte[]>> records = from.read(tp, lo, hi, READ_TIMEOUT);
      for (int i = records.size() - 1; i >= 0 && anchor == null; i--) {
        ConsumerRecord<byte[], byte[]> r = records.get(i);
        if (skipOrigin == null || !RecordIdentity.writtenDirectlyTo(skipOrigin, r.headers())) {
          anchor = RecordIdentity.of(r);
        }
      }
      scanned += hi - lo;
      if (anchor == null && (scanned > MAX_ANCHOR_SCAN || System.nanoTime() > deadlineNanos)) {
        return unverified(Problem.LAST_RECORD_UNREADABLE, "no record " + (skipOrigin == null ? ""
            : "that did not originate on '" + skipOrigin + "' ") + "was found in the " + scanned
            + " offsets before " + fromOffset + " on '" + from.alias() + "'");
      }
      hi = lo;
      window = Math.min(window * 4, 50_000);
    }
    long toStart = to.beginningOffset(tp);
    OptionalLong t = translator.translate(tp, fromOffset, anchor, from.alias(), to.alias(), forward, to);
    translated = t.orElse(-1);
    OptionalLong byTime = to.offsetForTime(tp, anchor.timestamp());
    long timeBound = byTime.isPresent() ? byTime.getAsLong() : to.endOffset(tp);
    estimate = t.isPresent() ? Math.min(t.getAsLong(), timeBound) : timeBound;
    pos = Math.max(toStart, Math.min(estimate, timeBound) - BACK_WINDOW);
    phase = Phase.SCAN;
    log.debug("Boundary search for {} from '{}' offset {} to '{}': last processed record {}; translated {}, "
        + "scanning from {}", tp, from.alias(), fromOffset, to.alias(), anchor, translated, pos);
    return scan();
  }

  private Resolution scan() {
    ClusterReader.Batch batch = to.readFrom(tp, pos, FETCH_WAIT);
    for (ConsumerRecord<byte[], byte[]> r : batch.records()) {
      boolean keep = RecordIdentity.writtenDirectlyTo(keepOrigin, r.headers(), keepSinceEpoch);
      if (match < 0) {
        // Below the group's own commit on the new cluster, records written there were consumed before (or skipped
        // by the group's choice, a group created at the log end for example): they are not new to it.
        if (keep && firstKeep < 0 && r.offset() >= readCommitted) {
          firstKeep = r.offset();
        }
        if (!keep && r.offset() >= estimateForCount()) {
          copiesSinceEstimate++;
        }
      }
      if (anchor.matches(r)) {
        if (match < 0) {
          match = r.offset();
          if (anchor.byId()) {
            return verified();
          }
          ambiguityEnd = to.endOffset(tp);
        } else if (r.offset() != match) {
          return unverified(Problem.AMBIGUOUS_MATCH, "offsets " + match + " and " + r.offset() + " on '" + to.alias()
              + "' both match the fingerprint of " + anchor.describe() + " (identical timestamp, key, value and "
              + "headers)");
        }
      }
    }
    pos = batch.next();
    if (match >= 0 && pos >= ambiguityEnd) {
      return verified();
    }
    if (match < 0 && System.nanoTime() > deadlineNanos) {
      return unverified(Problem.LAST_RECORD_NOT_FOUND, anchor.describe() + ", the last processed on '" + from.alias()
          + "', did not appear on '" + to.alias() + "' (scanned offsets " + Math.max(0, estimate - BACK_WINDOW)
          + " to " + pos + ")");
    }
    return null;
  }

  private long estimateForCount() {
    return translated >= 0 ? translated : estimate;
  }

  private void watch() {
    if (System.nanoTime() > watchUntilNanos) {
      phase = Phase.DONE;
      return;
    }
    ClusterReader.Batch batch = to.readFrom(tp, pos, FETCH_WAIT);
    for (ConsumerRecord<byte[], byte[]> r : batch.records()) {
      boolean keep = RecordIdentity.writtenDirectlyTo(keepOrigin, r.headers(), keepSinceEpoch);
      if (!keep && r.offset() >= rewoundTo) {
        copiesSinceEstimate++;
      }
      if (anchor.matches(r)) {
        log.warn("The last processed record of {} appeared on '{}' at offset {} after the rewind to {}: {} "
            + "record(s) are delivered a second time", tp, to.alias(), r.offset(), rewoundTo, copiesSinceEstimate);
        admitted.accept(copiesSinceEstimate);
        phase = Phase.DONE;
        return;
      }
    }
    pos = batch.next();
  }

  private Resolution verified() {
    long boundary = match + 1;
    phase = Phase.DONE;
    if (readCommitted >= boundary) {
      return new Resolution(tp, Kind.CONTINUE, Outcome.CONTINUED, null, -1, from.alias(), fromOffset, translated, 0, -1,
          null, handoverMillis, "the group's commit on '" + to.alias() + "' (" + readCommitted + ") is at or past the "
              + "verified boundary " + boundary + ": it was made after the switch; continuing from it");
    }
    long seekTo = boundary;
    long suppressBelow = -1;
    if (firstKeep >= 0 && firstKeep < match) {
      seekTo = firstKeep;
      suppressBelow = boundary;
      log.warn("{}: record(s) written directly to '{}' (from offset {}) precede the boundary {}: resuming at {} and "
          + "withholding the copies of already processed records below {}. Move consumers before producers write "
          + "to the new cluster.", tp, to.alias(), firstKeep, boundary, firstKeep, boundary);
    }
    long avoided = copiesSinceEstimate;
    String detail = "last processed record " + anchor.describe() + " on '" + from.alias() + "' found on '" + to.alias()
        + "' at offset " + match + "; resuming at " + seekTo + " (translation: " + (translated < 0 ? "none" : translated)
        + ", " + avoided + " duplicate(s) avoided)";
    return new Resolution(tp, Kind.SEEK, Outcome.VERIFIED, null, seekTo, from.alias(), fromOffset, translated, avoided,
        suppressBelow, suppressBelow >= 0 ? keepOrigin : null, handoverMillis, detail,
        suppressBelow >= 0 ? Withholding.below(suppressBelow, keepOrigin, keepSinceEpoch) : null);
  }

  private Resolution nothingProcessed() {
    long toStart = to.beginningOffset(tp);
    phase = Phase.DONE;
    return new Resolution(tp, Kind.SEEK, Outcome.NOTHING_PROCESSED, null, toStart, from.alias(), fromOffset, -1, 0, -1,
        null, handoverMillis, "nothing was processed on '" + from.alias() + "' (handed-over position " + fromOffset
            + "); starting at the beginning of '" + to.alias() + "' (" + toStart + ")");
  }

  private Resolution unverified(Problem problem, String why) {
    if (!rewind) {
      phase = Phase.DONE;
      return new Resolution(tp, Kind.BLOCKED, Outcome.FAILED_CLOSED, problem, -1, from.alias(), fromOffset, translated,
          0, -1, null, handoverMillis, why);
    }
    long target;
    if (translated >= 0) {
      target = translated;
    } else if (anchor != null) {
      target = estimate;
    } else {
      target = to.beginningOffset(tp);
    }
    rewoundTo = target;
    if (anchor != null && problem == Problem.LAST_RECORD_NOT_FOUND) {
      // Keep counting from the rewind position: if the record turns up later, the copies before it are duplicates.
      phase = Phase.WATCH;
      watchUntilNanos = System.nanoTime() + WATCH_NANOS;
      copiesSinceEstimate = 0;
      if (pos > target) {
        // Records between the rewind position and the scan position were already inspected: count them again.
        pos = target;
      }
    } else {
      phase = Phase.DONE;
    }
    return new Resolution(tp, Kind.SEEK, Outcome.REWOUND, problem, target, from.alias(), fromOffset, translated, 0, -1,
        null, handoverMillis, why + "; rewound to offset " + target + " (" + Outcome.REWOUND + ": records may be "
            + "delivered twice)");
  }
}
