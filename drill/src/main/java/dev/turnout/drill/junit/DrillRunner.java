package dev.turnout.drill.junit;

import dev.turnout.drill.check.Evidence;
import dev.turnout.drill.check.Finding;
import dev.turnout.drill.check.Invariants;
import dev.turnout.RoutingProducer;
import dev.turnout.drill.load.ClusterDump;
import dev.turnout.drill.load.ConsumerLoop;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.load.ProducerLoop;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.load.StoredRecord;
import dev.turnout.drill.ReconcileMode;
import dev.turnout.drill.plan.Convergence;
import dev.turnout.drill.plan.Documents;
import dev.turnout.drill.plan.FlipHook;
import dev.turnout.drill.plan.PlanWalker;
import dev.turnout.drill.plan.Reconciliation;
import dev.turnout.fleet.FleetStatusReader;
import dev.turnout.reconcile.Reconciler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one user's drill: the load while the steps are walked, the drain, the final read and the checks. */
final class DrillRunner {

  private static final Logger LOG = LoggerFactory.getLogger(DrillRunner.class);
  private static final long DRAIN_QUIET_MILLIS = 15_000;
  private static final long DRAIN_MAX_MILLIS = 60_000;
  private static final long REPLICATION_MAX_MILLIS = 30_000;

  private final DrillSettings settings;
  private final Journal journal = new Journal(System.nanoTime());
  private final Queue<String> errors = new ConcurrentLinkedQueue<>();

  DrillRunner(DrillSettings settings) {
    this.settings = settings;
  }

  DrillResult run() throws InterruptedException {
    LOG.info("Starting the {}", settings);
    settings.clusters().createTopic(settings.topic(), settings.partitions());
    Documents documents = new Documents(settings.topic(), DrillClusters.SOURCE, DrillClusters.TARGET);
    try (FleetStatusReader fleet = new FleetStatusReader(settings.clusters().targetConfig(),
        DrillClusters.STATUS_TOPIC)) {
      List<Supplier<List<String>>> clients = new ArrayList<>();
      Convergence convergence = new Convergence(fleet, () -> ids(clients), journal::nowMillis, "client");
      PlanWalker walker = new PlanWalker(settings.plan(), settings.stepDuration(),
          settings.clusters().nextEpoch(), documents, settings.clusters()::publish, convergence, reconciliation(),
          FlipHook.NONE);
      walker.publishFirst();
      return load(walker, clients);
    }
  }

  /** The walker reconciles after a rollback with {@link ReconcileMode#MANUAL} only. */
  private Reconciliation reconciliation() {
    Reconciler.Builder reconciler = Reconciler.builder()
        .source(DrillClusters.SOURCE, settings.clusters().sourceConfig())
        .target(DrillClusters.TARGET, settings.clusters().targetConfig());
    return new Reconciliation(settings.reconcile() == ReconcileMode.MANUAL ? reconciler : null,
        settings.reconcile() == ReconcileMode.AUTO ? "reconciled by the producers (auto)" : "not reconciled");
  }

  /** The instance ids of the clients created so far. */
  private static List<String> ids(List<Supplier<List<String>>> clients) {
    List<String> ids = new ArrayList<>();
    clients.forEach(c -> ids.addAll(c.get()));
    return ids;
  }

  private DrillResult load(PlanWalker walker, List<Supplier<List<String>>> clients) throws InterruptedException {
    long start = journal.nowMillis();
    Queue<String> pollErrors = new ConcurrentLinkedQueue<>();
    try (ConsumerLoop<?, ?> consumers = consumers(settings.consumer(), pollErrors)) {
      clients.add(consumers::instanceIds);
      if (!consumers.start()) {
        throw new IllegalStateException("the consumer group's members were not created within 60 s");
      }
      try (ProducerLoop<?, ?> producers = producers(settings.producer(), walker::step)) {
        clients.add(producers::instanceIds);
        walker.walk(start);
      }
      LOG.info("Drill of '{}': load stopped after {} ms ({} acknowledged); draining", settings.topic(),
          journal.nowMillis() - start, journal.acknowledgedCount());
      drain();
    }
    List<Finding> findings = check(walker);
    return new DrillResult(settings.topic(), settings.toString(), journal.nowMillis() - start, findings,
        walker.flips(), journal.sends(), journal.processed(), List.copyOf(errors), List.copyOf(pollErrors));
  }

  /** Your consumer group; what your factory throws goes to {@code errors}. */
  private <K, V> ConsumerLoop<K, V> consumers(Drill.ConsumerSide<K, V> side, Queue<String> pollErrors) {
    ConsumerLoop.Members<K, V> members = new ConsumerLoop.Members<>(settings.consumers(),
        i -> side.factory().apply(settings.consumerConfig(i)),
        (e, i) -> errors.add("consumer " + i + ": your consumer factory failed: " + e),
        "drill-" + settings.topic() + "-");
    return new ConsumerLoop<>(members, settings.topic(), journal, new UserProcessing<>(side.handler(), errors),
        pollErrors::add);
  }

  /** Your producers, sending your records; each key's sequence number is counted over all producers. */
  private <K, V> ProducerLoop<K, V> producers(Drill.ProducerSide<K, V> side, IntSupplier step) {
    ProducerLoop<K, V> loop;
    try {
      loop = new ProducerLoop<>(settings.producers(), i -> {
        RoutingProducer<K, V> p = side.factory().apply(settings.producerConfig(i));
        if (p == null) {
          throw new IllegalStateException("the producer factory returned null");
        }
        return p;
      }, "drill-" + settings.topic() + "-", settings.rate(), journal, step, () -> false);
    } catch (RuntimeException e) {
      throw new IllegalStateException("Your producer factory failed: " + e, e);
    }
    Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    loop.start(i -> new UserRecords<>(side.records(), settings.topic(), i, settings.producers(), sequences, errors));
    return loop;
  }

  /** Waits until every acknowledged record was processed, or nothing new was processed for a while. */
  private void drain() throws InterruptedException {
    long deadline = journal.nowMillis() + DRAIN_MAX_MILLIS;
    long lastCount = -1;
    long lastChange = journal.nowMillis();
    while (journal.nowMillis() < deadline && journal.nowMillis() - lastChange < DRAIN_QUIET_MILLIS) {
      Set<String> processed = new HashSet<>();
      journal.processed().forEach(p -> processed.add(p.value()));
      if (journal.sends().stream().filter(SendOutcome::acknowledged).allMatch(s -> processed.contains(s.value()))) {
        return;
      }
      long count = journal.processedCount();
      if (count != lastCount) {
        lastCount = count;
        lastChange = journal.nowMillis();
      }
      Thread.sleep(500);
    }
  }

  /** Reads both clusters (again while the source's acknowledged records are not all on the target yet) and checks. */
  private List<Finding> check(PlanWalker walker) throws InterruptedException {
    long deadline = journal.nowMillis() + REPLICATION_MAX_MILLIS;
    while (true) {
      List<StoredRecord> onSource = ClusterDump.read(DrillClusters.SOURCE, settings.clusters().sourceConfig(),
          settings.topic());
      List<StoredRecord> onTarget = ClusterDump.read(DrillClusters.TARGET, settings.clusters().targetConfig(),
          settings.topic());
      List<SendOutcome> sends = journal.sends();
      if (!replicating(sends, onTarget) || journal.nowMillis() > deadline) {
        return Invariants.check(new Evidence(settings.topic(), sends, journal.processed(), onSource, onTarget,
            walker.maps(), walker.rollbacks()));
      }
      Thread.sleep(1000);
    }
  }

  private static boolean replicating(List<SendOutcome> sends, List<StoredRecord> onTarget) {
    Set<String> values = new HashSet<>();
    onTarget.forEach(r -> values.add(r.value()));
    return sends.stream().anyMatch(s -> s.acknowledged() && DrillClusters.SOURCE.equals(s.cluster())
        && !values.contains(s.value()));
  }
}
