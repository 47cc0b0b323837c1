package dev.turnout.drill.load;

import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.RoutedMetadata;
import dev.turnout.RoutingProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Routing producers, one sending thread each, sending records at a total rate; every outcome goes to the
 * {@link Journal} under the record's key and sequence number. What each producer sends is its {@link Records}'.
 */
public final class ProducerLoop<K, V> implements AutoCloseable {

  /** What one producer's thread sends, in order. Called by that thread only. */
  @FunctionalInterface
  public interface Records<K, V> {
    /** The next record to send, or null to stop this producer's sending. */
    Sequenced<K, V> next();
  }

  /** A record to send, and the key and sequence number its outcome is journaled under. */
  public record Sequenced<K, V>(ProducerRecord<K, V> record, String key, long sequence) {}

  private final List<RoutingProducer<K, V>> producers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final String threadPrefix;
  private final long intervalNanos;
  private final Journal journal;
  private final IntSupplier step;
  private final BooleanSupplier barrier;
  private volatile boolean running = true;

  /**
   * Creates the producers; when one cannot be created, closes those that were and rethrows.
   *
   * @param factory creates producer {@code index}
   * @param threadPrefix the sending threads' names are this and {@code producer-<index>}
   * @param rate records per second, all producers together
   * @param step the index of the plan step in force, read at each send
   * @param barrier whether a cutover barrier is waiting or releasing, read at each send
   */
  public ProducerLoop(int count, IntFunction<RoutingProducer<K, V>> factory, String threadPrefix, double rate,
      Journal journal, IntSupplier step, BooleanSupplier barrier) {
    this.threadPrefix = threadPrefix;
    this.intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / (rate / count));
    this.journal = journal;
    this.step = step;
    this.barrier = barrier;
    try {
      for (int i = 0; i < count; i++) {
        producers.add(factory.apply(i));
      }
    } catch (RuntimeException e) {
      producers.forEach(p -> p.close(Duration.ZERO));
      throw e;
    }
  }

  /** The producers, for their status. */
  public List<RoutingProducer<K, V>> producers() {
    return producers;
  }

  /** The instance ids of the producers (their keys on the status topic). */
  public List<String> instanceIds() {
    return producers.stream().map(p -> p.status().instanceId()).toList();
  }

  /** Starts one sending thread per producer; producer {@code index} sends what {@code records} gives. */
  public void start(IntFunction<Records<K, V>> records) {
    for (int i = 0; i < producers.size(); i++) {
      int index = i;
      Records<K, V> own = records.apply(i);
      Thread t = new Thread(() -> sendLoop(producers.get(index), own), threadPrefix + "producer-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void sendLoop(RoutingProducer<K, V> producer, Records<K, V> records) {
    long next = System.nanoTime();
    while (running) {
      Sequenced<K, V> record = records.next();
      if (record == null) {
        return;
      }
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

  private void send(RoutingProducer<K, V> producer, Sequenced<K, V> s) {
    int phase = step.getAsInt();
    boolean during = barrier.getAsBoolean();
    long sentMillis = journal.nowMillis();
    long sentNanos = System.nanoTime();
    journal.sent();
    try {
      producer.sendRouted(s.record()).whenComplete((metadata, error) ->
          journal.record(outcome(s, phase, during, sentMillis, sentNanos, metadata, error)));
    } catch (RuntimeException e) {
      journal.record(outcome(s, phase, during, sentMillis, sentNanos, null, e));
    }
  }

  private static SendOutcome outcome(Sequenced<?, ?> s, int step, boolean barrier, long sentMillis,
      long sentNanos, RoutedMetadata metadata, Throwable error) {
    long micros = (System.nanoTime() - sentNanos) / 1000;
    if (error == null) {
      return new SendOutcome(s.key(), s.sequence(), step, barrier, sentMillis, micros, metadata.cluster(),
          metadata.partition(), metadata.offset(), null);
    }
    return new SendOutcome(s.key(), s.sequence(), step, barrier, sentMillis, micros, null, -1, -1,
        reason(error));
  }

  /** The refusal reason of an {@link OwnershipAmbiguousException}, else the exception's simple class name. */
  static String reason(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof OwnershipAmbiguousException refusal) {
      return refusal.reason().name();
    }
    return e.getClass().getSimpleName();
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
