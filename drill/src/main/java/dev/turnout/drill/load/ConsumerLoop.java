package dev.turnout.drill.load;

import dev.turnout.Provenance;
import dev.turnout.RoutingConsumer;
import dev.turnout.status.ConsumerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A consumer group of {@link RoutingConsumer} members, one polling thread each (each consumer is used by its own
 * thread only): polls, hands each record to the {@link Processing} and journals it as processed when that says so,
 * commits after each non-empty batch. What {@code poll} throws goes to {@code errors} and polling goes on. The
 * latest status of each member is kept.
 */
public final class ConsumerLoop<K, V> implements AutoCloseable {

  /** What the group does with each record. Called by the member's thread. */
  public interface Processing<K, V> {

    /** Processes the record; whether it counts as processed (goes to the journal). */
    boolean process(int member, ConsumerRecord<K, V> record);

    /** The record's sequence number of its key, -1 when it has none. */
    long sequence(ConsumerRecord<K, V> record);

    /** Reading without processing: nothing goes to the journal. */
    static <K, V> Processing<K, V> none() {
      return new Processing<>() {
        @Override
        public boolean process(int member, ConsumerRecord<K, V> record) {
          return false;
        }

        @Override
        public long sequence(ConsumerRecord<K, V> record) {
          return -1;
        }
      };
    }
  }

  /**
   * The group's members.
   *
   * @param count how many
   * @param factory creates member {@code index}, on that member's thread
   * @param startFailed told of each member that could not be created, with what it threw
   * @param threadPrefix the polling threads' names are this and {@code consumer-<index>}
   */
  public record Members<K, V>(int count, IntFunction<RoutingConsumer<K, V>> factory,
      ObjIntConsumer<RuntimeException> startFailed, String threadPrefix) {}

  private final Members<K, V> members;
  private final String topic;
  private final Journal journal;
  private final Processing<K, V> processing;
  private final Consumer<String> errors;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReferenceArray<ConsumerStatus> statuses;
  private final AtomicReferenceArray<String> instanceIds;
  private final CountDownLatch started;
  private volatile boolean running = true;

  /**
   * @param journal where the processed records go
   * @param errors told what {@code poll} throws, and of members that stopped, in order
   */
  public ConsumerLoop(Members<K, V> members, String topic, Journal journal, Processing<K, V> processing,
      Consumer<String> errors) {
    this.members = members;
    this.topic = topic;
    this.journal = journal;
    this.processing = processing;
    this.errors = errors;
    this.statuses = new AtomicReferenceArray<>(members.count());
    this.instanceIds = new AtomicReferenceArray<>(members.count());
    this.started = new CountDownLatch(members.count());
  }

  /** Starts the members; whether each has been created (or failed to) within 60 s. */
  public boolean start() throws InterruptedException {
    for (int i = 0; i < members.count(); i++) {
      int member = i;
      Thread t = new Thread(() -> run(member), members.threadPrefix() + "consumer-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return started.await(60, TimeUnit.SECONDS);
  }

  private void run(int member) {
    RoutingConsumer<K, V> consumer;
    try {
      consumer = members.factory().apply(member);
      instanceIds.set(member, consumer.status().instanceId());
    } catch (RuntimeException e) {
      members.startFailed().accept(e, member);
      return;
    } finally {
      started.countDown();
    }
    try (consumer) {
      consumer.subscribe(List.of(topic));
      while (running) {
        pollOnce(consumer, member);
      }
    } catch (RuntimeException e) {
      errors.accept("member " + member + " stopped: " + e);
    }
  }

  private void pollOnce(RoutingConsumer<K, V> consumer, int member) {
    try {
      ConsumerRecords<K, V> records = consumer.poll(Duration.ofMillis(200));
      String cluster = consumer.readCluster(topic);
      for (ConsumerRecord<K, V> r : records) {
        if (processing.process(member, r)) {
          journal.process(member, String.valueOf(r.key()), processing.sequence(r), cluster, r.partition(),
              r.offset(), Provenance.of(r).map(Provenance::id).orElse(null));
        }
      }
      if (!records.isEmpty()) {
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      errors.accept("member " + member + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    statuses.set(member, consumer.status().consumer());
  }

  /** The instance ids of the members that were created (their keys on the status topic). */
  public List<String> instanceIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < instanceIds.length(); i++) {
      if (instanceIds.get(i) != null) {
        ids.add(instanceIds.get(i));
      }
    }
    return ids;
  }

  /** The latest consumer status of each member that has polled. */
  public List<ConsumerStatus> statuses() {
    List<ConsumerStatus> all = new ArrayList<>();
    for (int i = 0; i < statuses.length(); i++) {
      if (statuses.get(i) != null) {
        all.add(statuses.get(i));
      }
    }
    return all;
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
