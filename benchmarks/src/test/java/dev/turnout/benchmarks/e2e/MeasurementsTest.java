package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
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
    List<Measurements.Contender> contenders = List.of(
        new Measurements.Contender(first, "first", i -> new ProducerRecord<>("t", new byte[] {1})),
        new Measurements.Contender(second, "second", i -> new ProducerRecord<>("t", new byte[] {2})));
    double rate = 5_000;
    Duration warmup = Duration.ofMillis(100);
    Duration window = Duration.ofMillis(200);

    long started = System.nanoTime();
    List<long[]> latencies = Measurements.concurrentLatencies(contenders, rate, warmup, window);
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    // Both send at the full rate over the same 300 ms (not one after the other): about 1,500 records each.
    assertThat(tookMillis).isLessThan(2 * (warmup.toMillis() + window.toMillis()));
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
}
