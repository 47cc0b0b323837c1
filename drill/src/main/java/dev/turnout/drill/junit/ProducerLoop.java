package dev.turnout.drill.junit;

import dev.turnout.RoutedMetadata;
import dev.turnout.RoutingProducer;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.load.ProducerService;
import dev.turnout.drill.load.RecordValue;
import dev.turnout.drill.load.SendOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Your producers, one thread each, sending your records at a total rate. Each record gets the key's next sequence
 * number as the header {@link RecordValue#SEQUENCE_HEADER}; every outcome goes to the {@link Journal}. What your
 * code throws is kept in {@code errors} and stops that producer's sending.
 */
final class ProducerLoop<K, V> implements AutoCloseable {

  private final List<RoutingProducer<K, V>> producers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
  private final LongFunction<ProducerRecord<K, V>> records;
  private final String topic;
  private final long intervalNanos;
  private final Journal journal;
  private final IntSupplier step;
  private final Queue<String> errors;
  private volatile boolean running = true;

  ProducerLoop(DrillSettings settings, Drill.ProducerSide<K, V> side, Journal journal, IntSupplier step,
      Queue<String> errors) {
    this.records = side.records();
    this.topic = settings.topic();
    this.intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) * settings.producers() / settings.rate());
    this.journal = journal;
    this.step = step;
    this.errors = errors;
    try {
      for (int i = 0; i < settings.producers(); i++) {
        RoutingProducer<K, V> p = side.factory().apply(settings.producerConfig(i));
        if (p == null) {
          throw new IllegalStateException("the producer factory returned null");
        }
        producers.add(p);
      }
    } catch (RuntimeException e) {
      producers.forEach(p -> p.close(Duration.ZERO));
      throw new IllegalStateException("Your producer factory failed: " + e, e);
    }
  }

  /** The instance ids of the producers (their keys on the status topic). */
  List<String> instanceIds() {
    return producers.stream().map(p -> p.status().instanceId()).toList();
  }

  void start() {
    for (int i = 0; i < producers.size(); i++) {
      int index = i;
      Thread t = new Thread(() -> sendLoop(index), "drill-" + topic + "-producer-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void sendLoop(int index) {
    RoutingProducer<K, V> producer = producers.get(index);
    long next = System.nanoTime();
    long n = index;
    while (running) {
      ProducerRecord<K, V> record;
      try {
        record = records.apply(n);
        check(record);
      } catch (RuntimeException e) {
        errors.add("producer " + index + ": your record function failed for n=" + n + ": " + e);
        return;
      }
      n += producers.size();
      send(producer, record);
      next += intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
        next = System.nanoTime(); // behind by more than a second: do not burst to catch up
      }
    }
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

  private void send(RoutingProducer<K, V> producer, ProducerRecord<K, V> record) {
    String key = String.valueOf(record.key());
    long sequence = sequences.computeIfAbsent(key, k -> new AtomicLong()).getAndIncrement();
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    headers.add(RecordValue.SEQUENCE_HEADER, Long.toString(sequence).getBytes(StandardCharsets.UTF_8));
    ProducerRecord<K, V> stamped = new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(),
        record.key(), record.value(), headers);
    int phase = step.getAsInt();
    long sentMillis = journal.nowMillis();
    long sentNanos = System.nanoTime();
    journal.sent();
    try {
      producer.sendRouted(stamped).whenComplete((metadata, error) ->
          journal.record(outcome(key, sequence, phase, sentMillis, sentNanos, metadata, error)));
    } catch (RuntimeException e) {
      journal.record(outcome(key, sequence, phase, sentMillis, sentNanos, null, e));
    }
  }

  private static SendOutcome outcome(String key, long sequence, int phase, long sentMillis, long sentNanos,
      RoutedMetadata metadata, Throwable error) {
    long micros = (System.nanoTime() - sentNanos) / 1000;
    if (error == null) {
      return new SendOutcome(key, sequence, phase, false, sentMillis, micros, metadata.cluster(),
          metadata.partition(), metadata.offset(), null);
    }
    return new SendOutcome(key, sequence, phase, false, sentMillis, micros, null, -1, -1,
        ProducerService.reason(error));
  }

  /** Stops sending, waits for every outstanding send's outcome and closes the producers. */
  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (RoutingProducer<K, V> p : producers) {
      try {
        p.flush();
      } catch (RuntimeException e) {
        // outcomes of the flushed records are journaled by their callbacks
      }
      p.close(Duration.ofSeconds(30));
    }
  }
}
