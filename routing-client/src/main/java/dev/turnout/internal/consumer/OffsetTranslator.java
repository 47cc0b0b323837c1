package dev.turnout.internal.consumer;

import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/** Estimates where a position on the old cluster lies on the new one; the boundary search verifies it. */
interface OffsetTranslator {

  /**
   * @param fromOffset the position handed over on the old cluster (the next record to process there)
   * @param anchor the last processed record on the old cluster, or {@code null} when nothing was processed
   * @param forward whether the move is from the rule's source to its target (the replication direction)
   * @return the estimated position on the new cluster, or empty when this translator cannot tell
   */
  OptionalLong translate(TopicPartition tp, long fromOffset, RecordIdentity anchor, String fromAlias, String toAlias,
      boolean forward, ClusterReader to);

  /** {@link OffsetTranslation#IDENTITY}: offsets are preserved by the link. */
  static OffsetTranslator identity() {
    return (tp, fromOffset, anchor, fromAlias, toAlias, forward, to) -> OptionalLong.of(fromOffset);
  }

  /** {@link OffsetTranslation#TIMESTAMP}: the first offset at or after the last processed record's timestamp. */
  static OffsetTranslator timestamp() {
    return (tp, fromOffset, anchor, fromAlias, toAlias, forward, to) -> {
      if (anchor == null) {
        return OptionalLong.of(to.beginningOffset(tp));
      }
      OptionalLong found = to.offsetForTime(tp, anchor.timestamp());
      return found.isPresent() ? found : OptionalLong.of(to.endOffset(tp));
    };
  }
}
