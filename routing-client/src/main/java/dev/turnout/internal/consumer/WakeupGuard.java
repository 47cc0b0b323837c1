package dev.turnout.internal.consumer;

import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * {@code wakeup()} across several clients: remembers a wakeup requested from another thread, forwards it to
 * the client the consumer is blocked in, and makes the current (or next) call throw {@link WakeupException}
 * exactly once. A client left armed by a wakeup that was already delivered does not throw a second time.
 */
public final class WakeupGuard {

  private volatile boolean requested;
  private volatile Consumer<?, ?> blocking;

  /** From any thread: interrupts the blocking call, or the next one. */
  public void wakeup() {
    requested = true;
    Consumer<?, ?> d = blocking;
    if (d != null) {
      d.wakeup();
    }
  }

  /** Throws {@link WakeupException} if a wakeup is pending (and clears it). */
  public void check() {
    if (requested) {
      requested = false;
      throw new WakeupException();
    }
  }

  /** Runs a call on a client, so that a wakeup reaches it; a stale wakeup left on the client is retried once. */
  public <T> T call(Consumer<?, ?> d, Supplier<T> call) {
    Consumer<?, ?> previous = blocking;
    blocking = d;
    try {
      if (requested) {
        check();
      }
      return call.get();
    } catch (WakeupException e) {
      if (requested) {
        requested = false;
        throw e;
      }
      return call.get();
    } finally {
      blocking = previous;
    }
  }

  /** Runs a call that returns nothing; see {@link #call(Consumer, Supplier)}. */
  public void run(Consumer<?, ?> d, Runnable call) {
    call(d, () -> {
      call.run();
      return null;
    });
  }

  /** Polls a client; a stale wakeup left on the client yields an empty batch instead of an exception. */
  public <K, V> ConsumerRecords<K, V> poll(Consumer<K, V> d, Duration wait) {
    Consumer<?, ?> previous = blocking;
    blocking = d;
    try {
      if (requested) {
        check();
      }
      return d.poll(wait);
    } catch (WakeupException e) {
      if (requested) {
        requested = false;
        throw e;
      }
      return ConsumerRecords.empty();
    } finally {
      blocking = previous;
    }
  }

  /** Sleeps (nothing to poll), as an interruptible Kafka call would. */
  public static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }
}
