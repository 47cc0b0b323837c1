package dev.turnout.internal.consumer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Deadlines on {@link System#nanoTime()} for calls that share one timeout between several clients. */
public final class Deadlines {

  /** Longer timeouts are treated as "as long as it takes" (and kept clear of overflow). */
  public static final long MAX_WAIT_NANOS = TimeUnit.DAYS.toNanos(365);

  private Deadlines() {}

  /** The deadline {@code timeout} from now (a negative timeout is zero). */
  public static long of(Duration timeout) {
    return System.nanoTime() + Math.min(Math.max(0, timeout.toNanos()), MAX_WAIT_NANOS);
  }

  /** What is left until the deadline, never negative. */
  public static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }
}
