package dev.turnout.drill.junit;

import dev.turnout.Provenance;
import dev.turnout.RoutingConsumer;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.load.RecordValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;

/**
 * Your consumer group, one thread per member (each consumer is used by its own thread only): polls, hands each
 * record to your handler and journals it as processed once the handler returned, commits after each batch. What
 * {@code poll} throws is kept and polling goes on; what your code throws is kept in {@code errors}.
 */
final class ConsumerLoop<K, V> implements AutoCloseable {

  private final DrillSettings settings;
  private final Drill.ConsumerSide<K, V> side;
  private final Journal journal;
  private final Queue<String> errors;
  private final Queue<String> pollErrors = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReferenceArray<String> instanceIds;
  private final CountDownLatch started;
  private volatile boolean running = true;

  ConsumerLoop(DrillSettings settings, Drill.ConsumerSide<K, V> side, Journal journal, Queue<String> errors) {
    this.settings = settings;
    this.side = side;
    this.journal = journal;
    this.errors = errors;
    this.instanceIds = new AtomicReferenceArray<>(settings.consumers());
    this.started = new CountDownLatch(settings.consumers());
  }

  /** Starts the members; returns once each has been created (or failed to). */
  void start() throws InterruptedException {
    for (int i = 0; i < settings.consumers(); i++) {
      int member = i;
      Thread t = new Thread(() -> run(member), "drill-" + settings.topic() + "-consumer-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    if (!started.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the consumer group's members were not created within 60 s");
    }
  }

  private void run(int member) {
    RoutingConsumer<K, V> consumer;
    try {
      consumer = side.factory().apply(settings.consumerConfig(member));
      instanceIds.set(member, consumer.status().instanceId());
    } catch (RuntimeException e) {
      errors.add("consumer " + member + ": your consumer factory failed: " + e);
      return;
    } finally {
      started.countDown();
    }
    try (consumer) {
      consumer.subscribe(List.of(settings.topic()));
      while (running) {
        pollOnce(consumer, member);
      }
    } catch (RuntimeException e) {
      pollErrors.add("member " + member + " stopped: " + e);
    }
  }

  private void pollOnce(RoutingConsumer<K, V> consumer, int member) {
    try {
      ConsumerRecords<K, V> records = consumer.poll(Duration.ofMillis(200));
      String cluster = consumer.readCluster(settings.topic());
      for (ConsumerRecord<K, V> r : records) {
        if (handle(r, member)) {
          journal.process(member, String.valueOf(r.key()), sequence(r), cluster, r.partition(), r.offset(),
              Provenance.of(r).map(Provenance::id).orElse(null));
        }
      }
      if (!records.isEmpty()) {
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      pollErrors.add("member " + member + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private boolean handle(ConsumerRecord<K, V> record, int member) {
    try {
      side.handler().process(record);
      return true;
    } catch (Exception e) {
      errors.add("consumer " + member + ": your handler failed on " + record.topic() + "-" + record.partition()
          + "@" + record.offset() + ": " + e);
      return false;
    }
  }

  private static long sequence(ConsumerRecord<?, ?> r) {
    Header h = r.headers().lastHeader(RecordValue.SEQUENCE_HEADER);
    return h == null || h.value() == null ? -1
        : RecordValue.sequence("#" + new String(h.value(), StandardCharsets.UTF_8));
  }

  /** The instance ids of the members that were created. */
  List<String> instanceIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < instanceIds.length(); i++) {
      if (instanceIds.get(i) != null) {
        ids.add(instanceIds.get(i));
      }
    }
    return ids;
  }

  /** What {@code poll} threw, and members that stopped, in order. */
  List<String> pollErrors() {
    return new ArrayList<>(pollErrors);
  }

  /** Stops polling and closes the members. */
  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
