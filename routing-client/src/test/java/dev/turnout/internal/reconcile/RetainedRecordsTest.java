package dev.turnout.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RetainedRecordsTest {

  private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, int valueBytes) {
    return new ConsumerRecord<>("t", partition, offset, new byte[4], new byte[valueBytes]);
  }

  @Test
  void recordsWithinTheBudgetAreKeptInOrder() {
    RetainedRecords kept = new RetainedRecords(10_000);
    kept.keep(record(0, 5, 100));
    kept.keep(record(0, 9, 100));
    kept.keep(record(1, 2, 100));

    assertThat(kept.of(new TopicPartition("t", 0))).extracting(ConsumerRecord::offset).containsExactly(5L, 9L);
    assertThat(kept.of(new TopicPartition("t", 1))).extracting(ConsumerRecord::offset).containsExactly(2L);
    assertThat(kept.of(new TopicPartition("t", 2))).as("none kept: read again").isNull();
    assertThat(kept.used()).isEqualTo(3 * (RetainedRecords.RECORD_OVERHEAD + 104));
  }

  @Test
  void thePartitionThatExceedsTheBudgetIsDroppedWholeAndItsBytesFreed() {
    long one = RetainedRecords.RECORD_OVERHEAD + 104;
    RetainedRecords kept = new RetainedRecords(3 * one);
    kept.keep(record(0, 0, 100));
    kept.keep(record(1, 0, 100));
    kept.keep(record(1, 1, 100));
    kept.keep(record(1, 2, 100)); // the fourth record does not fit: partition 1 is dropped
    kept.keep(record(1, 3, 100)); // and stays dropped
    kept.keep(record(0, 1, 100)); // partition 0 still fits in what partition 1 freed

    assertThat(kept.of(new TopicPartition("t", 1))).isNull();
    assertThat(kept.of(new TopicPartition("t", 0))).extracting(ConsumerRecord::offset).containsExactly(0L, 1L);
    assertThat(kept.used()).isEqualTo(2 * one);
  }
}
