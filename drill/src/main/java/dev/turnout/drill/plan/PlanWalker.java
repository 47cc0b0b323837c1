package dev.turnout.drill.plan;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.drill.check.Evidence;
import dev.turnout.reconcile.ReconcileException;
import dev.turnout.reconcile.ReconcileReport;
import dev.turnout.reconcile.ReconcileRequest;
import dev.turnout.reconcile.Reconciler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Walks a plan under load: at each step's time asks the {@link FlipHook} (a readiness gate), publishes the step's
 * document with the next epoch, waits until the status topic shows every client on it (the flip's convergence
 * time), and after a rollback runs the reconciliation when it is the walker's to run ({@link Reconciliation}).
 * Keeps the documents, flips and rollbacks for the checks. One thread walks; {@link #step()} and {@link #epoch()}
 * may be read from any.
 */
public final class PlanWalker {

  private static final int MAX_RECONCILE_RUNS = 5;

  private final Plan plan;
  private final long phaseMillis;
  private final long firstEpoch;
  private final Documents documents;
  private final DocumentSink sink;
  private final Convergence convergence;
  private final Reconciliation reconciliation;
  private final FlipHook hook;
  private final AtomicInteger step = new AtomicInteger();
  private final NavigableMap<Long, AuthorityMap> maps = new TreeMap<>();
  private final List<Flip> flips = new ArrayList<>();
  private final List<Evidence.Rollback> rollbacks = new ArrayList<>();
  private long promotedSince = -1;

  /**
   * @param phase each step's length
   * @param firstEpoch the epoch of the first step's document, above every one published before
   */
  public PlanWalker(Plan plan, Duration phase, long firstEpoch, Documents documents, DocumentSink sink,
      Convergence convergence, Reconciliation reconciliation, FlipHook hook) {
    this.plan = plan;
    this.phaseMillis = phase.toMillis();
    this.firstEpoch = firstEpoch;
    this.documents = documents;
    this.sink = sink;
    this.convergence = convergence;
    this.reconciliation = reconciliation;
    this.hook = hook;
  }

  /** Publishes the first step's document, before the clients start. */
  public void publishFirst() throws InterruptedException {
    Map<String, String> doc = documents.document(plan.steps().get(0), firstEpoch, null);
    sink.publish(doc);
    maps.put(firstEpoch, documents.map(doc));
    track(plan.steps().get(0), firstEpoch);
  }

  /** The index of the step in force. */
  public int step() {
    return step.get();
  }

  /** The epoch in force. */
  public long epoch() {
    return firstEpoch + step.get();
  }

  /**
   * Walks every flip of the plan; the load runs meanwhile. Before each flip, waits (up to a step's length) until
   * every client shows the epoch in force, then asks the hook. Returns after the last step's length, or as soon
   * as the hook stopped the walk.
   */
  public void walk(long loadStartMillis) throws InterruptedException {
    for (int i = 1; i < plan.steps().size(); i++) {
      sleepUntil(loadStartMillis + i * phaseMillis);
      if (!flip(i)) {
        return;
      }
    }
    sleepUntil(loadStartMillis + plan.steps().size() * phaseMillis);
  }

  /** Makes flip {@code index}; false when the hook stopped the walk (nothing published). */
  private boolean flip(int index) throws InterruptedException {
    Step next = plan.steps().get(index);
    long epoch = firstEpoch + index;
    Map<String, String> doc = documents.document(next, epoch, plan.steps().get(index - 1));
    boolean rollback = plan.rollbackAt(index);
    long fromEpoch = promotedSince;
    long due = convergence.nowMillis();
    String late = convergence.await(epoch - 1, due, phaseMillis) < 0
        ? "published before every " + convergence.clients() + " showed epoch " + (epoch - 1) : "";
    if (!hook.beforeFlip(index, next, maps.get(epoch - 1), since(), history(epoch - 1), due + phaseMillis)) {
      return false;
    }
    sink.publish(doc);
    long at = convergence.nowMillis();
    maps.put(epoch, documents.map(doc));
    step.set(index);
    if (rollback) {
      rollbacks.add(new Evidence.Rollback(epoch, at));
    }
    long converged = convergence.await(epoch, at, phaseMillis);
    long reconciled = -1;
    String note = "";
    if (rollback && reconciliation.reconciler() != null && fromEpoch > 0) {
      try {
        reconciled = reconcile(fromEpoch, epoch - 1);
      } catch (ReconcileException e) {
        note = "reconciliation failed: " + e.kind() + ": " + e.getMessage();
      }
    } else if (rollback) {
      note = reconciliation.note();
    }
    track(next, epoch);
    flips.add(new Flip(index, next, epoch, rollback, at, converged, reconciled,
        late.isEmpty() || note.isEmpty() ? late + note : late + "; " + note));
    return true;
  }

  private OptionalLong since() {
    return promotedSince > 0 ? OptionalLong.of(promotedSince) : OptionalLong.empty();
  }

  /** The documents since {@link #promotedSince} up to, not including, {@code inForce}. */
  private List<AuthorityMap> history(long inForce) {
    return promotedSince > 0 ? new ArrayList<>(maps.subMap(promotedSince, true, inForce, false).values())
        : List.of();
  }

  /** Remembers since which epoch some keys have been on the target without a break. */
  private void track(Step s, long epoch) {
    if (s.percent() == 0) {
      promotedSince = -1;
    } else if (promotedSince < 0) {
      promotedSince = epoch;
    }
  }

  /**
   * Copies the target-only records of the rule's epochs {@code from..to} to the source; runs again (idempotent)
   * until a run copies nothing, so that records acknowledged by the target while the first run read it are
   * copied too.
   */
  private long reconcile(long from, long to) {
    List<AuthorityMap> docs = new ArrayList<>(maps.subMap(from, true, to, true).values());
    ReconcileRequest request = ReconcileRequest.forRule(Documents.RULE).epochs(from, to).documents(docs).build();
    long copied = 0;
    try (Reconciler r = reconciliation.reconciler().build()) {
      for (int run = 0; run < MAX_RECONCILE_RUNS; run++) {
        ReconcileReport report = r.apply(request);
        copied += report.copied();
        if (report.copied() == 0 && report.complete()) {
          break;
        }
      }
    }
    return copied;
  }

  private void sleepUntil(long millis) throws InterruptedException {
    long wait = millis - convergence.nowMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

  /** The flips made so far. */
  public List<Flip> flips() {
    return List.copyOf(flips);
  }

  /** The documents published so far, by epoch. */
  public NavigableMap<Long, AuthorityMap> maps() {
    return maps;
  }

  /** The rollback flips made so far. */
  public List<Evidence.Rollback> rollbacks() {
    return rollbacks;
  }
}
