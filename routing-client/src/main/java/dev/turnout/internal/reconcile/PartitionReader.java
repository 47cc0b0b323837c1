package dev.turnout.internal.reconcile;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads the offsets {@code [from, to)} of one partition with a cluster's {@code read_committed} consumer, in
 * offset order. Fails with {@code STALLED} when the position does not move for the cluster's request timeout (an
 * open transaction holds the last stable offset below {@code to}), with {@code UNREACHABLE} when the cluster does
 * not answer. Exceptions thrown by the sink pass through unchanged.
 */
final class PartitionReader {

  private static final Duration POLL = Duration.ofMillis(200);

  private final ClusterSide side;

  PartitionReader(ClusterSide side) {
    this.side = side;
  }

  /** Hands every committed record of {@code [from, to)} to {@code sink}, in offset order. */
  void read(TopicPartition partition, long from, long to,
      java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    if (from >= to) {
      return;
    }
    Consumer<byte[], byte[]> consumer = side.consumer();
    try {
      consumer.assign(List.of(partition));
      consumer.seek(partition, from);
      long position = from;
      long lastProgress = System.nanoTime();
      while (position < to) {
        for (ConsumerRecord<byte[], byte[]> record : poll(consumer, partition).records(partition)) {
          if (record.offset() < to) {
            sink.accept(record);
          }
        }
        long now = position(consumer, partition);
        if (now > position) {
          position = now;
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > side.timeout().toNanos()) {
          throw new ReconcileFailure(ReconcileFailure.Kind.STALLED, "reading partition " + partition + " of "
              + side + " (read_committed) made no progress at offset " + position + " towards " + to + " within "
              + side.timeout().toMillis() + " ms: an open transaction holds the last stable offset, or the "
              + "cluster is slow. Wait for the transaction to end (transaction.timeout.ms) and rerun: records "
              + "already written are found and skipped.");
        }
      }
    } finally {
      consumer.unsubscribe();
    }
  }

  private ConsumerRecords<byte[], byte[]> poll(Consumer<byte[], byte[]> consumer, TopicPartition partition) {
    try {
      return consumer.poll(POLL);
    } catch (KafkaException e) {
      throw translate(partition, e);
    }
  }

  private long position(Consumer<byte[], byte[]> consumer, TopicPartition partition) {
    try {
      return consumer.position(partition);
    } catch (KafkaException e) {
      throw translate(partition, e);
    }
  }

  private ReconcileFailure translate(TopicPartition partition, KafkaException e) {
    if (e instanceof TimeoutException) {
      return Calls.unreachable(side, "reads of partition " + partition, e);
    }
    return new ReconcileFailure(ReconcileFailure.Kind.CLUSTER_ERROR, "reading partition " + partition + " of "
        + side + " failed: " + e + ". Check the topic and the principal's Read permission, and rerun.", e);
  }
}
