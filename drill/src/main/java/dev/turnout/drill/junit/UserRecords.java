package dev.turnout.drill.junit;

import dev.turnout.drill.load.ProducerLoop;
import dev.turnout.drill.load.RecordValue;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What producer {@code index} of a user's drill sends: your records number {@code index}, {@code index + producers},
 * ..., each with its key's next sequence number (counted over all producers) as the header
 * {@link RecordValue#SEQUENCE_HEADER}. What your record function throws, or a record without a key or of another
 * topic, is kept in {@code errors} and stops that producer's sending.
 */
final class UserRecords<K, V> implements ProducerLoop.Records<K, V> {

  private final LongFunction<ProducerRecord<K, V>> records;
  private final String topic;
  private final int index;
  private final int producers;
  private final Map<String, AtomicLong> sequences;
  private final Queue<String> errors;
  private long n;

  /** @param sequences the next sequence number of each key, shared by the producers */
  UserRecords(LongFunction<ProducerRecord<K, V>> records, String topic, int index, int producers,
      Map<String, AtomicLong> sequences, Queue<String> errors) {
    this.records = records;
    this.topic = topic;
    this.index = index;
    this.producers = producers;
    this.sequences = sequences;
    this.errors = errors;
    this.n = index;
  }

  @Override
  public ProducerLoop.Sequenced<K, V> next() {
    ProducerRecord<K, V> record;
    try {
      record = records.apply(n);
      check(record);
    } catch (RuntimeException e) {
      errors.add("producer " + index + ": your record function failed for n=" + n + ": " + e);
      return null;
    }
    n += producers;
    String key = String.valueOf(record.key());
    long sequence = sequences.computeIfAbsent(key, k -> new AtomicLong()).getAndIncrement();
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    headers.add(RecordValue.SEQUENCE_HEADER, Long.toString(sequence).getBytes(StandardCharsets.UTF_8));
    return new ProducerLoop.Sequenced<>(new ProducerRecord<>(record.topic(), record.partition(),
        record.timestamp(), record.key(), record.value(), headers), key, sequence);
  }

  private void check(ProducerRecord<K, V> record) {
    if (record == null || record.key() == null) {
      throw new IllegalArgumentException("a drill needs a record with a key, got " + record);
    }
    if (!topic.equals(record.topic())) {
      throw new IllegalArgumentException("the record's topic '" + record.topic() + "' is not the drill's topic '"
          + topic + "'");
    }
  }
}
