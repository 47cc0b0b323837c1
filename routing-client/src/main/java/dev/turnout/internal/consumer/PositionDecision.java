package dev.turnout.internal.consumer;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * Where a partition newly assigned on its read cluster starts, decided from the stamps of the group's
 * commits for it on the read cluster and on the other cluster of its rule. Pure: no I/O.
 *
 * <p>The commit with the greater stamp ({@link CommitStamp#compareTo}) holds the live position. Equal stamps
 * at the consumer's epoch favour the read cluster; other ties (such as two unstamped commits of a group
 * that predates Turnout) favour the rule's source, the cluster plain consumers read before the migration.
 */
public final class PositionDecision {

  /** What to do with the partition. */
  public enum Action {
    /** The read cluster holds the live position: consume from its committed offset (or the reset policy). */
    CONTINUE,
    /** The other cluster handed the partition over: search the boundary from its commit. */
    BOUNDARY,
    /** The other cluster holds the live position and has not handed over: do not consume yet. */
    AWAIT_HANDOVER,
    /** A commit was made under a newer authority map than the consumer's: do not consume until it catches up. */
    BEHIND
  }

  private final Action action;
  private final CommitStamp readStamp;
  private final CommitStamp otherStamp;
  private final long otherOffset;

  private PositionDecision(Action action, CommitStamp readStamp, CommitStamp otherStamp, OffsetAndMetadata other) {
    this.action = action;
    this.readStamp = readStamp;
    this.otherStamp = otherStamp;
    this.otherOffset = other == null ? -1 : other.offset();
  }

  /**
   * @param onRead the group's commit on the read cluster, or {@code null}
   * @param onOther the group's commit on the other cluster of the rule, or {@code null}
   * @param epoch the epoch of the authority map the consumer routes by
   * @param readIsRuleSource whether the read cluster is the rule's source
   */
  public static PositionDecision decide(OffsetAndMetadata onRead, OffsetAndMetadata onOther, long epoch,
      boolean readIsRuleSource) {
    CommitStamp read = onRead == null ? null : CommitStamp.parse(onRead.metadata());
    CommitStamp other = onOther == null ? null : CommitStamp.parse(onOther.metadata());
    long newest = Math.max(read == null ? -1 : read.epoch(), other == null ? -1 : other.epoch());
    if (newest > epoch) {
      return new PositionDecision(Action.BEHIND, read, other, onOther);
    }
    if (other == null) {
      return new PositionDecision(Action.CONTINUE, read, null, null);
    }
    boolean otherLive;
    if (read == null) {
      otherLive = true;
    } else {
      int cmp = read.compareTo(other);
      if (cmp != 0) {
        otherLive = cmp < 0;
      } else {
        otherLive = read.epoch() != epoch && !readIsRuleSource;
      }
    }
    if (!otherLive) {
      return new PositionDecision(Action.CONTINUE, read, other, onOther);
    }
    Action action = other.kind() == CommitStamp.Kind.HANDOVER ? Action.BOUNDARY : Action.AWAIT_HANDOVER;
    return new PositionDecision(action, read, other, onOther);
  }

  /**
   * Whether the commit on the read cluster alone settles the decision: a commit stamped at the consumer's
   * epoch outranks anything the other cluster can hold without the consumer being behind.
   */
  public static boolean readCommitSuffices(OffsetAndMetadata onRead, long epoch) {
    if (onRead == null) {
      return false;
    }
    CommitStamp stamp = CommitStamp.parse(onRead.metadata());
    return stamp.epoch() == epoch && stamp.kind() == CommitStamp.Kind.COMMIT;
  }

  /** The action. */
  public Action action() {
    return action;
  }

  /** The stamp of the commit on the other cluster, or {@code null} when there is none. */
  public CommitStamp otherStamp() {
    return otherStamp;
  }

  /** The committed offset on the other cluster, or -1 when there is none. */
  public long otherOffset() {
    return otherOffset;
  }

  @Override
  public String toString() {
    return action + "{read=" + readStamp + ", other=" + otherStamp + (otherOffset >= 0 ? "@" + otherOffset : "") + '}';
  }
}
