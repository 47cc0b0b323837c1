package dev.turnout.internal.cutover;

import java.util.List;
import java.util.Map;

/**
 * Proof and repair for a slice moved back from a rule's target to its source: the records Turnout wrote to the
 * target while the slice was promoted ({@code turnout.route} origin = the target's alias, "target-only
 * records") must be on the source before the source takes the slice's next write. Implementations must be
 * thread-safe; the producer calls them from a thread of its own, never on the send path, and may call them again
 * after a failure. If an implementation is {@link AutoCloseable}, the producer closes it when it closes.
 */
public interface SliceReconciliation {

  /**
   * The number of target-only records of the scope that are not on the source yet (0 = reconciled).
   *
   * @throws Exception when it cannot tell (target or source unreachable, a typed reconciliation error); its
   *     message is the reason shown to the caller, so it must carry no secret
   */
  long missing(RollbackScope scope) throws Exception;

  /**
   * Copies the scope's target-only records to the source. Idempotent, and safe when several producers run it on
   * the same scope at once (each record is written to the source once).
   *
   * @throws Exception when it cannot finish; its message is the reason shown to the caller (no secret)
   */
  void reconcile(RollbackScope scope) throws Exception;

  /**
   * Whether a failure of {@link #missing} or {@link #reconcile} may pass by itself (a cluster that did not answer,
   * a write fenced or aborted by another producer reconciling the same slice): the producer then retries it until
   * the rolled-back slice's deadline instead of failing the slice closed at once. The default: none may.
   */
  default boolean transientFailure(Exception failure) {
    return false;
  }

  /** Creates the reconciliation of one producer. */
  @FunctionalInterface
  interface Factory {
    /**
     * @param clientId the producer's client id (for thread names and log lines)
     * @param aliases the declared clusters, in declaration order
     * @param clusterConfigs the Kafka client settings of each cluster, in the order of {@code aliases}; they may
     *     hold secrets: never log them
     * @return the reconciliation, or {@code null} when none is available (then every rollback that has to prove
     *     something fails closed)
     */
    SliceReconciliation create(String clientId, List<String> aliases, List<Map<String, Object>> clusterConfigs);
  }
}
