package dev.turnout.internal.reconcile;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What applying a request did to one partition.
 *
 * @param read records read inside the range on the target
 * @param copied target-only records written to the source by this run
 * @param alreadyPresent target-only records found on the source before writing
 * @param skipped records inside the range that are not target-only (or not of the request), by reason
 * @param takenOver whether another reconciler fenced this one on the partition before it finished; the other one
 *     writes the rest
 */
public record CopyOutcome(TopicPartition partition, long read, long copied, long alreadyPresent,
    Map<Skip, Long> skipped, boolean takenOver) {

  public CopyOutcome {
    skipped = Map.copyOf(skipped);
  }
}
