package dev.turnout.internal.cluster;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A {@link Clock} that advances with a monotonic nanosecond ticker ({@link System#nanoTime()} by default)
 * instead of the wall clock, for timing waits such as a circuit breaker's open state: a wall clock set back
 * or forward (NTP step, VM resume) neither stretches nor skips them. Its instants are only meaningful
 * relative to each other.
 */
final class MonotonicClock extends Clock {

  private final LongSupplier nanoTime;

  MonotonicClock(LongSupplier nanoTime) {
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** A clock over {@link System#nanoTime()}. */
  static MonotonicClock system() {
    return new MonotonicClock(System::nanoTime);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return Math.floorDiv(nanoTime.getAsLong(), 1_000_000L);
  }

  @Override
  public Instant instant() {
    long nanos = nanoTime.getAsLong();
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
