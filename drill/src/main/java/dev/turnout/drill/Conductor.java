package dev.turnout.drill;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.drill.check.Evidence;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.plan.ControlPublisher;
import dev.turnout.drill.plan.Documents;
import dev.turnout.drill.plan.Flip;
import dev.turnout.drill.plan.Plan;
import dev.turnout.drill.plan.Step;
import dev.turnout.drill.report.GateVerdict;
import dev.turnout.fleet.FleetStatusReader;
import dev.turnout.fleet.FleetView;
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
import java.util.function.Supplier;

/**
 * Walks the plan under load: at each step's time runs the flip's readiness gate (recorded; with
 * {@code --gate-strict} the flip waits for it), publishes the step's document to the control topic, waits until the
 * status topic shows every instance on the new epoch (the flip's convergence time), and after a rollback runs the
 * reconciliation when the drill is the one to ({@link ReconcileMode#MANUAL}).
 */
final class Conductor {

  private static final int MAX_RECONCILE_RUNS = 5;

  private final Plan plan;
  private final Duration phase;
  private final ReconcileMode mode;
  private final Documents documents;
  private final ControlPublisher publisher;
  private final FleetStatusReader fleet;
  private final Supplier<List<String>> instances;
  private final Reconciler.Builder reconciler;
  private final Journal journal;
  private final AtomicInteger step = new AtomicInteger();
  private final NavigableMap<Long, AuthorityMap> maps = new TreeMap<>();
  private final List<Flip> flips = new ArrayList<>();
  private final List<Evidence.Rollback> rollbacks = new ArrayList<>();
  private final long epochBase;
  private final FlipGate gate;
  private final boolean strict;
  private final List<GateVerdict> verdicts = new ArrayList<>();
  private String stoppedAt = "";
  private long promotedSince = -1;

  /**
   * @param epochBase the epoch before the run's first document (0 on a new control topic)
   * @param gate the readiness gate run before each flip
   */
  Conductor(DrillOptions options, long epochBase, FlipGate gate, Documents documents, ControlPublisher publisher,
      FleetStatusReader fleet, Supplier<List<String>> instances, Reconciler.Builder reconciler, Journal journal) {
    this.plan = options.plan();
    this.phase = options.phase();
    this.mode = options.reconcile();
    this.documents = documents;
    this.publisher = publisher;
    this.fleet = fleet;
    this.instances = instances;
    this.reconciler = reconciler;
    this.journal = journal;
    this.epochBase = epochBase;
    this.gate = gate;
    this.strict = options.gateStrict();
  }

  /** Publishes the first step's document (the epoch after the base), before the clients start. */
  void publishFirst() throws InterruptedException {
    long epoch = epochBase + 1;
    Map<String, String> doc = documents.document(plan.steps().get(0), epoch, null);
    publisher.publish(doc);
    maps.put(epoch, documents.map(doc));
    track(plan.steps().get(0), epoch);
  }

  /** The index of the step in force. */
  int step() {
    return step.get();
  }

  /** The epoch in force. */
  long epoch() {
    return epochBase + step.get() + 1L;
  }

  /**
   * Walks every flip of the plan; the load runs meanwhile. Before each flip, waits (up to a step's length) until
   * every instance shows the epoch in force, then runs the flip's gate. Returns after the last step's phase, or
   * as soon as a strict gate never passed within its step's length.
   */
  void walk(long loadStartMillis) throws InterruptedException {
    for (int i = 1; i < plan.steps().size(); i++) {
      sleepUntil(loadStartMillis + i * phase.toMillis());
      if (!flip(i)) {
        return;
      }
    }
    sleepUntil(loadStartMillis + plan.steps().size() * phase.toMillis());
  }

  /** Makes flip {@code index}; false when its strict gate never passed (nothing published). */
  private boolean flip(int index) throws InterruptedException {
    Step next = plan.steps().get(index);
    long epoch = epochBase + index + 1L;
    Map<String, String> doc = documents.document(next, epoch, plan.steps().get(index - 1));
    boolean rollback = plan.rollbackAt(index);
    long fromEpoch = promotedSince;
    long due = journal.nowMillis();
    String late = awaitConvergence(epoch - 1, due, phase.toMillis()) < 0
        ? "published before every instance showed epoch " + (epoch - 1) : "";
    GateVerdict verdict = gate(index, next, epoch - 1, due + phase.toMillis());
    if (!verdict.go() && strict) {
      stoppedAt = "step " + (index + 1) + "/" + plan.steps().size() + " " + next + ": its gate was NO-GO for "
          + phase.toMillis() / 1000.0 + " s (" + FlipGate.red(verdict) + ")";
      return false;
    }
    publisher.publish(doc);
    long at = journal.nowMillis();
    maps.put(epoch, documents.map(doc));
    step.set(index);
    if (rollback) {
      rollbacks.add(new Evidence.Rollback(epoch, at));
    }
    long convergence = awaitConvergence(epoch, at, phase.toMillis());
    long reconciled = -1;
    String note = "";
    if (rollback && mode == ReconcileMode.MANUAL && fromEpoch > 0) {
      try {
        reconciled = reconcile(fromEpoch, epoch - 1);
      } catch (ReconcileException e) {
        note = "reconciliation failed: " + e.kind() + ": " + e.getMessage();
      }
    } else if (rollback) {
      note = mode == ReconcileMode.AUTO ? "reconciled by the producers (auto)" : "not reconciled (--reconcile none)";
    }
    track(next, epoch);
    flips.add(new Flip(index, next, epoch, rollback, at, convergence, reconciled,
        late.isEmpty() || note.isEmpty() ? late + note : late + "; " + note));
    return true;
  }

  /**
   * Runs the gate of flip {@code index} on the document in force; with {@code --gate-strict}, again every second
   * while it is NO-GO, until {@code deadline}. Records and returns the last verdict.
   */
  private GateVerdict gate(int index, Step next, long inForce, long deadline) throws InterruptedException {
    OptionalLong since = promotedSince > 0 ? OptionalLong.of(promotedSince) : OptionalLong.empty();
    List<AuthorityMap> history = promotedSince > 0
        ? new ArrayList<>(maps.subMap(promotedSince, true, inForce, false).values()) : List.of();
    GateVerdict verdict;
    int attempt = 0;
    do {
      if (attempt > 0) {
        Thread.sleep(1000);
      }
      verdict = gate.evaluate(index, maps.get(inForce), next, since, history, ++attempt);
    } while (!verdict.go() && strict && journal.nowMillis() < deadline);
    verdicts.add(verdict);
    return verdict;
  }

  /** The gates of the walk so far. */
  GateVerdict.Gates gates() {
    return new GateVerdict.Gates(strict, verdicts, stoppedAt);
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
   * Milliseconds from {@code publishedAt} until the status topic shows every instance on {@code epoch}, -1 if not
   * within {@code timeoutMillis}.
   */
  private long awaitConvergence(long epoch, long publishedAt, long timeoutMillis) throws InterruptedException {
    long deadline = publishedAt + timeoutMillis;
    while (journal.nowMillis() < deadline) {
      FleetView view = fleet.read(Duration.ofSeconds(5));
      List<String> ids = instances.get();
      if (!ids.isEmpty() && ids.stream().allMatch(id -> view.epochOf(id).orElse(-1) == epoch)) {
        return journal.nowMillis() - publishedAt;
      }
      Thread.sleep(50);
    }
    return -1;
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
    try (Reconciler r = reconciler.build()) {
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
    long wait = millis - journal.nowMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

  List<Flip> flips() {
    return flips;
  }

  NavigableMap<Long, AuthorityMap> maps() {
    return maps;
  }

  List<Evidence.Rollback> rollbacks() {
    return rollbacks;
  }
}
