package dev.turnout.drill.report;

import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The numbers of a drill: records produced, acknowledged per cluster, failed per reason, processed, and the send
 * latencies per phase (all records, and those sent while a cutover barrier was open).
 *
 * @param produced records sent
 * @param acknowledged records acknowledged
 * @param acknowledgedBy acknowledged per cluster
 * @param failedBy failed sends per refusal reason or exception type
 * @param processed processings (duplicates included)
 * @param processedDistinct distinct records processed
 * @param phases per plan step: the latencies of all its records and of those sent during a barrier
 */
public record Summary(long produced, long acknowledged, Map<String, Long> acknowledgedBy, Map<String, Long> failedBy,
    long processed, long processedDistinct, List<PhaseLatency> phases) {

  /**
   * The latencies of the records sent during one plan step.
   *
   * @param phase the step's index
   * @param all every record sent in the phase
   * @param barrier the records sent while a barrier was open
   */
  public record PhaseLatency(int phase, Latency all, Latency barrier) {}

  /** The summary of a run. */
  public static Summary of(DrillRun run) {
    Map<String, Long> ackBy = new TreeMap<>();
    Map<String, Long> failBy = new TreeMap<>();
    List<List<Long>> all = new ArrayList<>();
    List<List<Long>> barrier = new ArrayList<>();
    for (int i = 0; i < run.steps().size(); i++) {
      all.add(new ArrayList<>());
      barrier.add(new ArrayList<>());
    }
    long acknowledged = 0;
    for (SendOutcome s : run.sends()) {
      if (s.acknowledged()) {
        acknowledged++;
        ackBy.merge(s.cluster(), 1L, Long::sum);
      } else {
        failBy.merge(s.failure(), 1L, Long::sum);
      }
      int phase = Math.max(0, Math.min(run.steps().size() - 1, s.phase()));
      all.get(phase).add(s.latencyMicros());
      if (s.duringBarrier()) {
        barrier.get(phase).add(s.latencyMicros());
      }
    }
    List<PhaseLatency> phases = new ArrayList<>();
    for (int i = 0; i < run.steps().size(); i++) {
      phases.add(new PhaseLatency(i, Latency.of(toArray(all.get(i))), Latency.of(toArray(barrier.get(i)))));
    }
    Set<String> distinct = new HashSet<>();
    for (Processed p : run.processed()) {
      distinct.add(p.value());
    }
    return new Summary(run.sends().size(), acknowledged, ackBy, failBy, run.processed().size(), distinct.size(),
        phases);
  }

  private static long[] toArray(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  /** Failed sends of all reasons. */
  public long failed() {
    return failedBy.values().stream().mapToLong(Long::longValue).sum();
  }
}
