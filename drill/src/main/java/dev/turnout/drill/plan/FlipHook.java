package dev.turnout.drill.plan;

import dev.turnout.authority.AuthorityMap;
import java.util.List;
import java.util.OptionalLong;

/** What a {@link PlanWalker} asks before each flip: whether to make it (a readiness gate, for example). */
@FunctionalInterface
public interface FlipHook {

  /** Makes every flip. */
  FlipHook NONE = (index, next, inForce, promotedSince, history, deadlineMillis) -> true;

  /**
   * Called on the walker's thread before flip {@code index} publishes anything.
   *
   * @param next the step the flip moves to
   * @param inForce the document in force
   * @param promotedSince the epoch since which some keys have been on the target without a break, if any
   * @param history the documents from that epoch up to, not including, the one in force (empty without one)
   * @param deadlineMillis the walker's clock time after which the flip is a step late
   * @return whether to make the flip; false stops the walk here
   */
  boolean beforeFlip(int index, Step next, AuthorityMap inForce, OptionalLong promotedSince,
      List<AuthorityMap> history, long deadlineMillis) throws InterruptedException;
}
