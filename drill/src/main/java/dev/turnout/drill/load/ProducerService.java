package dev.turnout.drill.load;

import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.RoutedMetadata;
import dev.turnout.RoutingProducer;
import dev.turnout.status.BarrierStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code producers} {@link RoutingProducer}s, one sending thread each, sending keyed records at a total rate.
 * Keys are {@code k-0..k-<keys-1>}; producer {@code i} owns the keys whose number is {@code i} modulo the number of
 * producers, so each key's sequence numbers are sent in order by one producer. Every outcome goes to the
 * {@link Journal}.
 */
public final class ProducerService implements AutoCloseable {

  private static final String FAILED = "FAILED";

  private final List<RoutingProducer<String, String>> producers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Journal journal;
  private final String topic;
  private final int keys;
  private final double ratePerProducer;
  private final long seed;
  private final IntSupplier phase;
  private volatile boolean barrierOpen;
  private volatile boolean running = true;

  /**
   * @param configs one {@link RoutingProducer} configuration per producer (string key and value serializers)
   * @param phase the index of the plan step in force, read at each send
   */
  public ProducerService(List<Map<String, Object>> configs, String topic, int keys, double rate, long seed,
      Journal journal, IntSupplier phase) {
    this.journal = journal;
    this.topic = topic;
    this.keys = keys;
    this.ratePerProducer = rate / configs.size();
    this.seed = seed;
    this.phase = phase;
    try {
      for (Map<String, Object> config : configs) {
        producers.add(new RoutingProducer<>(config));
      }
    } catch (RuntimeException e) {
      producers.forEach(p -> p.close(Duration.ZERO));
      throw e;
    }
  }

  /** The producers, for their status. */
  public List<RoutingProducer<String, String>> producers() {
    return producers;
  }

  /** Starts one sending thread per producer. */
  public void start() {
    for (int i = 0; i < producers.size(); i++) {
      int index = i;
      Thread t = new Thread(() -> sendLoop(index), "drill-producer-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /**
   * The cutover barriers of every producer that are not open now (waiting, releasing or failed). Records sent
   * from now until the next call are marked as sent during a barrier when one of them is waiting or releasing.
   */
  public List<BarrierStatus> barriers() {
    List<BarrierStatus> all = new ArrayList<>();
    producers.forEach(p -> all.addAll(p.status().barriers()));
    barrierOpen = all.stream().anyMatch(b -> !FAILED.equals(b.state()));
    return all;
  }

  private void sendLoop(int index) {
    RoutingProducer<String, String> producer = producers.get(index);
    Random random = new Random(seed * 31 + index);
    int owned = Math.max(1, (keys - index + producers.size() - 1) / producers.size());
    long[] sequences = new long[owned];
    long intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / ratePerProducer);
    long next = System.nanoTime();
    while (running) {
      int slot = random.nextInt(owned);
      String key = "k-" + (index + slot * producers.size());
      long sequence = sequences[slot]++;
      send(producer, key, sequence);
      next += intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
        next = System.nanoTime(); // behind by more than a second: do not burst to catch up
      }
    }
  }

  private void send(RoutingProducer<String, String> producer, String key, long sequence) {
    int step = phase.getAsInt();
    boolean barrier = barrierOpen;
    long sentMillis = journal.nowMillis();
    long sentNanos = System.nanoTime();
    journal.sent();
    try {
      producer.sendRouted(new ProducerRecord<>(topic, key, RecordValue.of(key, sequence)))
          .whenComplete((metadata, error) -> journal.record(outcome(key, sequence, step, barrier, sentMillis,
              sentNanos, metadata, error)));
    } catch (RuntimeException e) {
      journal.record(outcome(key, sequence, step, barrier, sentMillis, sentNanos, null, e));
    }
  }

  private static SendOutcome outcome(String key, long sequence, int step, boolean barrier, long sentMillis,
      long sentNanos, RoutedMetadata metadata, Throwable error) {
    long micros = (System.nanoTime() - sentNanos) / 1000;
    if (error == null) {
      return new SendOutcome(key, sequence, step, barrier, sentMillis, micros, metadata.cluster(),
          metadata.partition(), metadata.offset(), null);
    }
    return new SendOutcome(key, sequence, step, barrier, sentMillis, micros, null, -1, -1, reason(error));
  }

  /** The refusal reason of an {@link OwnershipAmbiguousException}, else the exception's simple class name. */
  public static String reason(Throwable error) {
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
    for (RoutingProducer<String, String> p : producers) {
      try {
        p.flush();
      } catch (RuntimeException e) {
        // outcomes of the flushed records are journaled by their callbacks
      }
      p.close(Duration.ofSeconds(30));
    }
  }
}
