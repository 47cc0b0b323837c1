package dev.turnout.drill.junit;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Your processing of one consumed record in a {@link Drill}. A record counts as processed once this returns; when
 * it throws, the drill keeps the error (the drill then fails, {@link DrillResult#assertAllHeld()}) and the record
 * counts as not processed.
 */
@FunctionalInterface
public interface RecordHandler<K, V> {

  /** Processes the record; called on the consuming member's thread, in poll order. */
  void process(ConsumerRecord<K, V> record) throws Exception;
}
