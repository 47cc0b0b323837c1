package dev.turnout.internal.consumer;

import dev.turnout.internal.consumer.Resolution.Kind;
import dev.turnout.internal.consumer.Resolution.Outcome;
import dev.turnout.internal.consumer.Resolution.Problem;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a partition starts when the switch worker cannot reach one of the two clusters of its rule out of
 * band: a cluster whose client the application supplied without bootstrap servers (a test double). Decided
 * on the polling thread from the group's commits as the consumer's own clients report them. Only the cases
 * that need neither waiting nor a boundary search are decided; every other one blocks the partition (fail
 * closed), since the handover on the other cluster cannot be observed.
 */
public final class LocalDecision {

  private LocalDecision() {}

  /**
   * @param onRead the group's commit on the read cluster, or {@code null} (none, or no group)
   * @param onOther the group's commit on the other cluster, or {@code null}
   * @param localHandoverOffset a handover this consumer made itself without a group, or -1
   * @param unreachable the alias the worker cannot reach (named in the detail)
   */
  public static Resolution decide(TopicPartition tp, OffsetAndMetadata onRead, OffsetAndMetadata onOther, long epoch,
      boolean readIsRuleSource, long localHandoverOffset, String readAlias, String otherAlias, String unreachable) {
    String why = "'" + unreachable + "' has no bootstrap servers (its client was supplied), so Turnout cannot "
        + "observe the handover there or search the boundary";
    if (localHandoverOffset >= 0) {
      return blocked(tp, Problem.CLUSTER_UNREACHABLE, otherAlias, localHandoverOffset,
          "it was handed over at offset " + localHandoverOffset + " on '" + otherAlias + "', and " + why);
    }
    if (PositionDecision.readCommitSuffices(onRead, epoch)) {
      return Resolution.proceed(tp, "committed on '" + readAlias + "' at epoch " + epoch);
    }
    PositionDecision decision = PositionDecision.decide(onRead, onOther, epoch, readIsRuleSource);
    if (decision.action() == PositionDecision.Action.CONTINUE) {
      return Resolution.proceed(tp, decision.toString());
    }
    Problem problem = decision.action() == PositionDecision.Action.BEHIND ? Problem.AUTHORITY_BEHIND
        : Problem.HANDOVER_PENDING;
    return blocked(tp, problem, otherAlias, decision.otherOffset(), "the commits say " + decision + ", and " + why);
  }

  /** A partition blocked because a cluster could not be read at all. */
  public static Resolution unreadable(TopicPartition tp, String otherAlias, String detail) {
    return blocked(tp, Problem.CLUSTER_UNREACHABLE, otherAlias, -1, detail);
  }

  private static Resolution blocked(TopicPartition tp, Problem problem, String fromAlias, long fromOffset, String detail) {
    return new Resolution(tp, Kind.BLOCKED, Outcome.FAILED_CLOSED, problem, -1, fromAlias, fromOffset, -1, 0, -1, null,
        System.currentTimeMillis(), detail);
  }
}
