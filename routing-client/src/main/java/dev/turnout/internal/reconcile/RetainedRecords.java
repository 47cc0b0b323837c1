package dev.turnout.internal.reconcile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * The candidate records of an apply's validation read, kept (key, value, headers, timestamp) so that the copy does
 * not read the target a second time, within a byte budget for the whole request. A partition whose records do not
 * fit is dropped whole and marked: its copy reads the target again. Not thread-safe.
 */
final class RetainedRecords {

  /** Default budget: 64 MiB of keys, values and headers (plus a fixed overhead per record). */
  static final long DEFAULT_BUDGET_BYTES = 64L * 1024 * 1024;
  /** Bytes counted per record on top of its key, value and headers (objects, references). */
  static final int RECORD_OVERHEAD = 160;

  private final long budget;
  private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> kept = new HashMap<>();
  private final Map<TopicPartition, Long> bytes = new HashMap<>();
  private final Set<TopicPartition> dropped = new HashSet<>();
  private long used;

  RetainedRecords(long budget) {
    this.budget = budget;
  }

  /** Keeps a candidate record of its partition, or drops the partition's records when the budget is exceeded. */
  void keep(ConsumerRecord<byte[], byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    if (dropped.contains(tp)) {
      return;
    }
    long size = size(record);
    if (used + size > budget) {
      dropped.add(tp);
      kept.remove(tp);
      used -= bytes.getOrDefault(tp, 0L);
      bytes.remove(tp);
      return;
    }
    used += size;
    bytes.merge(tp, size, Long::sum);
    kept.computeIfAbsent(tp, k -> new ArrayList<>()).add(record);
  }

  /**
   * The kept candidate records of a partition in offset order, or {@code null} when none were kept (dropped for
   * the budget, or never given): the copy then reads the target again.
   */
  List<ConsumerRecord<byte[], byte[]>> of(TopicPartition tp) {
    return kept.get(tp);
  }

  /** Bytes counted for the records kept now. */
  long used() {
    return used;
  }

  static long size(ConsumerRecord<byte[], byte[]> record) {
    long size = RECORD_OVERHEAD + length(record.key()) + length(record.value());
    for (Header h : record.headers()) {
      size += 48 + h.key().length() + length(h.value());
    }
    return size;
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }
}
