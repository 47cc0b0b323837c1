package dev.turnout.internal.reconcile;

import dev.turnout.internal.provenance.ProvenanceHeaders.RouteStamp;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;

/**
 * Validates and counts the records of one target partition, fed in offset order, and fails on the first problem
 * inside the range ({@link ReconcileFailure} with the partition and offset).
 *
 * <p>With a <em>given</em> range every record fed is inside it. With a <em>derived</em> range, the range runs from
 * the first to the last record routed to the target by the request's rule in its epochs; records after a range
 * record are held as pending and join the range (with their problems) only when a later range record follows.
 *
 * <p>Checks: a record without provenance inside the range ({@code MISSING_PROVENANCE}); a target-only record whose
 * key its epoch's document does not give to the target ({@code SLICE_NOT_ON_TARGET}); on a compacted topic,
 * missing offsets between two records inside the range ({@code GAP}); for a derived range read from a log start
 * above 0, a first retained record already routed under the request's epochs ({@code GAP}: earlier ones may have
 * been deleted).
 */
public final class RangeTally {

  private final TopicPartition partition;
  private final RecordClassifier classifier;
  private final Scope scope;
  private final OffsetRange given;
  private final boolean compacted;
  private final long logStartCheck;

  private final List<Candidate> candidates = new ArrayList<>();
  private final Map<Skip, Long> skipped = new EnumMap<>(Skip.class);
  private final Map<Skip, Long> pendingSkipped = new EnumMap<>(Skip.class);
  private long read;
  private long pendingRead;
  private long pendingNoProvenance = -1;
  private long pendingHoleFrom = -1;
  private long pendingHoleTo = -1;
  private long first = -1;
  private long last = -1;
  private long previous = -1;
  private boolean seenAny;

  /**
   * @param given the given range, or {@code null} to derive it
   * @param compacted whether the topic is compacted (missing offsets inside the range are then a gap)
   * @param logStartCheck for a derived range read from the log start: that log start when above 0, else -1
   */
  public RangeTally(TopicPartition partition, RecordClassifier classifier, Scope scope, OffsetRange given,
      boolean compacted, long logStartCheck) {
    this.partition = partition;
    this.classifier = classifier;
    this.scope = scope;
    this.given = given;
    this.compacted = compacted;
    this.logStartCheck = logStartCheck;
    if (given != null) {
      first = given.from();
      previous = given.from() - 1;
    }
  }

  /** Feeds the next record of the partition. */
  public void accept(long offset, byte[] key, Headers headers, long timestamp) {
    Verdict verdict = classifier.classify(key, headers);
    if (!seenAny) {
      seenAny = true;
      checkLogStart(offset, verdict.stamp());
    }
    if (given == null && first < 0) {
      if (!classifier.routedToTargetInRange(verdict.stamp())) {
        previous = offset;
        return;
      }
      first = offset;
      previous = offset - 1;
    }
    if (compacted && offset > previous + 1 && pendingHoleFrom < 0) {
      pendingHoleFrom = previous + 1;
      pendingHoleTo = offset - 1;
    }
    previous = offset;
    pendingRead++;
    if (verdict.outcome() == Verdict.Outcome.NO_PROVENANCE && pendingNoProvenance < 0) {
      pendingNoProvenance = offset;
    }
    if (verdict.outcome() == Verdict.Outcome.SKIP) {
      pendingSkipped.merge(verdict.skip(), 1L, Long::sum);
    }
    if (given != null || classifier.routedToTargetInRange(verdict.stamp())) {
      commitPending();
      last = offset;
      if (verdict.outcome() == Verdict.Outcome.NOT_ON_TARGET) {
        throw new ReconcileFailure(ReconcileFailure.Kind.SLICE_NOT_ON_TARGET, where(offset)
            + " was written to the target under epoch " + verdict.stamp().epoch() + " (route slice '"
            + (verdict.stamp().slice() == null ? "-" : verdict.stamp().slice()) + "'), but " + verdict.detail()
            + ". Nothing was written. Check that the documents given are the ones in force at those epochs; "
            + "a record the target did not own cannot be reconciled automatically.");
      }
      if (verdict.outcome() == Verdict.Outcome.CANDIDATE) {
        candidates.add(new Candidate(RecordClassifier.id(headers), verdict.stamp().slice(), verdict.bucket(), offset,
            timestamp));
      }
    }
  }

  private void checkLogStart(long offset, RouteStamp stamp) {
    if (logStartCheck > 0 && stamp != null && stamp.epoch() >= scope.fromEpoch()) {
      throw new ReconcileFailure(ReconcileFailure.Kind.GAP, "partition " + partition + " on the target starts at "
          + "offset " + logStartCheck + " (earlier records were deleted by retention or deleteRecords) and its first "
          + "record (offset " + offset + ") was routed under epoch " + stamp.epoch() + ", within or after the "
          + "requested epochs " + scope.fromEpoch() + ".." + scope.toEpoch()
          + ": deleted records may have been target-only. Nothing was written. Restore them from a backup, or "
          + "reconcile this partition with an explicit targetOffsets(...) range after accepting the loss.");
    }
  }

  private void commitPending() {
    if (pendingNoProvenance >= 0) {
      throw new ReconcileFailure(ReconcileFailure.Kind.MISSING_PROVENANCE, where(pendingNoProvenance)
          + " has no valid turnout.route and turnout.id headers, inside the range reconciled for "
          + scope.describe() + ": it was not written by a Turnout producer and cannot be attributed to a cluster. "
          + "Nothing was written. Find out who wrote it; then reconcile the ranges before and after it with "
          + "targetOffsets(...).");
    }
    if (pendingHoleFrom >= 0) {
      throw new ReconcileFailure(ReconcileFailure.Kind.GAP, "partition " + partition + " on the target has no "
          + "records at offsets " + pendingHoleFrom + ".." + pendingHoleTo + " inside the range reconciled for "
          + scope.describe() + ", and the topic is compacted: compaction removed records (or transaction markers "
          + "occupy the offsets), so the target-only records cannot be told apart. Nothing was written. Reconcile "
          + "the ranges around the missing offsets with targetOffsets(...) if the compacted records need no copy.");
    }
    read += pendingRead;
    pendingRead = 0;
    pendingSkipped.forEach((k, v) -> skipped.merge(k, v, Long::sum));
    pendingSkipped.clear();
  }

  private String where(long offset) {
    return "the record at offset " + offset + " of partition " + partition + " on the target";
  }

  /** Target-only records found so far. */
  public int candidateCount() {
    return candidates.size();
  }

  /** The result; a derived range that met no record of the request has a {@code null} range. */
  public PartitionSurvey finish() {
    if (given != null) {
      return new PartitionSurvey(partition, given, read, candidates, skipped);
    }
    OffsetRange range = first < 0 ? null : new OffsetRange(first, last + 1);
    return new PartitionSurvey(partition, range, read, candidates, skipped);
  }
}
