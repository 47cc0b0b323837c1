package dev.turnout.internal.control;

import dev.turnout.internal.cluster.Redaction;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the authority documents of a control topic: at the first {@link #read()}, a daemon thread assigns every
 * partition of the topic, reads it from the beginning up to the end offsets taken at that moment, and then tails
 * it, offering each record to {@link DocumentCandidates}. Whenever the tail brings a new winner, the callback of
 * {@link #onChange} runs on that thread, so the client reads it at once.
 *
 * <p>{@link #read()} returns the winner once the topic has been read to its end; the first call waits for that
 * at most the consumer's {@code default.api.timeout.ms} ({@value #DEFAULT_API_TIMEOUT_MS} ms unless set). It
 * fails ("control cluster unreachable: ...") when the topic has not been read to its end yet, or when the
 * control cluster has not answered for {@value #CONTACT_CHECK_MILLIS} ms plus twice the API timeout (the tail
 * asks it for the end offsets every {@value #CONTACT_CHECK_MILLIS} ms; 25 s with the default timeout), so that the client's staleness bound applies to an
 * unreachable control cluster as to a missing file; and it fails ("no document on topic ...") when no valid
 * document has been read.
 *
 * <p>The consumer has no group (partitions are assigned, offsets never committed), reads committed records only,
 * never creates the topic, and is closed by {@link #close()} without waiting for the cluster.
 */
public final class ControlTopicTail implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlTopicTail.class);

  /** How long one poll of the tail waits for records, in milliseconds. */
  static final long POLL_MILLIS = 150;
  /** How often the tail asks the control cluster for the end offsets while idle, in milliseconds. */
  static final long CONTACT_CHECK_MILLIS = 5_000;
  /** Pause before the tail tries again after an error, in milliseconds. */
  static final long RETRY_MILLIS = 1_000;
  /** The consumer's {@code default.api.timeout.ms} unless the configuration sets one. */
  public static final int DEFAULT_API_TIMEOUT_MS = 10_000;

  private final String topic;
  private final String where;
  private final String owner;
  private final DocumentCandidates candidates;
  private final Consumer<byte[], byte[]> consumer;
  private final long apiTimeoutMillis;
  /** After how long without an answer of the control cluster a read fails, in milliseconds. */
  private final long unreachableAfterMillis;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Object pause = new Object();

  private volatile Map<String, String> current;
  private volatile Map<String, String> lastReturned;
  private volatile long lastContactNanos;
  private volatile String lastError;
  private volatile long skipped;
  private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  private Thread thread; // guarded by this
  private boolean firstRead = true; // guarded by this

  // Tail-thread state.
  private List<TopicPartition> partitions = List.of();
  private long lastCheckNanos;

  /**
   * @param topic the control topic
   * @param clusterName how the control cluster is named in messages (an alias or its bootstrap servers)
   * @param consumerConfig the consumer settings of the control cluster, {@code client.id} included; the group,
   *     commits, isolation level and topic creation are set here
   * @param candidates decides which document wins
   * @param owner names the client in log lines and in the thread name
   */
  public ControlTopicTail(String topic, String clusterName, Map<String, Object> consumerConfig,
      DocumentCandidates candidates, String owner) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.where = "topic " + topic + " of cluster " + clusterName;
    this.owner = owner;
    this.candidates = Objects.requireNonNull(candidates, "candidates");
    Map<String, Object> config = consumerConfig(consumerConfig);
    this.apiTimeoutMillis = Long.parseLong(config.get(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG).toString().trim());
    this.unreachableAfterMillis = CONTACT_CHECK_MILLIS + 2 * apiTimeoutMillis;
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The settings of the tail consumer: the given ones, without a group, reading committed records only. */
  static Map<String, Object> consumerConfig(Map<String, Object> given) {
    Map<String, Object> config = new HashMap<>(given);
    config.keySet().removeIf(key -> !ConsumerConfig.configNames().contains(key)
        && org.apache.kafka.clients.producer.ProducerConfig.configNames().contains(key)); // producer-only settings
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
    config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, DEFAULT_API_TIMEOUT_MS);
    return config;
  }

  /** The topic and its cluster, for messages ("topic t of cluster c"). */
  public String where() {
    return where;
  }

  /**
   * Adds a callback run whenever the tail brings a new winner (a source shared by several clients gets one from
   * each); runs it at once if a winner is unread.
   */
  public void onChange(Runnable callback) {
    callbacks.add(Objects.requireNonNull(callback, "callback"));
    Map<String, String> now = current;
    if (now != null && now != lastReturned && caughtUp.getCount() == 0) {
      callback.run();
    }
  }

  /**
   * The winning document.
   *
   * @throws IOException when the topic has not been read to its end, the control cluster does not answer, or
   *     no valid document has been read; the message says which
   */
  public Map<String, String> read() throws IOException {
    boolean wait;
    synchronized (this) {
      if (closed) {
        throw new IOException("the authority source of " + where + " is closed");
      }
      if (thread == null) {
        thread = new Thread(this::run, "turnout-authority-topic-" + owner);
        thread.setDaemon(true);
        thread.start();
      }
      wait = firstRead;
      firstRead = false;
    }
    if (wait) {
      awaitCaughtUp();
    }
    if (closed) {
      throw new IOException("the authority source of " + where + " is closed");
    }
    String error = lastError;
    if (caughtUp.getCount() > 0) {
      throw new IOException("control cluster unreachable: " + where + " has not been read to its end yet"
          + (error == null ? " (no answer within " + apiTimeoutMillis + " ms)" : " (" + error + ")")
          + "; the source keeps trying");
    }
    Map<String, String> document = current;
    if (document == null) {
      throw new IOException("no document on " + where + " yet" + (skipped > 0 ? ": the " + skipped + " record(s) "
          + "read are not valid documents for this client (the log says why)" : "") + "; publish a valid document "
          + "with a higher epoch");
    }
    long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastContactNanos);
    if (silentMillis > unreachableAfterMillis) {
      throw new IOException("control cluster unreachable: no answer for more than " + unreachableAfterMillis
          + " ms while tailing "
          + where + (error == null ? "" : " (" + error + ")") + "; the document of epoch "
          + candidates.winnerEpoch() + " read before is not confirmed");
    }
    lastReturned = document;
    return document;
  }

  /** Waits for the read to the end at start, at most the API timeout, and no longer than until {@link #close()}. */
  private void awaitCaughtUp() throws InterruptedIOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(apiTimeoutMillis);
    try {
      for (long left = deadline - System.nanoTime(); left > 0 && !closed; left = deadline - System.nanoTime()) {
        if (caughtUp.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading " + where);
    }
  }

  private void run() {
    try {
      while (!closed) {
        try {
          if (caughtUp.getCount() > 0) {
            catchUp();
          } else {
            tail();
          }
        } catch (WakeupException | InterruptException e) {
          if (closed) {
            break;
          }
          Thread.interrupted();
        } catch (RuntimeException e) {
          failed(e);
        }
      }
    } catch (Throwable e) {
      log.error("[{}] The reader of {} stopped: {}. The authority map is no longer refreshed from it.", owner, where,
          e.toString(), e);
    } finally {
      try {
        consumer.close(Duration.ZERO);
      } catch (RuntimeException e) {
        log.debug("[{}] Error closing the consumer of {}", owner, where, e);
      }
    }
  }

  private void catchUp() {
    Duration timeout = Duration.ofMillis(apiTimeoutMillis);
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    contact();
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("the topic does not exist: create it with cleanup.policy=compact and one "
          + "partition, or fix the topic name");
    }
    partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    long records = 0;
    while (!closed && !reached(end, timeout)) {
      records += drain(consumer.poll(Duration.ofMillis(POLL_MILLIS)), true);
    }
    if (closed) {
      return;
    }
    lastError = null;
    lastCheckNanos = System.nanoTime();
    caughtUp.countDown();
    log.info("[{}] Read {} to its end ({} partition(s), {} record(s)): {}", owner, where, partitions.size(), records,
        current == null ? "no valid document yet" : "epoch " + candidates.winnerEpoch() + " at "
            + candidates.winnerPlace());
    if (current != null) {
      changed();
    }
  }

  private boolean reached(Map<TopicPartition, Long> end, Duration timeout) {
    for (TopicPartition partition : partitions) {
      if (consumer.position(partition, timeout) < end.getOrDefault(partition, 0L)) {
        return false;
      }
    }
    return true;
  }

  private void tail() {
    drain(consumer.poll(Duration.ofMillis(POLL_MILLIS)), false);
    if (System.nanoTime() - lastCheckNanos > TimeUnit.MILLISECONDS.toNanos(CONTACT_CHECK_MILLIS)) {
      consumer.endOffsets(partitions, Duration.ofMillis(apiTimeoutMillis));
      contact();
      lastCheckNanos = System.nanoTime();
    }
  }

  /** Offers each record; returns how many there were. */
  private int drain(ConsumerRecords<byte[], byte[]> records, boolean history) {
    if (records.isEmpty()) {
      return 0;
    }
    contact();
    boolean won = false;
    ConsumerRecord<byte[], byte[]> winning = null;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      DocumentCandidates.Outcome outcome = candidates.offer(record.value(), place(record), history);
      if (outcome == DocumentCandidates.Outcome.WON) {
        won = true;
        winning = record;
      } else if (outcome == DocumentCandidates.Outcome.SKIPPED) {
        skipped++;
      }
    }
    if (won) {
      current = candidates.winner();
      if (!history) {
        log.info("[{}] New authority document of epoch {} at {} (published {} ms ago)", owner,
            candidates.winnerEpoch(), candidates.winnerPlace(), System.currentTimeMillis() - winning.timestamp());
        changed();
      }
    }
    return records.count();
  }

  private void changed() {
    for (Runnable callback : callbacks) {
      try {
        callback.run();
      } catch (RuntimeException e) {
        log.warn("[{}] A change callback of {} failed; the periodic refresh reads the document", owner, where, e);
      }
    }
  }

  private String place(ConsumerRecord<?, ?> record) {
    return where + " partition " + record.partition() + " offset " + record.offset();
  }

  private void contact() {
    lastContactNanos = System.nanoTime();
  }

  private void failed(RuntimeException e) {
    String message = Redaction.maskUrlCredentials(e.getClass().getSimpleName() + ": " + e.getMessage());
    if (!message.equals(lastError)) {
      log.warn("[{}] Cannot read {} ({}); trying again every {} ms.", owner, where, message, RETRY_MILLIS);
    }
    lastError = message;
    synchronized (pause) {
      if (!closed) {
        try {
          pause.wait(RETRY_MILLIS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Stops the tail and closes its consumer without waiting for the control cluster. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      t = thread;
    }
    synchronized (pause) {
      pause.notifyAll();
    }
    if (t == null) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      t.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
