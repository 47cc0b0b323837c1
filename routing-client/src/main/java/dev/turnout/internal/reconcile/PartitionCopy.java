package dev.turnout.internal.reconcile;

import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The copy of one partition: its survey, its transactional producer and its counters. Transactions are begun on
 * the first send and committed every {@code batch} records and by {@link #commit}. Not thread-safe.
 */
final class PartitionCopy {

  final PartitionSurvey survey;
  Producer<byte[], byte[]> producer;
  long sent;
  long committed;
  long alreadyPresent;
  boolean takenOver;
  private boolean open;

  PartitionCopy(PartitionSurvey survey) {
    this.survey = survey;
  }

  TopicPartition partition() {
    return survey.partition();
  }

  /** Sends one copy without waiting for it; commits when {@code batch} records are uncommitted. */
  void send(ProducerRecord<byte[], byte[]> record, int batch) {
    if (!open) {
      producer.beginTransaction();
      open = true;
    }
    producer.send(record);
    sent++;
    if (sent - committed == batch) {
      commit();
    }
  }

  /** Commits the open transaction, if any (waits for its sends). */
  void commit() {
    if (open) {
      producer.commitTransaction();
      open = false;
      committed = sent;
    }
  }

  /** Aborts the open transaction, if any; a failure is added to {@code cause}. */
  void abortQuietly(Exception cause) {
    if (open && !takenOver && producer != null) {
      try {
        producer.abortTransaction();
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
      }
    }
    open = false;
  }

  void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }

  CopyOutcome outcome() {
    return new CopyOutcome(partition(), survey.read(), committed, alreadyPresent, survey.skipped(), takenOver);
  }
}
