package dev.turnout.drill.load;

import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What producer {@code index} of the main drill sends: of the keys {@code k-0..k-<keys-1>}, those whose number is
 * {@code index} modulo the number of producers (so each key's sequence numbers are sent in order by one producer),
 * picked at random, each with its next sequence number in the value ({@link RecordValue}).
 */
final class KeyedValues implements ProducerLoop.Records<String, String> {

  private final String topic;
  private final int index;
  private final int producers;
  private final Random random;
  private final long[] sequences;

  KeyedValues(String topic, int keys, long seed, int index, int producers) {
    this.topic = topic;
    this.index = index;
    this.producers = producers;
    this.random = new Random(seed * 31 + index);
    this.sequences = new long[Math.max(1, (keys - index + producers - 1) / producers)];
  }

  @Override
  public ProducerLoop.Sequenced<String, String> next() {
    int slot = random.nextInt(sequences.length);
    String key = "k-" + (index + slot * producers);
    long sequence = sequences[slot]++;
    return new ProducerLoop.Sequenced<>(new ProducerRecord<>(topic, key, RecordValue.of(key, sequence)), key,
        sequence);
  }
}
