package dev.turnout.internal.consumer;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;

/**
 * One application {@code commitAsync} spread over several clusters: calls the application's callback once,
 * when every cluster has answered, with every offset as given (without stamps) and the first error.
 */
public final class CommitAggregate {

  private final OffsetCommitCallback callback;
  private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
  private int outstanding;
  private Exception error;

  /** @param callback the application's callback, or {@code null} */
  public CommitAggregate(int outstanding, OffsetCommitCallback callback) {
    this.outstanding = outstanding;
    this.callback = callback;
  }

  /** One cluster answered for the offsets it was given. */
  public synchronized void done(Map<TopicPartition, OffsetAndMetadata> committed, Exception e) {
    offsets.putAll(committed);
    if (e != null && error == null) {
      error = e;
    }
    if (--outstanding == 0 && callback != null) {
      callback.onComplete(Map.copyOf(offsets), error);
    }
  }
}
