package dev.turnout.benchmarks;

import dev.turnout.benchmarks.e2e.ConsumerComparison;
import dev.turnout.benchmarks.e2e.CutoverBarrier;
import dev.turnout.benchmarks.e2e.FleetFlip;
import dev.turnout.benchmarks.e2e.FlipPropagation;
import dev.turnout.benchmarks.e2e.ProducerComparison;
import dev.turnout.benchmarks.e2e.ProvenanceCost;
import dev.turnout.benchmarks.e2e.ReconcileComparison;
import dev.turnout.benchmarks.e2e.RollbackPause;
import dev.turnout.benchmarks.micro.MicroSuite;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of a whole run. {@code full} is the published run (under 15 minutes on 2 cores); {@code smoke}
 * proves that every benchmark works in about 3 minutes, with numbers too short to publish.
 */
enum Profile {
  SMOKE(
      new MicroSuite.Settings(1, 300, 2, 300, 2, 3, 1),
      new ProducerComparison.Settings(1, Duration.ofMillis(300), Duration.ofMillis(50), Duration.ofMillis(150), 2, 1,
          Duration.ofMillis(300), Duration.ofSeconds(1), 0.25, 3, List.of(100, 1024)),
      new ProvenanceCost.Settings(1, Duration.ofMillis(300), Duration.ofMillis(50), Duration.ofMillis(150), 2, 3,
          List.of(100, 1024), List.of("none", "lz4")),
      new ConsumerComparison.Settings(1, 1, sizes(50_000, 20_000), 3, Duration.ofMinutes(2)),
      new FlipPropagation.Settings(refreshes(5, 3), Duration.ofMillis(1)),
      new FleetFlip.Settings(3, 3, 5),
      new CutoverBarrier.Settings(3, Duration.ofSeconds(2), Duration.ofMillis(2500), Duration.ofSeconds(1), 1000, 400,
          100, 1000, 3, 42),
      new ReconcileComparison.Settings(1, 5_000, 100, 3),
      new RollbackPause.Settings(1, 1_000, 3, 1, 100)),
  FULL(
      new MicroSuite.Settings(2, 500, 5, 600, 5, 10, 1),
      new ProducerComparison.Settings(8, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMillis(300), 6, 7,
          Duration.ofMillis(500), Duration.ofSeconds(3), 0.25, 3, List.of(100, 1024)),
      new ProvenanceCost.Settings(3, Duration.ofMillis(800), Duration.ofMillis(100), Duration.ofMillis(300), 4, 3,
          List.of(100, 1024), List.of("none", "lz4")),
      new ConsumerComparison.Settings(8, 4, sizes(600_000, 200_000), 3, Duration.ofMinutes(2)),
      new FlipPropagation.Settings(refreshes(40, 15), Duration.ofMillis(1)),
      new FleetFlip.Settings(10, 10, 30),
      new CutoverBarrier.Settings(12, Duration.ofSeconds(2), Duration.ofMillis(2500), Duration.ofSeconds(1), 1000,
          400, 100, 1000, 3, 42),
      new ReconcileComparison.Settings(5, 200_000, 100, 3),
      new RollbackPause.Settings(3, 10_000, 3, 1, 100));

  final MicroSuite.Settings micro;
  final ProducerComparison.Settings producer;
  final ProvenanceCost.Settings provenance;
  final ConsumerComparison.Settings consumer;
  final FlipPropagation.Settings flip;
  final FleetFlip.Settings fleet;
  final CutoverBarrier.Settings barrier;
  final ReconcileComparison.Settings reconcile;
  final RollbackPause.Settings rollback;

  Profile(MicroSuite.Settings micro, ProducerComparison.Settings producer, ProvenanceCost.Settings provenance,
      ConsumerComparison.Settings consumer, FlipPropagation.Settings flip, FleetFlip.Settings fleet,
      CutoverBarrier.Settings barrier,
      ReconcileComparison.Settings reconcile, RollbackPause.Settings rollback) {
    this.micro = micro;
    this.producer = producer;
    this.provenance = provenance;
    this.consumer = consumer;
    this.flip = flip;
    this.fleet = fleet;
    this.barrier = barrier;
    this.reconcile = reconcile;
    this.rollback = rollback;
  }

  /** The profile named {@code name} (case-insensitive). */
  static Profile named(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown profile '" + name + "': use smoke or full");
    }
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  private static Map<Integer, Integer> sizes(int small, int large) {
    Map<Integer, Integer> sizes = new LinkedHashMap<>();
    sizes.put(100, small);
    sizes.put(1024, large);
    return sizes;
  }

  private static Map<Long, Integer> refreshes(int at100, int at1000) {
    Map<Long, Integer> trials = new LinkedHashMap<>();
    trials.put(100L, at100);
    trials.put(1000L, at1000);
    return trials;
  }
}
