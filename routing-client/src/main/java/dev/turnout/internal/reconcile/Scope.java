package dev.turnout.internal.reconcile;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What to reconcile: the target-only records of one rule (optionally one slice) routed under the epochs
 * {@code fromEpoch..toEpoch}, checked against {@code documents}; on the partitions and offset ranges of
 * {@code offsets} when it is not empty, otherwise on every partition of the rule's topics with ranges derived by a
 * scan from {@code since} (or from the log start when {@code since} is {@code null}).
 *
 * @param below per target partition, an exclusive upper bound of a derived range (its scan stops there); once
 *     {@code offsets} or {@code below} names a partition, only the partitions named are read
 */
public record Scope(String rule, String slice, long fromEpoch, long toEpoch, EpochDocuments documents,
    Map<TopicPartition, OffsetRange> offsets, Instant since, Map<TopicPartition, Long> below) {

  /** A scope without upper bounds of derived ranges. */
  public Scope(String rule, String slice, long fromEpoch, long toEpoch, EpochDocuments documents,
      Map<TopicPartition, OffsetRange> offsets, Instant since) {
    this(rule, slice, fromEpoch, toEpoch, documents, offsets, since, Map.of());
  }

  public Scope {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(documents, "documents");
    offsets = Map.copyOf(offsets);
    below = Map.copyOf(below);
    if (fromEpoch < 0 || toEpoch < fromEpoch) {
      throw new IllegalArgumentException("not an epoch range: " + fromEpoch + ".." + toEpoch);
    }
  }

  /** The partitions named by {@code offsets} or {@code below}; empty: every partition of the rule's topics. */
  public Set<TopicPartition> named() {
    if (below.isEmpty()) {
      return offsets.keySet();
    }
    Set<TopicPartition> named = new LinkedHashSet<>(offsets.keySet());
    named.addAll(below.keySet());
    return named;
  }

  /** Whether {@code epoch} is in the range. */
  public boolean inEpochs(long epoch) {
    return epoch >= fromEpoch && epoch <= toEpoch;
  }

  /** The request in words, for messages. */
  public String describe() {
    return "rule '" + rule + "'" + (slice == null ? "" : " slice '" + slice + "'") + ", epochs " + fromEpoch + ".."
        + toEpoch;
  }
}
