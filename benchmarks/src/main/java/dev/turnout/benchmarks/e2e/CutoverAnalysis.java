package dev.turnout.benchmarks.e2e;

import dev.turnout.benchmarks.report.Stats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns what a cutover run recorded into its results: per cutover, the barrier wait and what the application
 * saw; per record, the replication latency. Pure: no clock, no I/O; times are {@link System#nanoTime()} values
 * taken during the run.
 */
final class CutoverAnalysis {

  /** {@link Records#handedTo()}: not handed to any cluster's client (refused, or never sent). */
  static final byte NOT_HANDED = 0;
  /** {@link Records#handedTo()}: handed to the source cluster's client. */
  static final byte SOURCE = 1;
  /** {@link Records#handedTo()}: handed to the target cluster's client. */
  static final byte TARGET = 2;
  /** Unmoved records count towards a cutover's steady-state latency when sent within this time after it. */
  static final long UNMOVED_WINDOW_NANOS = 1_000_000_000L;

  private CutoverAnalysis() {}

  /**
   * What the run recorded per record; index {@code i} is the record whose value starts with sequence number
   * {@code i}. A time of 0 means "did not happen".
   *
   * @param count records sent
   * @param sent when the application called {@code send}
   * @param bucket the key's bucket
   * @param handoff when the record was handed to a cluster's client (seen by a producer interceptor there):
   *     for a record that waited at a barrier, the moment it was released
   * @param handedTo {@link #SOURCE}, {@link #TARGET} or {@link #NOT_HANDED}
   * @param routedEpoch the epoch in the record's {@code turnout.route} header
   * @param idInstance the producer instance part of every {@code turnout.id} the producer stamped
   * @param idSequence the sequence part of the record's {@code turnout.id}
   * @param acked when the send's callback reported success
   */
  record Records(int count, long[] sent, int[] bucket, long[] handoff, byte[] handedTo, long[] routedEpoch,
      long idInstance, long[] idSequence, long[] acked) {}

  /**
   * One cutover.
   *
   * @param index 1-based; the warm-up cutover is 1
   * @param epoch the epoch it installed
   * @param movedFrom first bucket it moved from source to target
   * @param movedTo last bucket (inclusive) it moved
   * @param startNanos when the producer's map reached the epoch (0 when it never did)
   */
  record Cutover(int index, long epoch, int movedFrom, int movedTo, long startNanos) {

    boolean moves(int bucket) {
      return bucket >= movedFrom && bucket <= movedTo;
    }
  }

  /**
   * The result of one cutover; NaN where there was no sample.
   *
   * @param barrierWaitNanos from the cutover to the first moved record routed by its epoch being handed to the
   *     target: the release of the barrier (an upper bound when {@code waited} is 0: the barrier opened before the
   *     first moved record was sent)
   * @param waited moved records that were sent before that release and so waited at the barrier
   * @param firstMovedSendToAckNanos send to acknowledgement of the first moved record sent under the new epoch
   * @param unmovedMedianNanos median send to acknowledgement of the epoch's other records sent within
   *     {@link #UNMOVED_WINDOW_NANOS} after the cutover
   * @param overlapped whether the next cutover started before this one released
   */
  record CutoverResult(Cutover cutover, double barrierWaitNanos, int waited, double firstMovedSendToAckNanos,
      double unmovedMedianNanos, boolean overlapped) {}

  /** Results of the given cutovers, in their order; a cutover never reached has NaN everywhere. */
  static List<CutoverResult> perCutover(Records r, List<Cutover> cutovers) {
    List<CutoverResult> results = new ArrayList<>();
    for (int c = 0; c < cutovers.size(); c++) {
      Cutover cutover = cutovers.get(c);
      long nextStart = c + 1 < cutovers.size() ? cutovers.get(c + 1).startNanos() : 0;
      results.add(analyse(r, cutover, nextStart));
    }
    return results;
  }

  private static CutoverResult analyse(Records r, Cutover cutover, long nextStart) {
    if (cutover.startNanos() == 0) {
      return new CutoverResult(cutover, Double.NaN, 0, Double.NaN, Double.NaN, false);
    }
    long release = Long.MAX_VALUE;
    int first = -1;
    List<Double> unmoved = new ArrayList<>();
    for (int i = 0; i < r.count(); i++) {
      if (r.routedEpoch()[i] != cutover.epoch()) {
        continue;
      }
      if (cutover.moves(r.bucket()[i])) {
        if (r.handedTo()[i] == TARGET && r.handoff()[i] != 0 && r.handoff()[i] < release) {
          release = r.handoff()[i];
        }
        if (first < 0 || r.sent()[i] < r.sent()[first]) {
          first = i;
        }
      } else if (r.acked()[i] != 0 && r.sent()[i] - cutover.startNanos() < UNMOVED_WINDOW_NANOS) {
        unmoved.add((double) (r.acked()[i] - r.sent()[i]));
      }
    }
    double wait = Double.NaN;
    int waited = 0;
    if (release != Long.MAX_VALUE) {
      wait = release - cutover.startNanos();
      for (int i = 0; i < r.count(); i++) {
        if (r.routedEpoch()[i] == cutover.epoch() && cutover.moves(r.bucket()[i]) && r.handedTo()[i] == TARGET
            && r.sent()[i] < release) {
          waited++;
        }
      }
    }
    double firstLatency = first >= 0 && r.acked()[first] != 0 ? r.acked()[first] - r.sent()[first] : Double.NaN;
    boolean overlapped = nextStart != 0 && (release == Long.MAX_VALUE || nextStart < release);
    return new CutoverResult(cutover, wait, waited, firstLatency,
        unmoved.isEmpty() ? Double.NaN : Stats.of(unmoved).median(), overlapped);
  }

  /**
   * Records seen on the target by a consumer there whose {@code turnout.route} origin is the source: copies
   * made by replication.
   *
   * @param count sightings
   * @param idInstance producer instance part of the copy's {@code turnout.id}
   * @param idSequence sequence part of the copy's {@code turnout.id}
   * @param seenNanos when the consumer's poll returned it
   * @param valueSequence the sequence number in the copy's value (a cross-check of the match by id)
   */
  record Sightings(int count, long[] idInstance, long[] idSequence, long[] seenNanos, long[] valueSequence) {}

  /**
   * Replication latencies of one run.
   *
   * @param latencies per matched record, nanoseconds from its acknowledgement on the source to its first sight on
   *     the target
   * @param sourceAcknowledged records acknowledged by the source
   * @param unmatched sightings whose {@code turnout.id} is not one this producer stamped
   * @param mismatched sightings whose id names another record than their value does, or a record not handed to
   *     the source: the match by id would be wrong
   * @param duplicates later sightings of a record already seen
   * @param notAcknowledged sightings of a record whose acknowledgement was not (yet) recorded
   */
  record Replication(double[] latencies, int sourceAcknowledged, int unmatched, int mismatched, int duplicates,
      int notAcknowledged) {

    /** Matched records; {@code latencies().length}. */
    int matched() {
      return latencies.length;
    }
  }

  /** Matches each sighting to its record by {@code turnout.id} and measures the replication latency. */
  static Replication replication(Records r, Sightings s) {
    Map<Long, Integer> byId = new HashMap<>(r.count() * 2);
    int sourceAcknowledged = 0;
    for (int i = 0; i < r.count(); i++) {
      if (r.idSequence()[i] != 0) {
        byId.put(r.idSequence()[i], i);
      }
      if (r.handedTo()[i] == SOURCE && r.acked()[i] != 0) {
        sourceAcknowledged++;
      }
    }
    boolean[] seen = new boolean[r.count()];
    double[] latencies = new double[s.count()];
    int matched = 0;
    int unmatched = 0;
    int mismatched = 0;
    int duplicates = 0;
    int notAcknowledged = 0;
    for (int j = 0; j < s.count(); j++) {
      Integer i = s.idInstance()[j] == r.idInstance() ? byId.get(s.idSequence()[j]) : null;
      if (i == null) {
        unmatched++;
      } else if (s.valueSequence()[j] != i || r.handedTo()[i] != SOURCE) {
        mismatched++;
      } else if (seen[i]) {
        duplicates++;
      } else {
        seen[i] = true;
        long latency = s.seenNanos()[j] - r.acked()[i];
        if (r.acked()[i] == 0 || latency < 0) {
          notAcknowledged++;
        } else {
          latencies[matched++] = latency;
        }
      }
    }
    return new Replication(java.util.Arrays.copyOf(latencies, matched), sourceAcknowledged, unmatched, mismatched,
        duplicates, notAcknowledged);
  }
}
