package dev.turnout.drill.junit;

import dev.turnout.drill.check.Finding;
import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.plan.Flip;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a {@link Drill} saw: one {@link Finding} per invariant, the flips, the counts of sent, acknowledged, refused
 * and processed records, and what your code or {@code poll} threw. {@link #assertAllHeld()} is the test's
 * assertion.
 */
public final class DrillResult {

  private final String topic;
  private final String description;
  private final long millis;
  private final List<Finding> findings;
  private final List<Flip> flips;
  private final long acknowledged;
  private final Map<String, Long> failed;
  private final long processings;
  private final long distinctProcessed;
  private final List<String> errors;
  private final List<String> pollErrors;

  DrillResult(String topic, String description, long millis, List<Finding> findings, List<Flip> flips,
      List<SendOutcome> sends, List<Processed> processed, List<String> errors, List<String> pollErrors) {
    this.topic = topic;
    this.description = description;
    this.millis = millis;
    this.findings = List.copyOf(findings);
    this.flips = List.copyOf(flips);
    this.acknowledged = sends.stream().filter(SendOutcome::acknowledged).count();
    this.failed = sends.stream().filter(s -> !s.acknowledged())
        .collect(Collectors.groupingBy(SendOutcome::failure, TreeMap::new, Collectors.counting()));
    this.processings = processed.size();
    Set<String> distinct = new HashSet<>();
    processed.forEach(p -> distinct.add(p.value()));
    this.distinctProcessed = distinct.size();
    this.errors = List.copyOf(errors);
    this.pollErrors = List.copyOf(pollErrors);
  }

  /** One finding per invariant, in the drill report's order. */
  public List<Finding> findings() {
    return findings;
  }

  /** The names of the invariants that broke; empty when every one held. */
  public List<String> broken() {
    return findings.stream().filter(f -> !f.held()).map(Finding::name).toList();
  }

  /** Whether every invariant held and your code threw nothing. */
  public boolean allHeld() {
    return broken().isEmpty() && errors.isEmpty();
  }

  /** The flips, with their epochs, convergence times and reconciliations. */
  public List<Flip> flips() {
    return flips;
  }

  /** Records a cluster acknowledged. */
  public long acknowledged() {
    return acknowledged;
  }

  /** Sends that failed, per refusal reason (e.g. {@code ROLLBACK_NOT_RECONCILED}) or exception type. */
  public Map<String, Long> failed() {
    return failed;
  }

  /** Records processed, every processing counted (duplicates included). */
  public long processings() {
    return processings;
  }

  /** Distinct records processed. */
  public long distinctProcessed() {
    return distinctProcessed;
  }

  /** What your factories, record function or handler threw; a drill with any did not run as written. */
  public List<String> errors() {
    return errors;
  }

  /** What the consumers' {@code poll} threw (a boundary that could not be verified, for example); kept, not failed. */
  public List<String> pollErrors() {
    return pollErrors;
  }

  /**
   * Passes when every invariant held and your code threw nothing; otherwise throws an {@link AssertionError} naming
   * each broken invariant with up to five examples, and your code's errors.
   */
  public void assertAllHeld() {
    if (!allHeld()) {
      throw new AssertionError(failureMessage());
    }
  }

  private String failureMessage() {
    StringBuilder b = new StringBuilder("Drill of topic '").append(topic).append("': ");
    List<Finding> brokenFindings = findings.stream().filter(f -> !f.held()).toList();
    if (!brokenFindings.isEmpty()) {
      b.append(brokenFindings.size()).append(" invariant(s) broken: ")
          .append(brokenFindings.stream().map(Finding::name).collect(Collectors.joining("; ")));
    }
    if (!errors.isEmpty()) {
      b.append(brokenFindings.isEmpty() ? "" : "; ").append("your code threw ").append(errors.size())
          .append(" time(s)");
    }
    b.append('\n');
    brokenFindings.forEach(f -> b.append("  ").append(f).append('\n'));
    errors.stream().limit(5).forEach(e -> b.append("  error: ").append(e).append('\n'));
    b.append(summary());
    return b.toString();
  }

  /** The run in a few lines: settings, counts, flips and findings. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append("  ").append(description).append(", ran ").append(millis).append(" ms\n");
    b.append("  acknowledged ").append(acknowledged).append(", failed ").append(failed).append(", processed ")
        .append(processings).append(" (").append(distinctProcessed).append(" distinct)\n");
    for (Flip f : flips) {
      b.append("  flip ").append(f.index()).append(" to ").append(f.step()).append(" epoch ").append(f.epoch())
          .append(f.rollback() ? " (rollback)" : "").append(", converged ")
          .append(f.convergenceMillis() < 0 ? "not within the step" : f.convergenceMillis() + " ms")
          .append(f.reconciled() >= 0 ? ", reconciled " + f.reconciled() : "")
          .append(f.note().isEmpty() ? "" : ", " + f.note()).append('\n');
    }
    if (!pollErrors.isEmpty()) {
      b.append("  poll errors: ").append(pollErrors.size()).append(", first: ").append(pollErrors.get(0))
          .append('\n');
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return (allHeld() ? "ALL INVARIANTS HELD" : "INVARIANT BROKEN: " + broken()) + "\n" + summary()
        + findings.stream().map(Finding::toString).collect(Collectors.joining("\n"));
  }
}
