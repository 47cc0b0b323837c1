package dev.turnout.cli.gate;

import java.util.List;

/** One group of lines of the gate checklist. Implementations read, never write. */
public interface GateCheck {

  /** The group name its lines carry. */
  String group();

  /**
   * Evaluates the check. A line the check cannot evaluate is {@link Status#GREY}, never green; a failure while
   * reading may be thrown (the gate turns it into a red line).
   */
  List<GateLine> evaluate(GateContext context) throws Exception;
}
