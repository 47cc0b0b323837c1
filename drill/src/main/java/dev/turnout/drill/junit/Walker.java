package dev.turnout.drill.junit;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.drill.ReconcileMode;
import dev.turnout.drill.check.Evidence;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.plan.Documents;
import dev.turnout.drill.plan.Flip;
import dev.turnout.drill.plan.Plan;
import dev.turnout.drill.plan.Step;
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
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Walks a user's drill: publishes each step's document at its time with the next epoch, waits until the status
 * topic shows every client on it, and after a rollback runs the reconciliation when the drill is the one to
 * ({@link ReconcileMode#MANUAL}). Keeps the documents, flips and rollbacks for the checks.
 */
final class Walker {

  private static final int MAX_RECONCILE_RUNS = 5;

  private final DrillSettings settings;
  private final Plan plan;
  private final long phaseMillis;
  private final Documents documents;
  private final FleetStatusReader fleet;
  private final Supplier<List<String>> instances;
  private final Journal journal;
  private final AtomicInteger step = new AtomicInteger();
  private final NavigableMap<Long, AuthorityMap> maps = new TreeMap<>();
  private final List<Flip> flips = new ArrayList<>();
  private final List<Evidence.Rollback> rollbacks = new ArrayList<>();
  private long firstEpoch;
  private long promotedSince = -1;

  Walker(DrillSettings settings, Documents documents, FleetStatusReader fleet, Supplier<List<String>> instances,
      Journal journal) {
    this.settings = settings;
    this.plan = settings.plan();
    this.phaseMillis = settings.stepDuration().toMillis();
    this.documents = documents;
    this.fleet = fleet;
    this.instances = instances;
    this.journal = journal;
  }

  /** Publishes the first step's document, with the clusters' next epoch, before the clients start. */
  void publishFirst() {
    firstEpoch = settings.clusters().nextEpoch();
    Map<String, String> doc = documents.document(plan.steps().get(0), firstEpoch, null);
    settings.clusters().publish(doc);
    maps.put(firstEpoch, documents.map(doc));
    track(plan.steps().get(0), firstEpoch);
  }

  /** The index of the step in force. */
  int step() {
    return step.get();
  }

  /** Walks every flip; returns after the last step's duration. */
  void walk(long loadStartMillis) throws InterruptedException {
    for (int i = 1; i < plan.steps().size(); i++) {
      sleepUntil(loadStartMillis + i * phaseMillis);
      flip(i);
    }
    sleepUntil(loadStartMillis + plan.steps().size() * phaseMillis);
  }

  private void flip(int index) throws InterruptedException {
    Step next = plan.steps().get(index);
    long epoch = firstEpoch + index;
    Map<String, String> doc = documents.document(next, epoch, plan.steps().get(index - 1));
    boolean rollback = plan.rollbackAt(index);
    long fromEpoch = promotedSince;
    String late = awaitConvergence(epoch - 1, journal.nowMillis()) < 0
        ? "published before every client showed epoch " + (epoch - 1) : "";
    settings.clusters().publish(doc);
    long at = journal.nowMillis();
    maps.put(epoch, documents.map(doc));
    step.set(index);
    if (rollback) {
      rollbacks.add(new Evidence.Rollback(epoch, at));
    }
    long convergence = awaitConvergence(epoch, at);
    long reconciled = -1;
    String note = "";
    if (rollback && settings.reconcile() == ReconcileMode.MANUAL && fromEpoch > 0) {
      try {
        reconciled = reconcile(fromEpoch, epoch - 1);
      } catch (ReconcileException e) {
        note = "reconciliation failed: " + e.kind() + ": " + e.getMessage();
      }
    } else if (rollback) {
      note = settings.reconcile() == ReconcileMode.AUTO ? "reconciled by the producers (auto)" : "not reconciled";
    }
    track(next, epoch);
    flips.add(new Flip(index, next, epoch, rollback, at, convergence, reconciled,
        late.isEmpty() || note.isEmpty() ? late + note : late + "; " + note));
  }

  private void track(Step s, long epoch) {
    if (s.percent() == 0) {
      promotedSince = -1;
    } else if (promotedSince < 0) {
      promotedSince = epoch;
    }
  }

  /** Milliseconds from {@code publishedAt} until every client shows {@code epoch}; -1 if not within a step. */
  private long awaitConvergence(long epoch, long publishedAt) throws InterruptedException {
    long deadline = publishedAt + phaseMillis;
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

  /** Copies the target-only records of epochs {@code from..to} to the source, again until a run copies nothing. */
  private long reconcile(long from, long to) {
    List<AuthorityMap> docs = new ArrayList<>(maps.subMap(from, true, to, true).values());
    ReconcileRequest request = ReconcileRequest.forRule(Documents.RULE).epochs(from, to).documents(docs).build();
    long copied = 0;
    try (Reconciler r = Reconciler.builder().source(DrillClusters.SOURCE, settings.clusters().sourceConfig())
        .target(DrillClusters.TARGET, settings.clusters().targetConfig()).build()) {
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
    return List.copyOf(flips);
  }

  NavigableMap<Long, AuthorityMap> maps() {
    return maps;
  }

  List<Evidence.Rollback> rollbacks() {
    return rollbacks;
  }
}
