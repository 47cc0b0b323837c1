package dev.turnout.drill.load;

/**
 * One record a member of the consumer group processed.
 *
 * @param order the position of this processing among all processings of the group (0, 1, 2...)
 * @param member the index of the member
 * @param atMillis when, in milliseconds since the drill started
 * @param key the record's key
 * @param sequence the key's sequence number from the value (-1 for a value the drill did not write)
 * @param cluster the cluster the member read the topic from after that poll
 * @param partition the partition
 * @param offset the offset
 * @param turnoutId the record's {@code turnout.id}, 32 hex characters, or {@code null} without provenance
 */
public record Processed(long order, int member, long atMillis, String key, long sequence, String cluster,
    int partition, long offset, String turnoutId) {

  /** The record's value, {@code key#sequence}. */
  public String value() {
    return RecordValue.of(key, sequence);
  }
}
