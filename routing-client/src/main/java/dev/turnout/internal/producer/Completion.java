package dev.turnout.internal.producer;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The callback a routed record is handed to its cluster's client with: notes the acknowledgement in the
 * cutover ledger and the outcome in the cluster's breaker, then calls the
 * caller's callback. It carries the record's id sequence, so the client's I/O thread reads nothing back from
 * the record (its headers were written by the sending thread, on another core: reading them back was about
 * half of Turnout's cost on that thread).
 */
public final class Completion implements Callback {

  private final Callback callback;
  private final ClusterEvents cluster;
  private final long sequence;
  /** Whether the outcome reached the breaker; read only by the thread that called {@code send}. */
  private boolean recorded;

  public Completion(Callback callback, ClusterEvents cluster, long sequence) {
    this.callback = callback;
    this.cluster = cluster;
    this.sequence = sequence;
  }

  /** Whether the outcome was recorded in the breaker (by the thread that called {@code send}). */
  public boolean recorded() {
    return recorded;
  }

  @Override
  public void onCompletion(RecordMetadata metadata, Exception exception) {
    try {
      if (exception == null && metadata != null) {
        cluster.ledger().acknowledged(metadata.topic(), metadata.partition(), metadata.timestamp(), sequence,
            metadata.hasOffset() ? metadata.offset() : -1);
      }
      cluster.breaker().record(exception);
      recorded = true;
    } finally {
      // The caller hears of every outcome, whatever the bookkeeping above did.
      if (callback != null) {
        callback.onCompletion(metadata, exception);
      }
    }
  }
}
