package dev.turnout;

import java.util.Objects;
import org.apache.kafka.common.KafkaException;

/**
 * A write (or a metadata request) that cannot be attributed to exactly one owner cluster, refused by a
 * Turnout client. Nothing was written to any cluster. {@link #reason()} is machine-readable; the message
 * says what to fix.
 *
 * <p>A refused {@code send} completes its {@code Future} exceptionally with this exception and passes it to
 * the callback, as {@code KafkaProducer} does for asynchronous errors.
 */
public class OwnershipAmbiguousException extends KafkaException {

  private static final long serialVersionUID = 1L;

  /** Why ownership could not be decided. */
  public enum Reason {
    /** No valid authority map has been loaded since the client started. */
    NO_AUTHORITY_MAP,
    /** No refresh of the authority source has succeeded for longer than the maximum staleness. */
    STALE_AUTHORITY_MAP,
    /** No rule of the map in force governs the topic. */
    NO_MATCHING_RULE,
    /** A null key in a rule split by key, without a {@code null-key-owner}. */
    NULL_KEY_NOT_ROUTABLE,
    /** The open transaction is bound to a cluster that does not own this write. */
    TRANSACTION_BOUND_TO_OTHER_CLUSTER,
    /** The topic's writes are split between clusters, so a per-topic answer (partition metadata) is ambiguous. */
    OWNER_SPLIT_ACROSS_CLUSTERS,
    /**
     * The slice moved to a new owner, and the records sent to its old owner were not acknowledged (and, with
     * the {@code replicated} barrier, visible on the new owner) within {@code turnout.cutover.max.pause.ms}.
     * Writing now could put the key's history out of order, so the slice fails closed until the barrier
     * completes or a later epoch moves it again.
     */
    CUTOVER_BARRIER_TIMEOUT,
    /**
     * The cluster behind the owner's alias reports another cluster id than
     * {@code turnout.cluster.<alias>.expected.cluster.id}.
     */
    CLUSTER_ID_MISMATCH,
    /**
     * A producer interceptor rewrote the record's topic to one that the map in force gives to another cluster
     * (or to none, or whose cutover barrier is not open): the record was routed by its original topic, so it
     * was written nowhere.
     */
    TOPIC_REWRITTEN_TO_OTHER_OWNER,
    /**
     * An epoch moved the slice back from its rule's target to its source, and the records written only to the
     * target while it was promoted are not proven to be on the source: still missing after
     * {@code turnout.rollback.max.pause.ms}, the reconciliation failed (the message gives its error), or no
     * reconciliation is available. Writing to the source now would split the slice's history between the
     * clusters, so the slice fails closed until its records are reconciled or a later epoch moves it again. The
     * message says which slice, how many records are missing and what to do (docs/rollback.md).
     */
    ROLLBACK_NOT_RECONCILED
  }

  private final Reason reason;
  private final String topic;
  private final long epoch;

  public OwnershipAmbiguousException(Reason reason, String topic, long epoch, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.topic = topic;
    this.epoch = epoch;
  }

  /** The machine-readable reason. */
  public Reason reason() {
    return reason;
  }

  /** The topic of the refused request, or {@code null} when none applies. */
  public String topic() {
    return topic;
  }

  /** The epoch of the authority map in force when refused, or -1 when none was loaded. */
  public long epoch() {
    return epoch;
  }
}
