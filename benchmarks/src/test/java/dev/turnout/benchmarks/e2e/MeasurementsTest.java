package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The scheduling of the concurrent latency measurement (the producers are stand-ins: no broker involved). */
class MeasurementsTest {

  @Test
  void everyProducerOffersTheRateAtTheSameTimeAndOnlyTheWindowCounts() {
    MockProducer<byte[], byte[]> first = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    MockProducer<byte[], byte[]> second = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    // What each producer had sent when the other sent its first and its latest record: sends that overlap in
    // time, not one producer after the other, are what the two counts show.
    AtomicInteger[] sent = {new AtomicInteger(), new AtomicInteger()};
    AtomicInteger[] otherAtFirst = {new AtomicInteger(-1), new AtomicInteger(-1)};
    AtomicInteger[] otherAtLatest = {new AtomicInteger(-1), new AtomicInteger(-1)};
    List<Measurements.Contender> contenders = List.of(
        new Measurements.Contender(first, "first", i -> record(0, i, sent, otherAtFirst, otherAtLatest)),
        new Measurements.Contender(second, "second", i -> record(1, i, sent, otherAtFirst, otherAtLatest)));
    double rate = 5_000;
    Duration warmup = Duration.ofMillis(100);
    Duration window = Duration.ofMillis(200);

    List<long[]> latencies = Measurements.concurrentLatencies(contenders, rate, warmup, window);

    // Both send at the full rate over the same 300 ms (not one after the other): about 1,500 records each.
    for (int c = 0; c < 2; c++) {
      int other = 1 - c;
      assertThat(otherAtFirst[c].get()).as("producer %d started before producer %d had finished", c, other)
          .isLessThan(sent[other].get());
      assertThat(otherAtLatest[c].get()).as("producer %d had started when producer %d sent its last", other, c)
          .isPositive();
    }
    long dueInWindow = Math.round(rate * window.toMillis() / 1000.0); // 1,000
    long dueInAll = Math.round(rate * (warmup.toMillis() + window.toMillis()) / 1000.0); // 1,500
    for (int c = 0; c < 2; c++) {
      MockProducer<byte[], byte[]> producer = c == 0 ? first : second;
      long[] samples = latencies.get(c);
      assertThat((long) samples.length).as("producer %d: records due in the window", c)
          .isBetween(dueInWindow - 1, dueInWindow + 1);
      assertThat(java.util.Arrays.stream(samples).min().orElse(-1)).isNotNegative();
      // Records due in the warm-up are sent too, never counted.
      assertThat((long) producer.history().size()).isBetween(dueInAll - 2, dueInAll + 2);
    }
  }

  private static ProducerRecord<byte[], byte[]> record(int me, long seq, AtomicInteger[] sent,
      AtomicInteger[] otherAtFirst, AtomicInteger[] otherAtLatest) {
    int other = sent[1 - me].get();
    if (seq == 0) {
      otherAtFirst[me].set(other);
    }
    otherAtLatest[me].set(other);
    sent[me].incrementAndGet();
    return new ProducerRecord<>("t", new byte[] {(byte) (me + 1)});
  }
}
