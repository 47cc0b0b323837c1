package dev.turnout.internal.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one client instance's status to the status topic on its own daemon thread: at start, when
 * {@link #changed()} is called (epoch applied), when the {@link Source#changeSignature()} differs from the last
 * published one (checked every {@value #CHECK_MILLIS} ms: breaker states, barriers, read clusters), and every
 * interval. Requests arriving while a publication is under way are coalesced into the next one. Nothing here
 * runs on the client's send or poll path, and nothing waits for the status cluster there: a failed publication
 * is logged at WARN once per outage (until one succeeds again) and counted in the next status published. On
 * {@link #close(Duration)} the instance's key gets a tombstone.
 */
public final class StatusPublisher implements AutoCloseable {

  /** How often the change signature is compared, in milliseconds. */
  public static final long CHECK_MILLIS = 250;

  private static final Logger log = LoggerFactory.getLogger(StatusPublisher.class);

  /** What to publish. */
  public interface Source {
    /** The record value now. */
    byte[] render(Instant publishedAt, long publishFailures);

    /** A cheap value that changes when something worth publishing at once changed. */
    long changeSignature();
  }

  private final String clientId;
  private final String topic;
  private final String where;
  private final byte[] key;
  private final Supplier<Producer<byte[], byte[]>> factory;
  private final Source source;
  private final long intervalMillis;
  private final Object lock = new Object();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final Thread thread;
  private boolean requested = true; // guarded by lock; the first publication is at start
  private boolean closing; // guarded by lock
  private volatile boolean failing;
  /** Set when {@link #close} gave up waiting for the thread, which then closes the producer itself. */
  private volatile boolean abandoned;
  private Producer<byte[], byte[]> producer; // publisher thread, then the closing thread after it ended

  /**
   * @param where a description of the status cluster for log lines (its bootstrap servers or alias; no secret)
   * @param instanceId the record key
   * @param factory creates the producer on the publisher thread (so an unreachable cluster never fails the
   *     client's construction); retried at the next publication when it throws
   */
  public StatusPublisher(String clientId, String topic, String where, String instanceId,
      Supplier<Producer<byte[], byte[]>> factory, Source source, long intervalMillis) {
    this.clientId = clientId;
    this.topic = topic;
    this.where = where;
    this.key = instanceId.getBytes(StandardCharsets.UTF_8);
    this.factory = factory;
    this.source = source;
    this.intervalMillis = intervalMillis;
    this.thread = new Thread(this::run, "turnout-status-" + clientId);
    thread.setDaemon(true);
  }

  /** Starts publishing (the first status at once). */
  public void start() {
    thread.start();
  }

  /** Something changed: publish soon (coalesced with other requests). Never blocks for I/O. */
  public void changed() {
    synchronized (lock) {
      requested = true;
      lock.notifyAll();
    }
  }

  /** Publications that failed since the client opened. */
  public long failures() {
    return failures.get();
  }

  /** Publications the status cluster acknowledged since the client opened. */
  public long published() {
    return published.get();
  }

  private void run() {
    try {
      loop();
    } finally {
      if (abandoned && producer != null) { // close() stopped waiting for this thread: nobody else will close it
        producer.close(Duration.ZERO);
      }
    }
  }

  private void loop() {
    long nextDue = System.nanoTime();
    long lastSignature = source.changeSignature();
    while (true) {
      boolean due;
      synchronized (lock) {
        long untilDue = TimeUnit.NANOSECONDS.toMillis(nextDue - System.nanoTime());
        long wait = Math.min(CHECK_MILLIS, untilDue);
        if (!requested && !closing && wait > 0) {
          try {
            lock.wait(wait);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closing) {
          return;
        }
        due = requested || System.nanoTime() - nextDue >= 0;
        requested = false;
      }
      long signature = source.changeSignature();
      if (due || signature != lastSignature) {
        lastSignature = signature;
        publish();
        nextDue = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(intervalMillis);
      }
    }
  }

  private void publish() {
    try {
      if (producer == null) {
        producer = factory.get();
      }
      byte[] value = source.render(Instant.now(), failures.get());
      producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
        if (error == null) {
          succeeded();
        } else {
          failed(error);
        }
      });
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private void succeeded() {
    published.incrementAndGet();
    if (failing) {
      failing = false;
      log.info("[{}] Status publication to topic '{}' on {} works again ({} failed publications since the client "
          + "opened)", clientId, topic, where, failures.get());
    }
  }

  private void failed(Exception error) {
    failures.incrementAndGet();
    if (!failing) {
      failing = true;
      log.warn("[{}] Could not publish this client's status to topic '{}' on {}: {}. The client's own traffic is "
          + "not affected; publication is retried every {} ms and this is logged once until it works again. If the "
          + "topic does not exist, create it compacted (kafka-topics.sh --create --topic {} --config "
          + "cleanup.policy=compact); Turnout does not create it.", clientId, topic, where, error.toString(),
          intervalMillis, topic);
    }
  }

  /**
   * Stops publishing and writes the tombstone of this instance (a {@code null} value), waiting at most
   * {@code timeout} for the thread, the tombstone and the producer's close.
   */
  public void close(Duration timeout) {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    synchronized (lock) {
      closing = true;
      lock.notifyAll();
    }
    try {
      thread.join(Math.max(1, remaining(deadline).toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      abandoned = true;
      thread.interrupt(); // stuck creating the producer or sending: give up on the tombstone
      try {
        thread.join(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!thread.isAlive() && producer != null) {
        producer.close(Duration.ZERO); // it may have ended before it saw the flag (closing twice is harmless)
      }
      log.warn("[{}] The status publisher did not stop within {}; no tombstone written to topic '{}'", clientId,
          timeout, topic);
      return;
    }
    if (producer == null) {
      return; // nothing was ever published
    }
    if (published.get() == 0 && failures.get() > 0) {
      producer.close(Duration.ZERO); // nothing of this instance reached the topic: nothing to remove
      return;
    }
    try {
      producer.send(new ProducerRecord<>(topic, key, null)).get(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("[{}] Could not write the tombstone of this instance to status topic '{}' on {}: {}", clientId,
          topic, where, e.toString());
    } finally {
      try {
        producer.close(remaining(deadline));
      } catch (RuntimeException e) {
        log.warn("[{}] Closing the status producer failed: {}", clientId, e.toString());
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }
}
