package dev.turnout.internal.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.LogCapture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** When the publisher publishes, what it counts, and its tombstone (over kafka-clients' MockProducer). */
class StatusPublisherTest {

  private static final String ID = "instance-1";

  /** Renders "n=<publication number> failures=<failures>" and exposes a settable change signature. */
  private static final class Source implements StatusPublisher.Source {
    final AtomicInteger renders = new AtomicInteger();
    final AtomicLong signature = new AtomicLong();
    final List<Long> failuresSeen = new CopyOnWriteArrayList<>();

    @Override
    public byte[] render(Instant publishedAt, long publishFailures) {
      failuresSeen.add(publishFailures);
      return ("n=" + renders.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public long changeSignature() {
      return signature.get();
    }
  }

  private static MockProducer<byte[], byte[]> mock(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static List<String> values(MockProducer<byte[], byte[]> producer) {
    return producer.history().stream().map(ProducerRecord::value)
        .map(v -> v == null ? null : new String(v, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void publishesAtStartOnChangeOnSignatureChangeAndWritesATombstoneOnClose() {
    MockProducer<byte[], byte[]> producer = mock(true);
    Source source = new Source();
    StatusPublisher publisher = new StatusPublisher("c", "status", "test", ID, () -> producer, source, 600_000);
    publisher.start();
    await().until(() -> producer.history().size() == 1);

    publisher.changed();
    await().until(() -> producer.history().size() == 2);
    source.signature.set(42); // e.g. a breaker opened
    await().until(() -> producer.history().size() == 3);
    publisher.close(Duration.ofSeconds(5));

    assertThat(values(producer)).containsExactly("n=1", "n=2", "n=3", null);
    assertThat(producer.history()).allSatisfy(r -> {
      assertThat(r.topic()).isEqualTo("status");
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(ID);
    });
    assertThat(producer.closed()).isTrue();
    assertThat(publisher.published()).isEqualTo(3);
  }

  @Test
  void publishesEveryIntervalWhenNothingChanges() {
    MockProducer<byte[], byte[]> producer = mock(true);
    StatusPublisher publisher = new StatusPublisher("c", "status", "test", ID, () -> producer, new Source(), 100);
    publisher.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() >= 5);
    publisher.close(Duration.ofSeconds(5));
    assertThat(values(producer)).last().isNull();
  }

  @Test
  void failuresAreCountedInTheNextStatusAndLoggedOncePerOutage() {
    MockProducer<byte[], byte[]> producer = mock(false);
    Source source = new Source();
    try (LogCapture logs = new LogCapture()) {
      StatusPublisher publisher = new StatusPublisher("c", "status", "cluster 'x'", ID, () -> producer, source,
          600_000);
      publisher.start();
      await().until(() -> producer.history().size() == 1);
      assertThat(producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("cluster down"))).isTrue();
      publisher.changed();
      await().until(() -> producer.history().size() == 2);
      assertThat(producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("still down"))).isTrue();
      publisher.changed();
      await().until(() -> producer.history().size() == 3);
      assertThat(producer.completeNext()).isTrue();

      await().until(() -> publisher.published() == 1);
      assertThat(publisher.failures()).isEqualTo(2);
      assertThat(source.failuresSeen).containsExactly(0L, 1L, 2L);
      assertThat(logs.lines()).filteredOn(l -> l.startsWith("WARN") && l.contains("Could not publish"))
          .singleElement().asString().contains("topic 'status' on cluster 'x'").contains("cluster down")
          .contains("cleanup.policy=compact");
      assertThat(logs.lines()).anyMatch(l -> l.startsWith("INFO") && l.contains("works again"));
      publisher.changed();
      await().until(() -> producer.history().size() == 4);
      producer.completeNext();
      new Thread(() -> { // the tombstone waits for its acknowledgement
        await().until(() -> producer.history().size() == 5);
        producer.completeNext();
      }).start();
      publisher.close(Duration.ofSeconds(5));
    }
    assertThat(values(producer)).last().isNull();
  }

  @Test
  void anInstanceThatNeverReachedTheTopicWritesNoTombstone() {
    MockProducer<byte[], byte[]> producer = mock(false);
    StatusPublisher publisher = new StatusPublisher("c", "status", "test", ID, () -> producer, new Source(),
        600_000);
    publisher.start();
    await().until(() -> producer.history().size() == 1);
    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("down"));
    await().until(() -> publisher.failures() == 1);

    publisher.close(Duration.ofSeconds(5));

    assertThat(values(producer)).containsExactly("n=1");
    assertThat(producer.closed()).isTrue();
  }

  @Test
  void aProducerThatCannotBeCreatedIsAFailureRetriedAtTheNextPublication() {
    MockProducer<byte[], byte[]> producer = mock(true);
    AtomicInteger attempts = new AtomicInteger();
    StatusPublisher publisher = new StatusPublisher("c", "status", "test", ID, () -> {
      if (attempts.incrementAndGet() == 1) {
        throw new org.apache.kafka.common.config.ConfigException("No resolvable bootstrap urls");
      }
      return producer;
    }, new Source(), 600_000);
    publisher.start();
    await().until(() -> publisher.failures() == 1);

    publisher.changed();
    await().until(() -> producer.history().size() == 1);
    publisher.close(Duration.ofSeconds(5));

    assertThat(values(producer)).containsExactly("n=1", null);
  }
}
