package dev.turnout.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Sleeping and elapsed-time helpers shared by the harness classes. */
final class Clock {

  private Clock() {}

  /** Sleeps, turning an interrupt into an unchecked failure (with the interrupt flag restored). */
  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  /** Milliseconds since a {@link System#nanoTime()} reading. */
  static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
