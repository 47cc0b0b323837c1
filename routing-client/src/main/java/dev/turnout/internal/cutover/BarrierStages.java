package dev.turnout.internal.cutover;

import dev.turnout.authority.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages a barrier passes, after its cutover's grace period, before its sends are released: the barriers of
 * earlier cutovers of the topic settled; the records this producer sent to the old owners acknowledged (a flush);
 * with {@link BarrierMode#REPLICATED}, the last of them visible on the new owners; for slices moved back to the
 * rule's source, their target-only records on the source ({@link RollbackCheck}). Owns the flushers, the
 * replication watchers and the rollback thread; logs under the coordinator's logger.
 */
final class BarrierStages {

  private static final Logger log = LoggerFactory.getLogger(CutoverCoordinator.class);

  private final CutoverCoordinator coordinator;
  private final String clientId;
  private final List<String> aliases;
  private final BarrierMode mode;
  private final ClusterAccess access;
  private final long instance;
  private final AckLedger[] ledgers;
  private final RollbackPolicy rollback;
  private final ScheduledExecutorService scheduler;
  private final Flusher[] flushers; // guarded by this
  private final ReplicationWatcher[] watchers; // guarded by this
  private ExecutorService rollbackThread; // guarded by this; created at the first rollback

  BarrierStages(CutoverCoordinator coordinator, String clientId, List<String> aliases, BarrierMode mode,
      ClusterAccess access, long instance, AckLedger[] ledgers, RollbackPolicy rollback,
      ScheduledExecutorService scheduler) {
    this.coordinator = coordinator;
    this.clientId = clientId;
    this.aliases = aliases;
    this.mode = mode;
    this.access = access;
    this.instance = instance;
    this.ledgers = ledgers;
    this.rollback = rollback;
    this.scheduler = scheduler;
    this.flushers = new Flusher[aliases.size()];
    this.watchers = new ReplicationWatcher[aliases.size()];
  }

  /** Runs the stages of {@code barrier} (call once its cutover's grace period is over); completes when all passed. */
  CompletableFuture<Void> run(TopicBarrier barrier) {
    return earlierSettled(barrier)
        .thenCompose(v -> drain(barrier))
        .thenCompose(olds -> replicate(barrier, olds))
        .thenCompose(v -> reconciled(barrier));
  }

  /** Stage 1: the barriers of earlier cutovers of the topic settled (opened or failed: they hold nothing then). */
  private CompletableFuture<Void> earlierSettled(TopicBarrier barrier) {
    List<CompletableFuture<Void>> earlier = new ArrayList<>();
    for (Transition e : coordinator.view().transitions()) {
      if (e.epoch() < barrier.epoch()) {
        TopicBarrier b = e.existingBarrier(barrier.topic());
        if (b != null && !b.settled.isDone()) {
          earlier.add(b.settled);
        }
      }
    }
    if (earlier.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    barrier.phase("waiting for an earlier cutover of the topic");
    return CompletableFuture.allOf(earlier.toArray(new CompletableFuture<?>[0]));
  }

  /** Stage 2: flush the old owners this producer wrote the topic to. */
  private CompletableFuture<Set<Integer>> drain(TopicBarrier barrier) {
    TopicMoves moves = barrier.transition().moves(barrier.topic());
    Set<Integer> olds = new TreeSet<>();
    for (List<Integer> pair : moves.pairs()) {
      if (ledgers[pair.get(0)].hasWritten(barrier.topic())) {
        olds.add(pair.get(0));
      }
    }
    if (olds.isEmpty()) {
      return CompletableFuture.completedFuture(olds);
    }
    barrier.phase("waiting for acknowledgements of the records sent to " + names(olds));
    CompletableFuture<?>[] flushes = olds.stream().map(i -> flusher(i).request()).toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(flushes).thenApply(v -> olds);
  }

  /** Stage 3 ({@link BarrierMode#REPLICATED}): find the last record of each old-owner partition on the new owner. */
  private CompletableFuture<Void> replicate(TopicBarrier barrier, Set<Integer> olds) {
    if (mode == BarrierMode.DRAINED || olds.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    String topic = barrier.topic();
    Rule rule = barrier.transition().current().ruleFor(topic);
    List<CompletableFuture<Void>> watches = new ArrayList<>();
    List<String> watched = new ArrayList<>();
    List<TopicBarrier.Watched> probes = new ArrayList<>();
    int ids = 0;
    for (List<Integer> pair : barrier.transition().moves(topic).pairs()) {
      int from = pair.get(0);
      int to = pair.get(1);
      if (!olds.contains(from)) {
        continue;
      }
      if (rule == null || !aliases.get(from).equals(rule.source()) || !aliases.get(to).equals(rule.target())) {
        log.info("[{}] Cutover to epoch {}: slices of topic '{}' move from '{}' to '{}', against the replication "
            + "direction of rule '{}' ({} -> {}); waiting for acknowledgements only", clientId, barrier.epoch(), topic,
            aliases.get(from), aliases.get(to), rule == null ? "-" : rule.name(), rule == null ? "-" : rule.source(),
            rule == null ? "-" : rule.target());
        continue;
      }
      List<AckLedger.LastAck> lastAcks = ledgers[from].lastAcks(topic);
      ids += lastAcks.size();
      watched.add("'" + aliases.get(to) + "'");
      ReplicationWatcher w = watcher(to);
      probes.add(new TopicBarrier.Watched(aliases.get(from), aliases.get(to), w));
      watches.add(w.watch(lastAcks, aliases.get(from)));
    }
    if (watches.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    barrier.watching(probes);
    barrier.phase("waiting for " + ids + " record(s) last written to " + names(olds) + " to be replicated to "
        + String.join(", ", watched));
    return CompletableFuture.allOf(watches.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * Stage 4, for slices moved back from the rule's target to its source: their target-only records are on the
   * source (see {@link RollbackCheck}). With {@code manual}, only the records this producer wrote to the target
   * count: none, nothing to wait for.
   */
  private CompletableFuture<Void> reconciled(TopicBarrier barrier) {
    Transition t = barrier.transition();
    String topic = barrier.topic();
    List<RollbackScope> scopes = RollbackCheck.scopes(t, topic, aliases);
    if (scopes.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Rule before = t.previousRule(topic);
    AckLedger targetLedger = ledgers[aliases.indexOf(before.target())];
    if (!rollback.auto()) {
      if (!targetLedger.hasWritten(topic)) {
        return CompletableFuture.completedFuture(null);
      }
      // Read after stage 2 flushed the target: every record this producer sent there has completed.
      java.util.Map<org.apache.kafka.common.TopicPartition, Long> upTo = targetLedger.offsetsUpTo(topic);
      List<RollbackScope> own = new ArrayList<>();
      for (RollbackScope s : scopes) {
        // this producer's own records are no older than its first map
        own.add(new RollbackScope(s.rule(), s.slice(), s.fromEpoch(), s.toEpoch(), s.documents(), upTo,
            Math.max(s.sinceMillis(), t.tenures().loadedMillis())));
      }
      scopes = own;
    }
    RollbackCheck check = new RollbackCheck(coordinator, barrier, scopes, rollback, before.target(), before.source());
    barrier.rollback = check;
    barrier.phase("checking that the target-only records of topic '" + topic + "' written to '" + before.target()
        + "' are on '" + before.source() + "' (" + rollback.modeValue() + ")");
    log.info("[{}] Cutover to epoch {}: slices of topic '{}' move back from '{}' to '{}' (rule '{}'); their sends wait "
        + "until the records written only to '{}' are on '{}' (turnout.rollback.reconcile={})", clientId,
        barrier.epoch(), topic, before.target(), before.source(), before.name(), before.target(), before.source(),
        rollback.modeValue());
    scheduleRollbackCheck(check, 0);
    return check.done;
  }

  /** Runs {@code check} on the rollback thread after {@code delayMillis}, unless closed. */
  void scheduleRollbackCheck(RollbackCheck check, long delayMillis) {
    if (coordinator.closed()) {
      return;
    }
    try {
      ExecutorService thread = rollbackThread();
      scheduler.schedule(() -> {
        try {
          thread.execute(() -> {
            try {
              check.run();
            } catch (RuntimeException e) {
              log.error("[{}] Unexpected error in the rollback check; retrying", clientId, e);
              scheduleRollbackCheck(check, rollback.pollMillis());
            }
          });
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // closing
        }
      }, delayMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private synchronized ExecutorService rollbackThread() {
    if (rollbackThread == null) {
      rollbackThread = Executors.newSingleThreadExecutor(r -> CutoverCoordinator.daemon(r, "turnout-rollback-" + clientId));
    }
    return rollbackThread;
  }

  private synchronized Flusher flusher(int cluster) {
    if (flushers[cluster] == null) {
      flushers[cluster] = new Flusher(cluster, aliases.get(cluster), clientId, access);
    }
    return flushers[cluster];
  }

  private synchronized ReplicationWatcher watcher(int cluster) {
    if (watchers[cluster] == null) {
      watchers[cluster] = new ReplicationWatcher(aliases.get(cluster), clientId, access.consumerConfig(cluster), instance);
    }
    return watchers[cluster];
  }

  private String names(Set<Integer> clusters) {
    return clusters.stream().map(i -> "'" + aliases.get(i) + "'").collect(Collectors.joining(", "));
  }

  /** Stops the rollback checks at once (closing). */
  synchronized void stopRollbackChecks() {
    if (rollbackThread != null) {
      rollbackThread.shutdownNow();
    }
  }

  /** Closes the flushers and the replication watchers. */
  synchronized void close() {
    for (Flusher f : flushers) {
      if (f != null) {
        f.close();
      }
    }
    for (ReplicationWatcher w : watchers) {
      if (w != null) {
        w.close();
      }
    }
  }
}
