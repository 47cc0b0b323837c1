package dev.turnout.internal.cutover;

import java.util.concurrent.TimeUnit;

/** Bytes of records waiting at cutover barriers, bounded like {@code buffer.memory}; blocking when full. */
final class BufferBudget {

  private final long capacity;
  private long used; // guarded by this

  BufferBudget(long capacity) {
    this.capacity = capacity;
  }

  long capacity() {
    return capacity;
  }

  synchronized long used() {
    return used;
  }

  /**
   * Reserves {@code bytes}, waiting up to {@code timeoutNanos} for others to be released.
   *
   * @return whether the bytes were reserved; {@code false} when the wait timed out or the request alone
   *     exceeds the capacity
   */
  synchronized boolean reserve(long bytes, long timeoutNanos) throws InterruptedException {
    if (bytes > capacity) {
      return false;
    }
    long deadline = System.nanoTime() + timeoutNanos;
    while (used + bytes > capacity) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    used += bytes;
    return true;
  }

  synchronized void release(long bytes) {
    used -= bytes;
    notifyAll();
  }
}
