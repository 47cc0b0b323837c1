package dev.turnout.drill.load;

import dev.turnout.Provenance;
import dev.turnout.RoutingConsumer;
import dev.turnout.status.ConsumerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A consumer group of {@link RoutingConsumer} members, one polling thread each (each consumer is used by its own
 * thread only). Every processed record goes to the {@link Journal}; the group commits after each batch. Errors
 * thrown by {@code poll} (a boundary that could not be verified, for example) are kept and polling goes on. The
 * latest status of each member is kept for the progress line and the report.
 */
public final class ConsumerService implements AutoCloseable {

  private final List<Map<String, Object>> configs;
  private final String topic;
  private final Journal journal;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReferenceArray<ConsumerStatus> statuses;
  private final AtomicReferenceArray<String> instanceIds;
  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
  private final CountDownLatch started;
  private volatile boolean running = true;

  /** @param configs one {@link RoutingConsumer} configuration per member (same group, string deserializers) */
  public ConsumerService(List<Map<String, Object>> configs, String topic, Journal journal) {
    this.configs = configs;
    this.topic = topic;
    this.journal = journal;
    this.statuses = new AtomicReferenceArray<>(configs.size());
    this.instanceIds = new AtomicReferenceArray<>(configs.size());
    this.started = new CountDownLatch(configs.size());
  }

  /** Starts the members; returns once each has been constructed (or failed to). */
  public void start() throws InterruptedException {
    for (int i = 0; i < configs.size(); i++) {
      int index = i;
      Thread t = new Thread(() -> run(index), "drill-consumer-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    if (!started.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the consumer group's members did not start within 60 s");
    }
  }

  private void run(int member) {
    RoutingConsumer<String, String> consumer;
    try {
      consumer = new RoutingConsumer<>(configs.get(member));
      instanceIds.set(member, consumer.status().instanceId());
    } catch (RuntimeException e) {
      errors.add("member " + member + " did not start: " + e);
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
      errors.add("member " + member + " stopped: " + e);
    }
  }

  private void pollOnce(RoutingConsumer<String, String> consumer, int member) {
    try {
      ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
      String cluster = consumer.readCluster(topic);
      for (ConsumerRecord<String, String> r : records) {
        String id = Provenance.of(r).map(Provenance::id).orElse(null);
        journal.process(member, r.key(), RecordValue.sequence(r.value()), cluster, r.partition(), r.offset(), id);
      }
      if (!records.isEmpty()) {
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      errors.add("member " + member + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    statuses.set(member, consumer.status().consumer());
  }

  /** The instance ids of the members that started (their keys on the status topic). */
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

  /** Read switches of all members so far. */
  public long readSwitches() {
    return statuses().stream().mapToLong(ConsumerStatus::readSwitches).sum();
  }

  /** What {@code poll} threw, and members that stopped, in order. */
  public List<String> errors() {
    return new ArrayList<>(errors);
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
