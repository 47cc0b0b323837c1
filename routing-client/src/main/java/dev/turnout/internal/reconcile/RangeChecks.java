package dev.turnout.internal.reconcile;

import org.apache.kafka.common.TopicPartition;

/** Checks of a range given by the caller against the target partition's log. */
final class RangeChecks {

  private RangeChecks() {}

  /**
   * @throws ReconcileFailure {@code GAP} when records of the range were deleted (the log starts above its start),
   *     {@code INVALID_RANGE} when it ends beyond the partition's high watermark
   */
  static void checkGiven(TopicPartition tp, OffsetRange range, long logStart, long highWatermark) {
    if (range.size() > 0 && range.from() < logStart) {
      throw new ReconcileFailure(ReconcileFailure.Kind.GAP, "partition " + tp + " on the target starts at offset "
          + logStart + ", above the start " + range.from() + " of the range " + range + ": records " + range.from()
          + ".." + (Math.min(logStart, range.to()) - 1) + " were deleted by retention, compaction or deleteRecords "
          + "and may have been target-only. Nothing was written. Restore them from a backup, or reconcile from "
          + "offset " + logStart + " after accepting the loss.");
    }
    if (range.to() > highWatermark) {
      throw new ReconcileFailure(ReconcileFailure.Kind.INVALID_RANGE, "the range " + range + " of partition " + tp
          + " ends beyond its end offset " + highWatermark + " on the target. Nothing was written. Give an end "
          + "offset at most " + highWatermark + ".");
    }
  }
}
