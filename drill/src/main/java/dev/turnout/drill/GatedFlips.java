package dev.turnout.drill;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.drill.plan.FlipHook;
import dev.turnout.drill.plan.Step;
import dev.turnout.drill.report.GateVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The main drill's hook before each flip: runs the flip's readiness gate and records its verdict; with
 * {@code --gate-strict} the flip waits for it, and the walk stops when it never passed within its step's length.
 */
final class GatedFlips implements FlipHook {

  private final FlipGate gate;
  private final boolean strict;
  private final int steps;
  private final long phaseMillis;
  private final LongSupplier clock;
  private final List<GateVerdict> verdicts = new ArrayList<>();
  private String stoppedAt = "";

  /** @param clock the drill's clock, in milliseconds */
  GatedFlips(DrillOptions options, FlipGate gate, LongSupplier clock) {
    this.gate = gate;
    this.strict = options.gateStrict();
    this.steps = options.plan().steps().size();
    this.phaseMillis = options.phase().toMillis();
    this.clock = clock;
  }

  /**
   * Runs the gate of flip {@code index} on the document in force; with {@code --gate-strict}, again every second
   * while it is NO-GO, until {@code deadline}. Records the last verdict; false when strict and it is NO-GO.
   */
  @Override
  public boolean beforeFlip(int index, Step next, AuthorityMap inForce, OptionalLong since,
      List<AuthorityMap> history, long deadline) throws InterruptedException {
    GateVerdict verdict;
    int attempt = 0;
    do {
      if (attempt > 0) {
        Thread.sleep(1000);
      }
      verdict = gate.evaluate(index, inForce, next, since, history, ++attempt);
    } while (!verdict.go() && strict && clock.getAsLong() < deadline);
    verdicts.add(verdict);
    if (!verdict.go() && strict) {
      stoppedAt = "step " + (index + 1) + "/" + steps + " " + next + ": its gate was NO-GO for "
          + phaseMillis / 1000.0 + " s (" + FlipGate.red(verdict) + ")";
      return false;
    }
    return true;
  }

  /** The gates of the walk so far. */
  GateVerdict.Gates gates() {
    return new GateVerdict.Gates(strict, verdicts, stoppedAt);
  }
}
