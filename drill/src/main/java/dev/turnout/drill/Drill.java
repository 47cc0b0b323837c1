package dev.turnout.drill;

import dev.turnout.drill.check.Evidence;
import dev.turnout.drill.check.Finding;
import dev.turnout.drill.check.Invariants;
import dev.turnout.drill.load.ClusterDump;
import dev.turnout.drill.load.ConsumerService;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.load.ProducerService;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.load.StoredRecord;
import dev.turnout.drill.plan.ControlPublisher;
import dev.turnout.drill.plan.Documents;
import dev.turnout.drill.report.DrillRun;
import dev.turnout.drill.report.ReportWriter;
import dev.turnout.fleet.FleetStatusReader;
import dev.turnout.reconcile.Reconciler;
import dev.turnout.status.ConsumerStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One drill: starts the clusters and MirrorMaker 2, the producers and the consumer group, walks the plan under
 * load, drains, reads what each cluster holds, checks the invariants and writes the report.
 */
final class Drill {

  private static final long DRAIN_QUIET_MILLIS = 15_000;
  private static final long DRAIN_MAX_MILLIS = 60_000;
  private static final long REPLICATION_MAX_MILLIS = 30_000;

  private final DrillOptions options;
  private final PrintStream out;

  Drill(DrillOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** The outcome: the run and where its report is. */
  record Result(DrillRun run, Path report) {}

  Result run() throws Exception {
    out.println("Starting two embedded clusters and MirrorMaker 2...");
    try (DrillEnvironment env = DrillEnvironment.start(options.partitions())) {
      env.startMirror(options.replicationLagMillis());
      Journal journal = new Journal(System.nanoTime());
      Documents documents = new Documents(DrillEnvironment.TOPIC, DrillEnvironment.SOURCE, DrillEnvironment.TARGET);
      Reconciler.Builder reconciler = Reconciler.builder().source(DrillEnvironment.SOURCE, env.sourceConfig())
          .target(DrillEnvironment.TARGET, env.targetConfig());
      try (ControlPublisher publisher = new ControlPublisher(env.sourceConfig(), DrillEnvironment.CONTROL_TOPIC);
          FleetStatusReader fleet = new FleetStatusReader(env.targetConfig(), DrillEnvironment.STATUS_TOPIC)) {
        ConsumerService[] consumers = new ConsumerService[1];
        ProducerService[] producers = new ProducerService[1];
        Conductor conductor = new Conductor(options, documents, publisher, fleet,
            () -> instanceIds(producers[0], consumers[0]), reconciler, journal);
        conductor.publishFirst();
        consumers[0] = new ConsumerService(env.consumerConfigs(options), DrillEnvironment.TOPIC, journal);
        producers[0] = new ProducerService(env.producerConfigs(options), DrillEnvironment.TOPIC, options.keys(),
            options.rate(), options.seed(), journal, conductor::step);
        return walk(env, journal, conductor, producers[0], consumers[0]);
      }
    }
  }

  private Result walk(DrillEnvironment env, Journal journal, Conductor conductor, ProducerService producers,
      ConsumerService consumers) throws Exception {
    Instant startedAt = Instant.now();
    long start = journal.nowMillis();
    List<Finding> findings;
    List<ConsumerStatus> statuses;
    List<String> consumerErrors;
    try (consumers; Progress progress = new Progress(out, journal, options.plan(), conductor::step, producers,
        consumers)) {
      consumers.start();
      try (producers) {
        producers.start();
        progress.start();
        out.println("Load running; walking " + options.plan().steps() + ", " + options.phase().toMillis()
            + " ms per step");
        conductor.walk(start);
      }
      long loadMillis = journal.nowMillis() - start;
      out.println("Load stopped after " + loadMillis + " ms; draining the consumer group...");
      drain(journal);
      statuses = consumers.statuses();
      consumerErrors = consumers.errors();
      progress.close();
      findings = check(env, journal, conductor);
    }
    double switchMax = statuses.stream().mapToDouble(ConsumerStatus::switchDurationMaxMs).filter(d -> !Double.isNaN(d))
        .max().orElse(Double.NaN);
    long switches = statuses.stream().mapToLong(ConsumerStatus::readSwitches).sum();
    DrillRun run = new DrillRun(startedAt, journal.nowMillis() - start, options.describe(), options.plan().steps(),
        conductor.flips(), journal.sends(), journal.processed(), findings, switches, switchMax, consumerErrors);
    Path report = ReportWriter.write(options.out(), run);
    return new Result(run, report);
  }

  /** Waits until every acknowledged record was processed, or nothing new was processed for a while. */
  private void drain(Journal journal) throws InterruptedException {
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

  /**
   * Reads both clusters and checks the invariants. While records the source acknowledged are missing on the
   * target (replication still copying them), reads again, up to a deadline.
   */
  private List<Finding> check(DrillEnvironment env, Journal journal, Conductor conductor)
      throws InterruptedException {
    long deadline = journal.nowMillis() + REPLICATION_MAX_MILLIS;
    while (true) {
      List<StoredRecord> onSource = ClusterDump.read(DrillEnvironment.SOURCE, env.sourceConfig(),
          DrillEnvironment.TOPIC);
      List<StoredRecord> onTarget = ClusterDump.read(DrillEnvironment.TARGET, env.targetConfig(),
          DrillEnvironment.TOPIC);
      List<SendOutcome> sends = journal.sends();
      if (!replicating(sends, onTarget) || journal.nowMillis() > deadline) {
        return Invariants.check(new Evidence(DrillEnvironment.TOPIC, sends, journal.processed(), onSource,
            onTarget, conductor.maps(), conductor.rollbacks()));
      }
      Thread.sleep(1000);
    }
  }

  /** Whether a record the source acknowledged is not on the target yet. */
  private static boolean replicating(List<SendOutcome> sends, List<StoredRecord> onTarget) {
    Set<String> values = new HashSet<>();
    onTarget.forEach(r -> values.add(r.value()));
    return sends.stream().anyMatch(s -> s.acknowledged() && DrillEnvironment.SOURCE.equals(s.cluster())
        && !values.contains(s.value()));
  }

  private static List<String> instanceIds(ProducerService producers, ConsumerService consumers) {
    List<String> ids = new ArrayList<>();
    if (producers != null) {
      producers.producers().forEach(p -> ids.add(p.status().instanceId()));
    }
    if (consumers != null) {
      ids.addAll(consumers.instanceIds());
    }
    return ids;
  }
}
