package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The scheduling of the interleaved latency measurement (the producers are stand-ins: no broker involved). */
class MeasurementsTest {

  @Test
  void eachProducerOffersTheRateOnlyInItsTurnsAndOnlyItsMeasuredSlicesCount() {
    MockProducer<byte[], byte[]> first = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    MockProducer<byte[], byte[]> second = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    List<Measurements.Contender> contenders = List.of(
        new Measurements.Contender(first, "first", i -> new ProducerRecord<>("t", new byte[] {1})),
        new Measurements.Contender(second, "second", i -> new ProducerRecord<>("t", new byte[] {2})));
    double rate = 10_000;
    Duration settle = Duration.ofMillis(40);
    Duration slice = Duration.ofMillis(60);
    int cycles = 3;

    List<long[]> latencies = Measurements.interleavedLatencies(contenders, rate, Duration.ofMillis(100), settle,
        slice, cycles);

    long duePerProducer = Math.round(rate * slice.toMillis() / 1000.0) * cycles; // 600 records due in slices
    for (int c = 0; c < 2; c++) {
      long[] samples = latencies.get(c);
      assertThat((long) samples.length).as("producer %d: records due in its measured slices", c)
          .isBetween(duePerProducer / 2, duePerProducer + cycles);
      assertThat(java.util.Arrays.stream(samples).min().orElse(0)).isNotNegative();
    }
    // Records due while settling are sent too, never counted; and nobody sends outside its turns: a producer
    // sends at most the rate over its own turns (warm-up included), far less than over the whole run.
    for (MockProducer<byte[], byte[]> producer : List.of(first, second)) {
      long sent = producer.history().size();
      assertThat(sent).isGreaterThan((long) latencies.get(producer == first ? 0 : 1).length);
      long ownTurnsMillis = cycles * (settle.toMillis() + slice.toMillis()) + 100;
      assertThat(sent).isLessThanOrEqualTo(Math.round(rate * ownTurnsMillis / 1000.0));
    }
  }
}
