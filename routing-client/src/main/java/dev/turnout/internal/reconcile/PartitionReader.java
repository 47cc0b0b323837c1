package dev.turnout.internal.reconcile;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads offset ranges {@code [from, to)} of one or many partitions at once with a cluster's shared
 * {@code read_committed} consumer (one assignment, one fetch session for all of them), each partition in offset
 * order. Fails with {@code STALLED} when no partition's position moves for the cluster's request timeout (an open
 * transaction holds the last stable offset below a range's end), with {@code UNREACHABLE} when the cluster does not
 * answer. Exceptions thrown by the sink pass through unchanged.
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
    if (from < to) {
      read(Map.of(partition, new OffsetRange(from, to)), sink);
    }
  }

  /**
   * Hands every committed record of every range to {@code sink}: each partition's records in offset order, the
   * partitions interleaved as the fetches return them.
   */
  void read(Map<TopicPartition, OffsetRange> ranges,
      java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    Map<TopicPartition, OffsetRange> remaining = new LinkedHashMap<>();
    ranges.forEach((tp, r) -> {
      if (r.size() > 0) {
        remaining.put(tp, r);
      }
    });
    if (remaining.isEmpty()) {
      return;
    }
    Consumer<byte[], byte[]> consumer = side.consumer();
    try {
      consumer.assign(List.copyOf(remaining.keySet()));
      Map<TopicPartition, Long> positions = new HashMap<>();
      remaining.forEach((tp, r) -> {
        consumer.seek(tp, r.from());
        positions.put(tp, r.from());
      });
      long lastProgress = System.nanoTime();
      while (!remaining.isEmpty()) {
        ConsumerRecords<byte[], byte[]> records = poll(consumer, remaining);
        for (TopicPartition tp : records.partitions()) {
          OffsetRange range = remaining.get(tp);
          if (range == null) {
            continue;
          }
          for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
            if (record.offset() < range.to()) {
              sink.accept(record);
            }
          }
        }
        if (advance(consumer, remaining, positions)) {
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > side.timeout().toNanos()) {
          throw stalled(remaining, positions);
        }
      }
    } finally {
      consumer.unsubscribe();
    }
  }

  /** Records the new positions, drops (and pauses) the partitions that reached their end; whether any moved. */
  private boolean advance(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetRange> remaining,
      Map<TopicPartition, Long> positions) {
    boolean moved = false;
    var it = remaining.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      long now = position(consumer, e.getKey());
      if (now > positions.get(e.getKey())) {
        positions.put(e.getKey(), now);
        moved = true;
      }
      if (now >= e.getValue().to()) {
        consumer.pause(List.of(e.getKey()));
        it.remove();
      }
    }
    return moved;
  }

  private ReconcileFailure stalled(Map<TopicPartition, OffsetRange> remaining, Map<TopicPartition, Long> positions) {
    var e = remaining.entrySet().iterator().next();
    return new ReconcileFailure(ReconcileFailure.Kind.STALLED, "reading partition " + e.getKey() + " of " + side
        + " (read_committed) made no progress at offset " + positions.get(e.getKey()) + " towards "
        + e.getValue().to() + " within " + side.timeout().toMillis() + " ms: an open transaction holds the last "
        + "stable offset, or the cluster is slow. Wait for the transaction to end (transaction.timeout.ms) and rerun: "
        + "records already written are found and skipped.");
  }

  private ConsumerRecords<byte[], byte[]> poll(Consumer<byte[], byte[]> consumer,
      Map<TopicPartition, OffsetRange> remaining) {
    try {
      return consumer.poll(POLL);
    } catch (KafkaException e) {
      throw translate(remaining.size() == 1 ? remaining.keySet().iterator().next().toString()
          : remaining.size() + " partitions " + remaining.keySet(), e);
    }
  }

  private long position(Consumer<byte[], byte[]> consumer, TopicPartition partition) {
    try {
      return consumer.position(partition);
    } catch (KafkaException e) {
      throw translate(partition.toString(), e);
    }
  }

  private ReconcileFailure translate(String partitions, KafkaException e) {
    if (e instanceof TimeoutException) {
      return Calls.unreachable(side, "reads of partition " + partitions, e);
    }
    return new ReconcileFailure(ReconcileFailure.Kind.CLUSTER_ERROR, "reading partition " + partitions + " of "
        + side + " failed: " + e + ". Check the topic and the principal's Read permission, and rerun.", e);
  }
}
