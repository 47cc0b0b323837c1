package dev.turnout.drill;

import dev.turnout.drill.check.DrillEnd;
import dev.turnout.drill.check.Finding;
import dev.turnout.drill.load.ConsumerService;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.load.ProducerService;
import dev.turnout.drill.plan.ControlPublisher;
import dev.turnout.drill.plan.Convergence;
import dev.turnout.drill.plan.Documents;
import dev.turnout.drill.plan.PlanWalker;
import dev.turnout.drill.plan.Reconciliation;
import dev.turnout.drill.report.DrillRun;
import dev.turnout.drill.report.ReportWriter;
import dev.turnout.fleet.FleetStatusReader;
import dev.turnout.reconcile.Reconciler;
import dev.turnout.status.ConsumerStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One drill: starts (or prepares) the clusters, the producers, the consumer group and a validation consumer of the
 * group, walks the plan under load with a readiness gate before each flip, drains, reads what each cluster holds
 * (the run's records), checks the invariants and writes the report.
 */
final class Drill {

  private final DrillOptions options;
  private final PrintWriter out;
  private final boolean terminal;

  /** @param terminal whether {@code out} is a terminal (the progress line is redrawn in place) */
  Drill(DrillOptions options, PrintWriter out, boolean terminal) {
    this.options = options;
    this.out = out;
    this.terminal = terminal;
  }

  /** The outcome: the run and where its report is. */
  record Result(DrillRun run, Path report) {}

  Result run() throws Exception {
    Documents documents = new Documents(options.topic(), DrillEnvironment.SOURCE, DrillEnvironment.TARGET);
    if (options.external() == null) {
      out.println("Starting two embedded clusters and MirrorMaker 2...");
    } else {
      out.println("Preparing the external clusters: source " + options.describe().get("source cluster")
          + "; target " + options.describe().get("target cluster"));
    }
    try (DrillEnvironment env = options.external() == null ? DrillEnvironment.embedded(options)
        : DrillEnvironment.external(options, out)) {
      Journal journal = new Journal(System.nanoTime());
      Reconciler.Builder reconciler = Reconciler.builder().source(DrillEnvironment.SOURCE, env.sourceConfig())
          .target(DrillEnvironment.TARGET, env.targetConfig());
      try (ControlPublisher publisher = new ControlPublisher(env.sourceConfig(), env.controlTopic());
          FleetStatusReader fleet = new FleetStatusReader(env.targetConfig(), env.statusTopic());
          FlipGate gate = new FlipGate(env.sourceConfig(), env.targetConfig(), fleet, env.group())) {
        ConsumerService[] consumers = new ConsumerService[1];
        ProducerService[] producers = new ProducerService[1];
        ValidationReader validation = new ValidationReader(env.consumerConfigs(options).get(0), env.topic(),
            journal);
        GatedFlips gates = new GatedFlips(options, gate, journal::nowMillis);
        Convergence convergence = new Convergence(fleet, () -> instanceIds(producers[0], consumers[0], validation),
            journal::nowMillis, "instance");
        PlanWalker walker = new PlanWalker(options.plan(), options.phase(), env.epochBase() + 1, documents,
            publisher::publish, convergence, reconciliation(reconciler), gates);
        walker.publishFirst();
        consumers[0] = new ConsumerService(env.consumerConfigs(options), env.topic(), journal);
        producers[0] = new ProducerService(env.producerConfigs(options), env.topic(), options.keys(),
            options.rate(), options.seed(), journal, walker::step);
        try (validation) {
          validation.start();
          return walk(env, journal, walker, gates, producers[0], consumers[0]);
        }
      }
    }
  }

  private Result walk(DrillEnvironment env, Journal journal, PlanWalker walker, GatedFlips gates,
      ProducerService producers, ConsumerService consumers) throws Exception {
    Instant startedAt = Instant.now();
    long start = journal.nowMillis();
    List<Finding> findings;
    List<ConsumerStatus> statuses;
    List<String> consumerErrors;
    Progress live = new Progress(out, journal, options.plan(), walker::step, walker::epoch, producers,
        consumers);
    if (terminal) {
      live.redrawn(start, options.phase().toMillis());
    }
    try (consumers; Progress progress = live) {
      consumers.start();
      try (producers) {
        producers.start();
        progress.start();
        progress.message("Load running; walking " + options.plan().steps() + ", " + options.phase().toMillis()
            + " ms per step");
        walker.walk(start);
      }
      long loadMillis = journal.nowMillis() - start;
      progress.message("Load stopped after " + loadMillis + " ms; draining the consumer group...");
      DrillEnd end = new DrillEnd(journal, env.topic(), new DrillEnd.Cluster(DrillEnvironment.SOURCE,
          env.sourceConfig()), new DrillEnd.Cluster(DrillEnvironment.TARGET, env.targetConfig()),
          r -> !env.beforeRun(r.cluster(), r.partition(), r.offset()));
      end.drain();
      statuses = consumers.statuses();
      consumerErrors = consumers.errors();
      progress.close();
      findings = end.check(walker.maps(), walker.rollbacks());
    }
    double switchMax = statuses.stream().mapToDouble(ConsumerStatus::switchDurationMaxMs).filter(d -> !Double.isNaN(d))
        .max().orElse(Double.NaN);
    long switches = statuses.stream().mapToLong(ConsumerStatus::readSwitches).sum();
    DrillRun run = new DrillRun(startedAt, journal.nowMillis() - start, options.describe(), options.plan().steps(),
        walker.flips(), journal.sends(), journal.processed(), findings, switches, switchMax, consumerErrors,
        gates.gates());
    Path report = ReportWriter.write(options.out(), run);
    return new Result(run, report);
  }

  /** The walker reconciles after a rollback with {@link ReconcileMode#MANUAL} only. */
  private Reconciliation reconciliation(Reconciler.Builder reconciler) {
    ReconcileMode mode = options.reconcile();
    return new Reconciliation(mode == ReconcileMode.MANUAL ? reconciler : null,
        mode == ReconcileMode.AUTO ? "reconciled by the producers (auto)" : "not reconciled (--reconcile none)");
  }

  private static List<String> instanceIds(ProducerService producers, ConsumerService consumers,
      ValidationReader validation) {
    List<String> ids = new ArrayList<>();
    if (validation.instanceId() != null) {
      ids.add(validation.instanceId());
    }
    if (producers != null) {
      producers.producers().forEach(p -> ids.add(p.status().instanceId()));
    }
    if (consumers != null) {
      ids.addAll(consumers.instanceIds());
    }
    return ids;
  }
}
