package dev.turnout.internal.producer;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The future of a send queued at a cutover barrier: completed by the real send (or its refusal) through
 * {@link #done}/{@link #failed} only; the caller cannot complete or cancel it (like KafkaProducer's).
 */
public final class QueuedFuture extends CompletableFuture<RecordMetadata> {

  /** An incomplete future. */
  public QueuedFuture() {}

  /** Completes it with the metadata of the real send. */
  public void done(RecordMetadata metadata) {
    super.complete(metadata);
  }

  /** Completes it with the error of the real send or of its refusal. */
  public void failed(Throwable error) {
    super.completeExceptionally(error);
  }

  @Override
  public boolean complete(RecordMetadata value) {
    return false;
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    return false;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return false;
  }
}
