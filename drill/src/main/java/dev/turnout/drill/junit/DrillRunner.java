package dev.turnout.drill.junit;

import dev.turnout.RoutingProducer;
import dev.turnout.drill.ReconcileMode;
import dev.turnout.drill.check.DrillEnd;
import dev.turnout.drill.check.Finding;
import dev.turnout.drill.load.ConsumerLoop;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.load.ProducerLoop;
import dev.turnout.drill.plan.Convergence;
import dev.turnout.drill.plan.Documents;
import dev.turnout.drill.plan.FlipHook;
import dev.turnout.drill.plan.PlanWalker;
import dev.turnout.drill.plan.Reconciliation;
import dev.turnout.fleet.FleetStatusReader;
import dev.turnout.reconcile.Reconciler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
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
    DrillEnd end = new DrillEnd(journal, settings.topic(), new DrillEnd.Cluster(DrillClusters.SOURCE,
        settings.clusters().sourceConfig()), new DrillEnd.Cluster(DrillClusters.TARGET,
        settings.clusters().targetConfig()), r -> true);
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
      end.drain();
    }
    List<Finding> findings = end.check(walker.maps(), walker.rollbacks());
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
}
