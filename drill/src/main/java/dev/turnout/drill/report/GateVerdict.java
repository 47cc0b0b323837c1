package dev.turnout.drill.report;

import dev.turnout.drill.plan.Step;
import java.util.List;

/**
 * The readiness gate of one flip: the checks {@code turnout gate} runs for the move, evaluated before the flip's
 * document was published.
 *
 * @param flip the flip's number (the index of its step in the plan)
 * @param step the step the flip moves to
 * @param epoch the epoch of the document in force when the gate ran
 * @param go whether no line was red (GO); NO-GO otherwise
 * @param attempts how many times the gate ran (more than once only with {@code --gate-strict})
 * @param lines the gate's lines of its last run
 */
public record GateVerdict(int flip, Step step, long epoch, boolean go, int attempts, List<Line> lines) {

  public GateVerdict {
    lines = List.copyOf(lines);
  }

  /** One line of the gate, as {@code turnout gate} prints it. */
  public record Line(String group, String status, String check, String live, String threshold, String detail) {}

  /**
   * The gates of a run.
   *
   * @param strict whether a NO-GO gate held its flip back ({@code --gate-strict}); otherwise flips went ahead
   * @param verdicts one per flip, in order
   * @param stoppedAt empty when the plan was walked to its end; else the step whose gate never passed (strict)
   */
  public record Gates(boolean strict, List<GateVerdict> verdicts, String stoppedAt) {

    public Gates {
      verdicts = List.copyOf(verdicts);
    }

    /** No gate ran. */
    public static Gates none() {
      return new Gates(false, List.of(), "");
    }
  }
}
