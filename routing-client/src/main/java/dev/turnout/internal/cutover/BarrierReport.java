package dev.turnout.internal.cutover;

import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import dev.turnout.status.BarrierStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The barriers of unsettled cutovers that are not open, as status values. Off the send path. */
final class BarrierReport {

  private BarrierReport() {}

  static List<BarrierStatus> of(Transition[] transitions, List<String> aliases) {
    List<BarrierStatus> out = new ArrayList<>();
    long nowNanos = System.nanoTime();
    Instant now = Instant.now();
    for (Transition t : transitions) {
      for (TopicBarrier barrier : t.barriers()) {
        TopicBarrier.State state = barrier.state();
        if (state == TopicBarrier.State.OPEN) {
          continue;
        }
        TopicMoves moves = t.moves(barrier.topic());
        Instant since = now.minusNanos(Math.max(0, nowNanos - barrier.waitStartNanos()));
        long waiting = barrier.queuedCount();
        for (List<Integer> pair : moves.pairs()) {
          int from = pair.get(0);
          int to = pair.get(1);
          out.add(new BarrierStatus(barrier.topic(), slices(t.current().ruleFor(barrier.topic()), moves, from, to),
              aliases.get(from), aliases.get(to), t.previousEpoch(), t.epoch(), state.name(), waiting, since,
              detail(barrier, state)));
        }
      }
    }
    return out;
  }

  /** The failure's message when failed, else what the barrier waits for. */
  private static String detail(TopicBarrier barrier, TopicBarrier.State state) {
    BarrierFailure failure = barrier.failure();
    return state == TopicBarrier.State.FAILED && failure != null ? failure.message() : barrier.phase();
  }

  /** The slices of the new rule holding keys that moved from {@code from} to {@code to}. */
  private static List<String> slices(Rule rule, TopicMoves moves, int from, int to) {
    if (rule == null || !rule.sliced()) {
      return List.of("-");
    }
    List<String> names = new ArrayList<>();
    for (Slice slice : rule.slices()) {
      for (Slice.KeyRange range : slice.ranges()) {
        if (moves.movedWithin(range.from(), range.to(), from, to)) {
          names.add(slice.name());
          break;
        }
      }
    }
    if (moves.nullKeyMoved(from, to)) {
      names.add(Rule.NULL_KEY_SLICE);
    }
    return names;
  }
}
