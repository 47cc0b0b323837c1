package dev.turnout.drill.report;

import dev.turnout.drill.check.Finding;
import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.plan.Flip;
import dev.turnout.drill.plan.Step;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a report says about one drill.
 *
 * @param startedAt when the load started
 * @param durationMillis how long the load ran
 * @param settings the drill's options, as shown in the report
 * @param steps the plan's steps
 * @param flips the flips as they happened
 * @param sends every send outcome
 * @param processed every processed record, in processing order
 * @param findings the invariants' findings
 * @param readSwitches read switches of the consumer group's members
 * @param switchMaxMillis the longest handover-to-resumption time of a member, NaN when none switched
 * @param consumerErrors what the consumers' {@code poll} threw
 * @param gates the readiness gate of each flip, and where a strict gate stopped the walk
 */
public record DrillRun(Instant startedAt, long durationMillis, Map<String, String> settings, List<Step> steps,
    List<Flip> flips, List<SendOutcome> sends, List<Processed> processed, List<Finding> findings, long readSwitches,
    double switchMaxMillis, List<String> consumerErrors, GateVerdict.Gates gates) {

  /** A run without gates. */
  public DrillRun(Instant startedAt, long durationMillis, Map<String, String> settings, List<Step> steps,
      List<Flip> flips, List<SendOutcome> sends, List<Processed> processed, List<Finding> findings,
      long readSwitches, double switchMaxMillis, List<String> consumerErrors) {
    this(startedAt, durationMillis, settings, steps, flips, sends, processed, findings, readSwitches,
        switchMaxMillis, consumerErrors, GateVerdict.Gates.none());
  }

  public DrillRun {
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    steps = List.copyOf(steps);
    flips = List.copyOf(flips);
    sends = List.copyOf(sends);
    processed = List.copyOf(processed);
    findings = List.copyOf(findings);
    consumerErrors = List.copyOf(consumerErrors);
    gates = gates == null ? GateVerdict.Gates.none() : gates;
  }

  /** Whether the plan was walked to its end (a strict gate that never passed stops it). */
  public boolean completed() {
    return gates.stoppedAt().isEmpty();
  }

  /** Whether every invariant held. */
  public boolean held() {
    return findings.stream().allMatch(Finding::held);
  }
}
