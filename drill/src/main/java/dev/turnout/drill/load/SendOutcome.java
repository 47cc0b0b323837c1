package dev.turnout.drill.load;

/**
 * The outcome of one send: acknowledged by {@code cluster} at {@code partition}/{@code offset}, or failed
 * ({@code cluster} {@code null}) with {@code failure}, the refusal reason or the exception type.
 *
 * @param key the record's key
 * @param sequence the key's sequence number
 * @param phase the index of the plan step in force when the record was sent
 * @param duringBarrier whether a producer had a cutover barrier open when the record was sent (sampled)
 * @param sentMillis when it was sent, in milliseconds since the drill started
 * @param latencyMicros send to acknowledgement (or failure), in microseconds
 * @param cluster the cluster that acknowledged it, or {@code null} when it failed
 * @param partition the partition, -1 when it failed
 * @param offset the offset, -1 when it failed
 * @param failure the refusal reason or exception type, {@code null} when acknowledged
 */
public record SendOutcome(String key, long sequence, int phase, boolean duringBarrier, long sentMillis,
    long latencyMicros, String cluster, int partition, long offset, String failure) {

  /** Whether a cluster acknowledged the record. */
  public boolean acknowledged() {
    return failure == null;
  }

  /** When the outcome came, in milliseconds since the drill started. */
  public long doneMillis() {
    return sentMillis + latencyMicros / 1000;
  }

  /** The record's value, {@code key#sequence}. */
  public String value() {
    return RecordValue.of(key, sequence);
  }
}
