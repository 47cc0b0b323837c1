package dev.turnout.internal.consumer;

import org.apache.kafka.common.TopicPartition;

/**
 * The answer of the switch worker for one partition assigned on its read cluster: continue from the read
 * cluster's own commit, seek to a position, or stay blocked (fail closed).
 *
 * @param tp the partition
 * @param kind what to do
 * @param outcome how the position was established (for metrics)
 * @param problem why a partition is blocked or was rewound; {@code null} otherwise
 * @param offset the position to seek to ({@link Kind#SEEK}), otherwise -1
 * @param fromAlias the cluster the position was handed over from, or {@code null}
 * @param fromOffset the handed-over position on that cluster, or -1
 * @param translated the translator's estimate on the read cluster, or -1 when it had none
 * @param duplicatesAvoided records between the estimate and the verified boundary, which a consumer trusting
 *     the translation would have processed twice
 * @param suppressBelow with {@link #keepOrigin}: records below this offset are copies of processed records
 *     and are withheld, except those whose provenance origin is {@link #keepOrigin}; -1 when not used
 * @param keepOrigin see {@link #suppressBelow}
 * @param handoverMillis wall-clock time the old cluster stopped (handover), or when the worker started on it
 * @param detail a sentence for logs and exceptions
 * @param withholding the records to leave out after the seek ({@link Kind#SEEK}), or {@code null}; built from
 *     {@code suppressBelow} and {@code keepOrigin} by the shorter constructor
 */
public record Resolution(TopicPartition tp, Kind kind, Outcome outcome, Problem problem, long offset, String fromAlias,
    long fromOffset, long translated, long duplicatesAvoided, long suppressBelow, String keepOrigin,
    long handoverMillis, String detail, Withholding withholding) {

  /** A resolution whose withholding, if any, is the forward rule of {@code suppressBelow} and {@code keepOrigin}. */
  public Resolution(TopicPartition tp, Kind kind, Outcome outcome, Problem problem, long offset, String fromAlias,
      long fromOffset, long translated, long duplicatesAvoided, long suppressBelow, String keepOrigin,
      long handoverMillis, String detail) {
    this(tp, kind, outcome, problem, offset, fromAlias, fromOffset, translated, duplicatesAvoided, suppressBelow,
        keepOrigin, handoverMillis, detail, suppressBelow >= 0 ? Withholding.below(suppressBelow, keepOrigin, -1) : null);
  }

  /** What the consumer does with the partition. */
  public enum Kind {
    /** Resume without seeking: the read cluster's own commit (or the reset policy) is the position. */
    CONTINUE,
    /** Seek to {@link Resolution#offset()}, commit it on the read cluster, resume. */
    SEEK,
    /** Keep the partition paused: the position cannot be established safely. */
    BLOCKED
  }

  /** How the position was established. */
  public enum Outcome {
    /** No switch was involved: the read cluster holds the live position. */
    CONTINUED,
    /** The last processed record was found on the new cluster: resume right after it. */
    VERIFIED,
    /** Nothing had been processed on the old cluster: start at the beginning of the new one. */
    NOTHING_PROCESSED,
    /** Not verified; resumed at the translated offset ({@code turnout.consumer.unverified=rewind}). */
    REWOUND,
    /** Not verified; the partition is blocked (the default). */
    FAILED_CLOSED
  }

  /** Why the boundary could not be verified, or why a partition still waits. */
  public enum Problem {
    /** The last processed record did not appear on the new cluster within the boundary timeout. */
    LAST_RECORD_NOT_FOUND,
    /** Several records on the new cluster match the last processed record's fingerprint. */
    AMBIGUOUS_MATCH,
    /** The last processed record cannot be read on the old cluster (deleted by retention or compaction). */
    LAST_RECORD_UNREADABLE,
    /** The old cluster's group still consumes the partition and has not handed it over. */
    HANDOVER_PENDING,
    /** A commit was made under a newer authority map than this consumer has loaded. */
    AUTHORITY_BEHIND,
    /** A cluster needed for the decision could not be reached. */
    CLUSTER_UNREACHABLE,
    /**
     * Moving back to the rule's source: the range the group processed on the target holds more records than
     * the dedupe window, so the copies of those records on the source cannot all be recognised.
     */
    DEDUPE_WINDOW_EXCEEDED
  }

  static Resolution proceed(TopicPartition tp, String detail) {
    return new Resolution(tp, Kind.CONTINUE, Outcome.CONTINUED, null, -1, null, -1, -1, 0, -1, null, -1, detail);
  }
}
