package dev.turnout.internal.cutover;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one cluster (a new owner) for records with given {@code turnout.id}s: the last records this
 * producer wrote to each partition of the old owner. Identity replication keeps the topic and partition, so
 * each id is searched in the same partition, from the first offset whose timestamp is at least the record's
 * timestamp minus {@value #SEARCH_SLACK_MS} ms, forward. One dedicated consumer per watched cluster, created
 * on first use, with {@code assign()} only (never a group) and {@code read_uncommitted}.
 */
final class ReplicationWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReplicationWatcher.class);
  /** How far before a record's timestamp the search starts (timestamps of concurrent sends interleave). */
  static final long SEARCH_SLACK_MS = 2_000;
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(5);

  private final String alias;
  private final String clientId;
  private final Map<String, Object> config;
  private final long instance;
  private final ConcurrentLinkedQueue<Target> incoming = new ConcurrentLinkedQueue<>();
  private final Object signal = new Object();
  private final Thread thread;
  private volatile boolean closed;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private String lastWarning; // watcher thread only
  /** Old owners whose records ({@code turnout.route} origin) were ever found here; read at barrier timeouts. */
  private final Set<String> originsSeen = ConcurrentHashMap.newKeySet();
  /** {@code "<alias>/"} of the old owners searched for and not yet seen; watcher thread only. */
  private final Map<String, byte[]> originsUnseen = new HashMap<>();
  private final ConcurrentLinkedQueue<String> originsIncoming = new ConcurrentLinkedQueue<>();

  // Watcher thread only.
  private final Map<TopicPartition, List<Target>> pending = new HashMap<>();
  private final List<Target> unpositioned = new ArrayList<>();

  ReplicationWatcher(String alias, String clientId, Map<String, Object> clusterConsumerConfig, long instance) {
    this.alias = alias;
    this.clientId = clientId;
    this.instance = instance;
    Map<String, Object> c = new HashMap<>(clusterConsumerConfig);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + alias + "-cutover");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    c.remove(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
    this.config = c;
    this.thread = new Thread(this::run, "turnout-cutover-watch-" + clientId + "-" + alias);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Completes when every record of {@code lastAcks} has been seen in the same partition on this cluster.
   *
   * @param origin the alias of the old owner the records were written to: while searching, the watcher notes
   *     whether any record routed to that cluster (its {@code turnout.route} origin) is ever found here
   *     ({@link #hasSeenRecordsFrom})
   */
  CompletableFuture<Void> watch(List<AckLedger.LastAck> lastAcks, String origin) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!originsSeen.contains(origin)) {
      originsIncoming.add(origin);
    }
    if (lastAcks.isEmpty()) {
      done.complete(null);
      return done;
    }
    if (closed) {
      done.completeExceptionally(new IllegalStateException("closed"));
      return done;
    }
    AtomicInteger remaining = new AtomicInteger(lastAcks.size());
    for (AckLedger.LastAck ack : lastAcks) {
      incoming.add(new Target(new TopicPartition(ack.topic(), ack.partition()), ack.sequence(), ack.timestamp(),
          remaining, done));
    }
    synchronized (signal) {
      signal.notifyAll();
    }
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    return done;
  }

  private void run() {
    try {
      while (!closed) {
        for (String o; (o = originsIncoming.poll()) != null; ) {
          if (!originsSeen.contains(o)) {
            originsUnseen.putIfAbsent(o, (o + '/').getBytes(StandardCharsets.UTF_8));
          }
        }
        for (Target t; (t = incoming.poll()) != null; ) {
          pending.computeIfAbsent(t.partition, p -> new ArrayList<>()).add(t);
          unpositioned.add(t);
        }
        if (pending.isEmpty()) {
          synchronized (signal) {
            if (incoming.isEmpty() && !closed) {
              signal.wait(500);
            }
          }
          continue;
        }
        try {
          step();
        } catch (WakeupException e) {
          // new targets arrived
        } catch (RuntimeException e) {
          if (closed) {
            break;
          }
          String warning = e.toString();
          if (!warning.equals(lastWarning)) {
            log.warn("[{}] Watching cluster '{}' for replicated records failed ({}); retrying", clientId, alias,
                warning);
            lastWarning = warning;
          }
          TimeUnit.MILLISECONDS.sleep(200);
        }
      }
    } catch (InterruptedException e) {
      // closing
    } finally {
      KafkaConsumer<byte[], byte[]> c = consumer;
      if (c != null) {
        try {
          c.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        } catch (RuntimeException e) {
          log.debug("Error closing the cutover consumer of cluster '{}'", alias, e);
        }
      }
      IllegalStateException closedError = new IllegalStateException("closed");
      pending.values().forEach(list -> list.forEach(t -> t.done.completeExceptionally(closedError)));
      for (Target t; (t = incoming.poll()) != null; ) {
        t.done.completeExceptionally(closedError);
      }
    }
  }

  private void step() {
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c == null) {
      c = new KafkaConsumer<>(config);
      consumer = c;
    }
    Set<TopicPartition> assigned = c.assignment();
    Set<TopicPartition> newlyAssigned = new HashSet<>();
    if (!assigned.equals(pending.keySet())) {
      for (TopicPartition tp : pending.keySet()) {
        if (!assigned.contains(tp)) {
          newlyAssigned.add(tp);
        }
      }
      c.assign(new ArrayList<>(pending.keySet()));
      if (!newlyAssigned.isEmpty()) {
        c.pause(newlyAssigned); // nothing is read from them until a start offset is sought
      }
    }
    if (!unpositioned.isEmpty()) {
      position(c);
    }
    ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
    lastWarning = null;
    if (records.isEmpty()) {
      return;
    }
    for (TopicPartition tp : records.partitions()) {
      List<Target> targets = pending.get(tp);
      if (targets == null) {
        continue;
      }
      for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
        if (!originsUnseen.isEmpty()) {
          noteOrigin(record);
        }
        Header id = record.headers().lastHeader(ProvenanceHeaders.ID);
        if (id == null) {
          continue;
        }
        byte[] value = id.value();
        long seq = RecordIds.sequenceOf(value);
        if (seq < 0 || RecordIds.instanceOf(value) != instance) {
          continue;
        }
        for (Iterator<Target> it = targets.iterator(); it.hasNext(); ) {
          Target t = it.next();
          if (t.sequence == seq) {
            it.remove();
            t.found();
          }
        }
        if (targets.isEmpty()) {
          break;
        }
      }
      if (targets.isEmpty()) {
        pending.remove(tp);
      }
    }
  }

  /**
   * Whether a record whose {@code turnout.route} origin is {@code origin} was ever found on this cluster in the
   * partitions searched: evidence that something replicates that cluster here. {@code false} until one is found.
   */
  boolean hasSeenRecordsFrom(String origin) {
    return originsSeen.contains(origin);
  }

  private void noteOrigin(ConsumerRecord<byte[], byte[]> record) {
    Header route = record.headers().lastHeader(ProvenanceHeaders.ROUTE);
    if (route == null || route.value() == null) {
      return;
    }
    byte[] value = route.value();
    for (Iterator<Map.Entry<String, byte[]>> it = originsUnseen.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, byte[]> e = it.next();
      byte[] prefix = e.getValue();
      if (value.length > prefix.length
          && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length)) {
        originsSeen.add(e.getKey());
        it.remove();
      }
    }
  }

  /** Seeks every partition with new targets to the earliest start offset among them. */
  private void position(KafkaConsumer<byte[], byte[]> c) {
    Map<TopicPartition, Long> times = new HashMap<>();
    for (Target t : unpositioned) {
      if (pending.containsKey(t.partition) && !t.done.isDone()) {
        times.merge(t.partition, Math.max(0, t.timestamp - SEARCH_SLACK_MS), Math::min);
      }
    }
    if (times.isEmpty()) {
      unpositioned.clear();
      return;
    }
    // The end offsets first: a record appended after them has a timestamp at least as late as the search.
    Map<TopicPartition, Long> ends = c.endOffsets(times.keySet(), LOOKUP_TIMEOUT);
    Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(times, LOOKUP_TIMEOUT);
    Set<TopicPartition> paused = c.paused();
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : times.keySet()) {
      OffsetAndTimestamp at = found.get(tp);
      long start = at != null ? at.offset() : ends.get(tp);
      if (paused.contains(tp)) {
        c.seek(tp, start);
        resume.add(tp);
      } else if (start < c.position(tp, LOOKUP_TIMEOUT)) {
        c.seek(tp, start);
      }
    }
    c.resume(resume);
    unpositioned.clear();
  }

  @Override
  public void close() {
    closed = true;
    synchronized (signal) {
      signal.notifyAll();
    }
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  private static final class Target {
    final TopicPartition partition;
    final long sequence;
    final long timestamp;
    final AtomicInteger remaining;
    final CompletableFuture<Void> done;

    Target(TopicPartition partition, long sequence, long timestamp, AtomicInteger remaining,
        CompletableFuture<Void> done) {
      this.partition = partition;
      this.sequence = sequence;
      this.timestamp = timestamp;
      this.remaining = remaining;
      this.done = done;
    }

    void found() {
      if (remaining.decrementAndGet() == 0) {
        done.complete(null);
      }
    }
  }
}
