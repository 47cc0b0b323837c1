package dev.turnout.internal.cutover;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The last stage of a barrier whose topic had slices moved back from the rule's target to its source: waits until
 * the target-only records of those slices are on the source. With {@code manual} reconciliation it asks
 * {@link SliceReconciliation#missing} about the records this producer acknowledged on the target (bounded by its
 * offsets there) every poll interval; with {@code auto} it runs {@link SliceReconciliation#reconcile} over each
 * slice's whole range first, then confirms with {@code missing} over the whole range. A failing reconciliation, or
 * none at all, fails the barrier closed at once with the reason; the check goes on, and the barrier opens after
 * all once nothing is missing. Runs on the coordinator's rollback thread, never on the send path.
 */
final class RollbackCheck {

  private final CutoverCoordinator coordinator;
  private final TopicBarrier barrier;
  private final List<RollbackScope> scopes;
  private final RollbackPolicy policy;
  private final String target;
  private final String source;
  final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile long missing = -1;
  private volatile String error;

  RollbackCheck(CutoverCoordinator coordinator, TopicBarrier barrier, List<RollbackScope> scopes, RollbackPolicy policy,
      String target, String source) {
    this.coordinator = coordinator;
    this.barrier = barrier;
    this.scopes = List.copyOf(scopes);
    this.policy = policy;
    this.target = target;
    this.source = source;
  }

  /**
   * The slices of {@code topic} that {@code t} moves from the rule's target back to its source, as scopes over the
   * whole range (no offset bound), named as in the documents of their tenure on the target. Empty when none moved.
   */
  static List<RollbackScope> scopes(Transition t, String topic, List<String> aliases) {
    Rule before = t.previousRule(topic);
    if (before == null || t.current().ruleFor(topic) == null) {
      return List.of();
    }
    int from = aliases.indexOf(before.target());
    int to = aliases.indexOf(before.source());
    TopicMoves moves = t.moves(topic);
    if (from < 0 || to < 0 || !moves.pairs().contains(List.of(from, to))) {
      return List.of();
    }
    Set<String> slices = new LinkedHashSet<>();
    if (!before.sliced()) {
      slices.add(null);
    } else {
      for (Slice slice : before.slices()) {
        if (slice.owner().equals(before.target())) {
          for (Slice.KeyRange range : slice.ranges()) {
            if (moves.movedWithin(range.from(), range.to(), from, to)) {
              slices.add(slice.name());
              break;
            }
          }
        }
      }
      if (moves.nullKeyMoved(from, to)) {
        slices.add(Rule.NULL_KEY_SLICE);
      }
    }
    long toEpoch = t.previousEpoch();
    List<RollbackScope> scopes = new ArrayList<>();
    for (String slice : slices) {
      long fromEpoch = t.tenures().fromEpoch(before.name(), slice, toEpoch);
      List<AuthorityMap> documents = t.tenures().between(fromEpoch, toEpoch);
      scopes.add(new RollbackScope(before.name(), slice, fromEpoch, toEpoch, documents, Map.of(),
          t.tenures().sinceMillis(before.name(), slice)));
    }
    return scopes;
  }

  List<RollbackScope> scopes() {
    return scopes;
  }

  /** One check (rollback thread): reconciles (auto), counts what is missing, and completes or fails. */
  void run() {
    if (done.isDone() || barrier.retired) {
      return; // proven, or superseded by a later cutover of the slice
    }
    SliceReconciliation reconciliation = policy.reconciliation();
    if (reconciliation == null) {
      error = "no slice reconciliation is available in this producer, so nothing can prove that the records are on '"
          + source + "'";
      barrier.phase("failed: " + error);
      barrier.rollbackFailed(message(null));
      return; // nothing can change this: the barrier stays failed until a later epoch moves the slice
    }
    long total = 0;
    try {
      for (RollbackScope scope : scopes) {
        if (policy.auto()) {
          reconciliation.reconcile(scope.wholeRange());
          total += reconciliation.missing(scope.wholeRange());
        } else {
          total += reconciliation.missing(scope);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // closing
    } catch (Exception e) {
      error = "the reconciliation failed: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage());
      if (reconciliation.transientFailure(e) && barrier.state() == TopicBarrier.State.WAITING) {
        // Retried until the deadline, which fails the slice with this error if it is still there.
        barrier.phase("retrying after a transient failure: " + error);
        coordinator.scheduleRollbackCheck(this, policy.pollMillis());
        return;
      }
      barrier.phase("failed: " + error);
      barrier.rollbackFailed(message(null));
      coordinator.scheduleRollbackCheck(this, policy.pollMillis());
      return;
    }
    error = null;
    missing = total;
    if (total == 0) {
      done.complete(null);
      return;
    }
    barrier.phase("waiting for " + total + " target-only record(s) of " + describe() + " written to '" + target
        + "' to be reconciled to '" + source + "' (" + policy.modeValue() + ")");
    coordinator.scheduleRollbackCheck(this, policy.pollMillis());
  }

  /** What the refusal says: which slice, how many records are missing (or why it cannot tell), what to do. */
  String message(Long maxPauseMillis) {
    String reason = error;
    String head = "Rollback of " + describe() + " of topic '" + barrier.topic() + "' from '" + target + "' back to '"
        + source + "' at epoch " + barrier.epoch() + ": ";
    String state;
    if (reason != null) {
      state = reason + ".";
    } else {
      long m = missing;
      state = (m < 0 ? "the target-only records were not checked yet" : m + " target-only record(s) written to '"
          + target + "' are still missing on '" + source + "'")
          + (maxPauseMillis == null ? "." : " after turnout.rollback.max.pause.ms=" + maxPauseMillis + ".");
    }
    String todo = policy.reconciliation() == null
        ? " This producer cannot check the source: reconcile the slice's target-only records from '" + target
            + "' to '" + source + "' with the reconciliation job and restart the producer with a reconciliation, or "
            + "publish a later epoch that moves the slice back to '" + target + "'."
        : policy.auto()
        ? " The producer reconciles the slice itself (turnout.rollback.reconcile=auto) and keeps trying: check that '"
            + target + "' and '" + source + "' are reachable and the reconciliation's error above."
        : " Run the reconciliation of this slice from '" + target + "' to '" + source + "' (turnout.rollback.reconcile="
            + "manual), or set turnout.rollback.reconcile=auto to let the producer do it.";
    return head + state + " The record was not written anywhere: writing to '" + source + "' now would leave the "
        + "slice's history split between the clusters, so the slice fails closed until its records are reconciled "
        + "(the producer keeps checking) or a later epoch moves it again." + todo;
  }

  private String describe() {
    return scopes.stream().map(RollbackScope::describe).collect(Collectors.joining(", "));
  }
}
