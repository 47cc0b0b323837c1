package dev.turnout.internal.cutover;

import dev.turnout.authority.AuthorityMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * What a rolled-back slice must have reconciled: the target-only records of one slice of one rule, written while
 * the slice was on the rule's target.
 *
 * @param rule the rule's name (in the documents of the tenure)
 * @param slice the slice's name in those documents; {@code null} when the rule was unsliced there (the whole
 *     rule, e.g. TARGET_AUTHORITY); {@code "null-key"} for null-key writes of a sliced rule
 * @param fromEpoch the first epoch in which this producer saw the slice on the target (the epoch that promoted it,
 *     or the first epoch this producer loaded when it started later)
 * @param toEpoch the last epoch before the rollback
 * @param documents the maps of the tenure this producer installed, oldest first (epochs {@code fromEpoch} to
 *     {@code toEpoch}; at most the last {@value TargetTenures#MAX_DOCUMENTS})
 * @param targetOffsetsUpTo per target partition, the offset below which (exclusive) to look; empty means every
 *     partition of every topic of the rule, whole
 * @param sinceMillis wall-clock time (ms) before which no record of the scope was written, as far as this producer
 *     knows: when it installed the epoch that promoted the slice; for a scope of its own records
 *     ({@code targetOffsetsUpTo} given) at the latest when it loaded its first map; -1 when unknown (the slice was
 *     already on the target when this producer started, and the scope covers every producer's records). A hint
 *     to bound reads: records may carry older timestamps (clock skew, explicit timestamps)
 */
public record RollbackScope(String rule, String slice, long fromEpoch, long toEpoch, List<AuthorityMap> documents,
    Map<TopicPartition, Long> targetOffsetsUpTo, long sinceMillis) {

  public RollbackScope {
    Objects.requireNonNull(rule, "rule");
    documents = List.copyOf(documents);
    targetOffsetsUpTo = Map.copyOf(targetOffsetsUpTo);
  }

  /** This scope over the whole range (no offset bound). */
  public RollbackScope wholeRange() {
    return targetOffsetsUpTo.isEmpty() ? this
        : new RollbackScope(rule, slice, fromEpoch, toEpoch, documents, Map.of(), sinceMillis);
  }

  /** The slice as people read it: {@code rule 'r' slice 'a'}, or {@code rule 'r'} when unsliced. */
  public String describe() {
    return "rule '" + rule + "'" + (slice == null ? "" : " slice '" + slice + "'") + " (epochs " + fromEpoch + "-"
        + toEpoch + ")";
  }
}
