package dev.turnout.internal.cutover;

import dev.turnout.authority.AuthorityMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders writes across cutovers. When a new authority map moves slices of writes from one cluster to
 * another, sends for the moved slices wait at a {@link TopicBarrier} (one per topic and cutover) until:
 *
 * <ol>
 *   <li>every send routed by an older map has been handed to its cluster client (a grace period), and no
 *       transaction routed by an older map is still open;
 *   <li>every record this producer sent to the old owner has completed ({@code flush} of the old owner's
 *       client, on a thread of its own);
 *   <li>with {@link BarrierMode#REPLICATED}, and when the move follows the replication direction (from the
 *       rule's source to its target), the last record this producer wrote to each partition of the old owner
 *       is visible in the same partition of the new owner.
 * </ol>
 *
 * <p>Then the waiting sends are released in order and the slice's later sends go straight to the new owner.
 * Slices that did not move never wait: while no cutover is unsettled, a send costs one field read here
 * besides {@link #enter()}/{@link View#exit()}.
 *
 * <p>A move against the replication direction (a rollback from the target to the source) does not wait for
 * replication: the records the new owner receives are replicated to the target after the old owner's records
 * there were acknowledged, so the target keeps each key in order. It waits instead, after the acknowledgements,
 * until the slice's target-only records (written to the target while it was promoted) are on the source
 * ({@link RollbackCheck}, with the {@link RollbackPolicy}'s {@link SliceReconciliation}), up to
 * {@code turnout.rollback.max.pause.ms}; otherwise it fails closed with
 * {@link BarrierFailure.Kind#ROLLBACK_NOT_RECONCILED}.
 */
public final class CutoverCoordinator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CutoverCoordinator.class);

  private final String clientId;
  private final List<String> aliases;
  private final BarrierMode mode;
  private final long maxPauseNanos;
  private final long maxPauseMillis;
  private final BufferBudget budget;
  private final long instance;
  private final ClusterAccess access;
  private final LongConsumer waitRecorder;
  private final AckLedger[] ledgers;
  private final ScheduledThreadPoolExecutor scheduler;
  private final ExecutorService releaser;
  private final RollbackPolicy rollback;
  private final BarrierStages stages;

  private final Object viewLock = new Object();
  private volatile View view = new View(null, new Transition[0]);
  private final List<View> retired = new ArrayList<>(); // guarded by viewLock
  /** The maps installed so far that can still name a topic's last owner; guarded by viewLock. */
  private RoutingHistory history;
  /** Since when each slice has been on its rule's target; guarded by viewLock. */
  private final TargetTenures tenures = new TargetTenures();
  private final ConcurrentLinkedQueue<Transition> inGrace = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean advanceScheduled = new AtomicBoolean();

  private final LongAdder cutovers = new LongAdder();
  private final LongAdder barriers = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder rollbackFailures = new LongAdder();
  private final AtomicLong waiting = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param clientId names threads and log lines
   * @param aliases the declared clusters, in declaration order (indexes are cluster indexes)
   * @param maxPauseMillis {@code turnout.cutover.max.pause.ms}
   * @param bufferBytes {@code turnout.cutover.buffer.bytes}
   * @param instance the producer's record id instance ({@code RecordIds.instance()})
   * @param waitRecorder receives each barrier's wait in milliseconds when it opens
   */
  public CutoverCoordinator(String clientId, List<String> aliases, BarrierMode mode, long maxPauseMillis,
      long bufferBytes, long instance, ClusterAccess access, LongConsumer waitRecorder) {
    this(clientId, aliases, mode, maxPauseMillis, bufferBytes, instance, access, waitRecorder,
        RollbackPolicy.manualWithoutReconciliation());
  }

  /**
   * @param rollback how slices moved back from a rule's target to its source wait for their target-only records
   */
  public CutoverCoordinator(String clientId, List<String> aliases, BarrierMode mode, long maxPauseMillis,
      long bufferBytes, long instance, ClusterAccess access, LongConsumer waitRecorder, RollbackPolicy rollback) {
    this.rollback = Objects.requireNonNull(rollback, "rollback");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.aliases = List.copyOf(aliases);
    this.mode = Objects.requireNonNull(mode, "mode");
    this.maxPauseMillis = maxPauseMillis;
    this.maxPauseNanos = TimeUnit.MILLISECONDS.toNanos(maxPauseMillis);
    this.budget = new BufferBudget(bufferBytes);
    this.instance = instance;
    this.access = Objects.requireNonNull(access, "access");
    this.waitRecorder = Objects.requireNonNull(waitRecorder, "waitRecorder");
    this.ledgers = new AckLedger[aliases.size()];
    for (int i = 0; i < ledgers.length; i++) {
      ledgers[i] = new AckLedger();
    }
    this.scheduler = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "turnout-cutover-" + clientId));
    this.scheduler.setRemoveOnCancelPolicy(true);
    this.releaser = Executors.newSingleThreadExecutor(r -> daemon(r, "turnout-cutover-release-" + clientId));
    this.stages = new BarrierStages(this, this.clientId, this.aliases, mode, access, instance, ledgers, rollback,
        scheduler);
  }

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** The ledger of what this producer wrote to a cluster; fed by that cluster client's interceptor. */
  public AckLedger ledger(int cluster) {
    return ledgers[cluster];
  }

  /** The view in force, without entering it (for sends whose map is fixed by a transaction). */
  public View view() {
    return view;
  }

  /**
   * Enters the view in force: the caller routes by it and must call {@link View#exit()} once the send is
   * handed to a client or queued. Lock-free: two writes to a per-thread stripe.
   */
  public View enter() {
    int stripe = View.stripe();
    while (true) {
      View v = view;
      v.enter(stripe);
      if (view == v) {
        return v;
      }
      v.leave(stripe);
    }
  }

  /**
   * Installs a new map (from the authority refresher's thread): publishes it together with its cutover,
   * whose barriers start after the grace period. Returns at once.
   */
  public void install(AuthorityMap previous, AuthorityMap current) {
    Objects.requireNonNull(current, "current");
    synchronized (viewLock) {
      if (closed) {
        return;
      }
      View old = view;
      AuthorityMap before = old.map() != null ? old.map() : previous;
      if (before == null) {
        history = RoutingHistory.of(current);
        tenures.install(current);
        publish(new View(current, old.transitions()));
        return;
      }
      RoutingHistory until = history != null ? history : RoutingHistory.of(before);
      history = until.then(current);
      if (old.map() == null) {
        tenures.install(before); // the map in force before this producer's first view: its tenures count too
      }
      Transition transition = new Transition(this, until, current, tenures.install(current));
      Transition[] transitions = Arrays.copyOf(old.transitions(), old.transitions().length + 1);
      transitions[transitions.length - 1] = transition;
      publish(new View(current, transitions));
      inGrace.add(transition);
    }
    scheduleAdvance(0);
  }

  private void publish(View next) {
    retired.add(view);
    view = next;
  }

  private void scheduleAdvance(long delayMillis) {
    if (!closed && advanceScheduled.compareAndSet(false, true)) {
      try {
        scheduler.schedule(() -> {
          advanceScheduled.set(false);
          advance();
        }, delayMillis, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        advanceScheduled.set(false);
      }
    }
  }

  /** Ends the grace period of cutovers in install order (scheduler thread). */
  private void advance() {
    try {
      for (Transition t; (t = inGrace.peek()) != null; ) {
        String waitingFor = graceWaitingFor(t);
        if (waitingFor != null) {
          for (TopicBarrier b : t.barriers()) {
            b.phase(waitingFor);
          }
          scheduleAdvance(1);
          return;
        }
        inGrace.poll();
        enumerate(t);
      }
    } catch (RuntimeException e) {
      log.error("[{}] Unexpected error in the cutover grace period; retrying", clientId, e);
      scheduleAdvance(10);
    }
  }

  /** What the grace period of {@code t} still waits for, or {@code null} when it is over. */
  private String graceWaitingFor(Transition t) {
    synchronized (viewLock) {
      for (Iterator<View> it = retired.iterator(); it.hasNext(); ) {
        View v = it.next();
        if (v.quiescent()) {
          it.remove();
        } else if (v.epoch() < t.epoch()) {
          return "waiting for sends routed by epoch " + v.epoch() + " to be handed to their clusters";
        }
      }
    }
    long txnEpoch = access.activeTransactionEpoch();
    if (txnEpoch < t.epoch()) {
      return "waiting for the open transaction routed by epoch " + txnEpoch + " to end";
    }
    return null;
  }

  /** Creates the barriers of every topic this producer wrote to an old owner (scheduler thread). */
  private void enumerate(Transition t) {
    Set<String> topics = new LinkedHashSet<>();
    for (AckLedger ledger : ledgers) {
      topics.addAll(ledger.topics());
    }
    Set<String> unsettledEarlier = new LinkedHashSet<>();
    for (Transition earlier : view.transitions()) {
      if (earlier.epoch() < t.epoch()) {
        for (TopicBarrier b : earlier.barriers()) {
          if (b.state() != TopicBarrier.State.OPEN) {
            unsettledEarlier.add(b.topic());
          }
        }
      }
    }
    topics.addAll(unsettledEarlier);
    List<String> moved = new ArrayList<>();
    for (String topic : topics) {
      TopicMoves moves = t.moves(topic);
      if (moves.none()) {
        continue;
      }
      boolean needed = unsettledEarlier.contains(topic);
      for (List<Integer> pair : moves.pairs()) {
        needed |= ledgers[pair.get(0)].hasWritten(topic);
      }
      // auto reconciles slices written by any producer: every topic this producer knows waits for it
      needed |= rollback.auto() && !RollbackCheck.scopes(t, topic, aliases).isEmpty();
      if (needed) {
        t.barrier(topic);
        moved.add(topic);
      }
    }
    t.markEnumerated();
    t.quiescence.complete(null);
    List<String> allWithBarriers = t.barriers().stream().map(TopicBarrier::topic).collect(Collectors.toList());
    if (!allWithBarriers.isEmpty()) {
      log.info("[{}] Cutover {}->{}: grace period over after {} ms; barrier ({}) for moved slices of topics {}",
          clientId, t.previousEpoch(), t.epoch(), millisSince(t.startNanos()), mode.configValue(), allWithBarriers);
    }
    retireSettled();
  }

  /** Starts a new barrier: schedules its timeout and chains its stages (any thread). */
  void started(TopicBarrier barrier, boolean late) {
    barriers.increment();
    Transition t = barrier.transition();
    if (t.firstBarrier()) {
      cutovers.increment();
    }
    // A barrier of slices moved back to the source only is bounded by turnout.rollback.max.pause.ms; one that also
    // holds other moves of the topic by the longer of both pauses.
    long pause = maxPauseNanos;
    if (!RollbackCheck.scopes(t, barrier.topic(), aliases).isEmpty()) {
      long rollbackPause = TimeUnit.MILLISECONDS.toNanos(rollback.maxPauseMillis());
      pause = t.moves(barrier.topic()).pairs().size() == 1 ? rollbackPause : Math.max(maxPauseNanos, rollbackPause);
    }
    long delay = barrier.waitStartNanos() + pause - System.nanoTime();
    try {
      scheduler.schedule(() -> expire(barrier), Math.max(0, delay), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      barrier.close(closedMessage(barrier)); // closed: nothing would ever open or expire it
      return;
    }
    if (closed) {
      // close() set the flag before it collected the barriers to refuse; this one may have come after.
      barrier.close(closedMessage(barrier));
      return;
    }
    t.quiescence
        .thenCompose(v -> stages.run(barrier))
        .whenComplete((v, error) -> {
          if (error != null) {
            if (!closed) {
              barrier.phase("stopped: " + error);
              log.warn("[{}] Cutover to epoch {}: the barrier of topic '{}' stopped ({}); it fails closed at its "
                  + "deadline", clientId, t.epoch(), barrier.topic(), error.toString());
            }
            return;
          }
          try {
            releaser.execute(barrier::release);
          } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: close() refuses what is queued
          }
        });
  }

  /** Runs {@code check} on the rollback thread after {@code delayMillis}, unless closed. */
  void scheduleRollbackCheck(RollbackCheck check, long delayMillis) {
    stages.scheduleRollbackCheck(check, delayMillis);
  }

  boolean closed() {
    return closed;
  }

  void rollbackFailed(TopicBarrier barrier, int failedRecords, String message) {
    rollbackFailures.increment();
    log.warn("[{}] {} {} waiting record(s) failed with ROLLBACK_NOT_RECONCILED.", clientId, message, failedRecords);
  }

  private void expire(TopicBarrier barrier) {
    if (barrier.state() != TopicBarrier.State.WAITING) {
      return;
    }
    RollbackCheck check = barrier.rollback;
    if (check != null) {
      barrier.rollbackFailed(check.message(rollback.maxPauseMillis()));
      return;
    }
    String advice = barrier.noReplicationAdvice();
    String message = "Cutover to epoch " + barrier.epoch() + " of topic '" + barrier.topic() + "': the barrier did not "
        + "complete within turnout.cutover.max.pause.ms=" + maxPauseMillis + " (" + barrier.phase() + "). Writing to "
        + "the new owner now could put keys out of order, so the record was not written anywhere; the moved slices "
        + "fail closed until the barrier completes or a later epoch moves them again." + advice;
    barrier.expire(message, advice);
  }

  void expired(TopicBarrier barrier, int failedRecords) {
    timeouts.increment();
    log.warn("[{}] Cutover to epoch {}: the barrier of topic '{}' did not complete within {} ms ({}). {} waiting "
        + "record(s) failed with CUTOVER_BARRIER_TIMEOUT and its moved slices are refused until the barrier completes "
        + "or a later epoch moves them.{}", clientId, barrier.epoch(), barrier.topic(), maxPauseMillis, barrier.phase(),
        failedRecords, barrier.advice().isEmpty() ? " Check the replication from the old owner to the new owner."
            : barrier.advice());
  }

  void opened(TopicBarrier barrier, boolean afterTimeout, long released) {
    long waitedMillis = millisSince(barrier.waitStartNanos());
    waitRecorder.accept(waitedMillis);
    if (afterTimeout) {
      log.info("[{}] Cutover to epoch {}: the barrier of topic '{}' completed after all, {} ms after it started; "
          + "its moved slices accept writes again", clientId, barrier.epoch(), barrier.topic(), waitedMillis);
    } else {
      log.info("[{}] Cutover to epoch {}: topic '{}' released after {} ms ({} waiting record(s) sent in order)",
          clientId, barrier.epoch(), barrier.topic(), waitedMillis, released);
    }
    retireSettled();
  }

  /**
   * Drops settled cutovers from the view, so sends stop consulting them. Only the oldest ones go, in order: a
   * later cutover must stay while an earlier one is unsettled, because for the slices it moved again it
   * shadows the earlier one ({@link View#barrierFor} takes the latest cutover that moved a slice). A cutover
   * whose barriers failed goes too once later cutovers, past their grace period, moved every one of its failed
   * slices again: no send can reach its barriers any more, so they stop checking and leave the status.
   */
  private void retireSettled() {
    synchronized (viewLock) {
      if (closed) {
        return;
      }
      View v = view;
      Transition[] ts = v.transitions();
      int settled = 0;
      while (settled < ts.length && (ts[settled].settled() || superseded(ts, settled))) {
        settled++;
      }
      if (settled > 0) {
        for (int i = 0; i < settled; i++) {
          ts[i].barriers().forEach(b -> b.retired = true);
        }
        publish(new View(v.map(), Arrays.copyOfRange(ts, settled, ts.length)));
      }
    }
  }

  /**
   * Whether every barrier of {@code ts[index]} is open or failed, and each failed one's slices were all moved
   * again by the later cutovers, all past their grace period (no send routed by an older map remains).
   */
  private boolean superseded(Transition[] ts, int index) {
    Transition t = ts[index];
    List<Transition> later = Arrays.asList(ts).subList(index + 1, ts.length);
    if (!t.enumerated() || later.isEmpty() || !later.stream().allMatch(Transition::enumerated)) {
      return false;
    }
    List<TopicBarrier> failed = new ArrayList<>();
    for (TopicBarrier b : t.barriers()) {
      TopicBarrier.State state = b.state();
      if (state == TopicBarrier.State.FAILED) {
        List<TopicMoves> again = later.stream().map(l -> l.moves(b.topic())).collect(Collectors.toList());
        if (!t.moves(b.topic()).coveredBy(again)) {
          return false;
        }
        failed.add(b);
      } else if (state != TopicBarrier.State.OPEN) {
        return false;
      }
    }
    for (TopicBarrier b : failed) {
      log.info("[{}] Cutover to epoch {}: the failed barrier of topic '{}' is superseded by epoch {}, which moved its "
          + "slices again; it no longer refuses or checks anything", clientId, b.epoch(), b.topic(),
          later.get(later.size() - 1).epoch());
    }
    return true;
  }

  /**
   * Waits until every send queued at a barrier before the call was released or refused (for
   * {@code flush}).
   *
   * @return {@code false} if the timeout passed first
   */
  public boolean awaitQueued(Duration timeout) throws InterruptedException {
    Duration capped = timeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365) : timeout;
    long deadline = System.nanoTime() + Math.max(0, capped.toNanos());
    for (Transition t : view.transitions()) {
      for (TopicBarrier b : t.barriers()) {
        if (!b.awaitHandled(deadline)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The barriers that are not open, for status reports (one entry per pair of old and new owner). */
  public List<dev.turnout.status.BarrierStatus> openBarriers() {
    return BarrierReport.of(view.transitions(), aliases);
  }

  /** Cutovers that needed a barrier. */
  public long cutovers() {
    return cutovers.sum();
  }

  /** Barriers created (one per topic and cutover). */
  public long barriers() {
    return barriers.sum();
  }

  /** Barriers that timed out. */
  public long timeouts() {
    return timeouts.sum();
  }

  /** Barriers of slices moved back to the source that failed closed (not reconciled, timed out, no reconciliation). */
  public long rollbackFailures() {
    return rollbackFailures.sum();
  }

  /** Cutovers not settled yet. */
  public int pendingCutovers() {
    return view.transitions().length;
  }

  /** Records waiting at barriers now. */
  public long waitingRecords() {
    return waiting.get();
  }

  /** Estimated bytes of the records waiting at barriers now. */
  public long waitingBytes() {
    return budget.used();
  }

  BufferBudget budget() {
    return budget;
  }

  void queued(int delta) {
    waiting.addAndGet(delta);
  }

  Logger log() {
    return log;
  }

  String clientId() {
    return clientId;
  }

  /**
   * Waits up to {@code timeout} for queued sends to be released, refuses the rest, and stops the cutover
   * threads. Later installs are ignored.
   */
  public void close(Duration timeout) {
    try {
      awaitQueued(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Transition> transitions;
    synchronized (viewLock) {
      closed = true;
      transitions = List.of(view.transitions());
    }
    for (Transition t : transitions) {
      for (TopicBarrier b : t.barriers()) {
        b.close(closedMessage(b));
      }
    }
    scheduler.shutdownNow();
    releaser.shutdown();
    stages.stopRollbackChecks();
    if (rollback.reconciliation() instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("[{}] Closing the slice reconciliation failed: {}", clientId, e.toString());
      }
    }
    try {
      releaser.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stages.close();
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }

  private static String closedMessage(TopicBarrier b) {
    return "The producer was closed while the record waited at the cutover barrier of topic '" + b.topic()
        + "' (epoch " + b.epoch() + "); it was not written anywhere.";
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
