package dev.turnout.drill.check;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.load.StoredRecord;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What the invariants are checked over.
 *
 * @param topic the drill's topic
 * @param sends every send outcome
 * @param processed every processed record, in processing order
 * @param onSource what the source holds at the end
 * @param onTarget what the target holds at the end
 * @param documents the map of every epoch published, by epoch
 * @param rollbacks the flips that moved writes back to the source
 */
public record Evidence(String topic, List<SendOutcome> sends, List<Processed> processed, List<StoredRecord> onSource,
    List<StoredRecord> onTarget, NavigableMap<Long, AuthorityMap> documents, List<Rollback> rollbacks) {

  public Evidence {
    sends = List.copyOf(sends);
    processed = List.copyOf(processed);
    onSource = List.copyOf(onSource);
    onTarget = List.copyOf(onTarget);
    documents = new TreeMap<>(documents);
    rollbacks = List.copyOf(rollbacks);
    if (documents.isEmpty()) {
      throw new IllegalArgumentException("no authority document: the invariants need at least the last one");
    }
  }

  /**
   * A flip that moved writes back to the source.
   *
   * @param epoch the epoch of the rollback's document
   * @param atMillis when it was published, in milliseconds since the drill started
   */
  public record Rollback(long epoch, long atMillis) {}

  /** The document in force at the end. */
  AuthorityMap last() {
    return documents.lastEntry().getValue();
  }
}
