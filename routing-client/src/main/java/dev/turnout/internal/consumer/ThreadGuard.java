package dev.turnout.internal.consumer;

import java.util.ConcurrentModificationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single-thread guard of a consumer, as {@code KafkaConsumer} has it: one thread at a time may be inside
 * the consumer (re-entrant, so that rebalance callbacks can call back in), and nothing but closing works
 * once it is closed.
 */
public final class ThreadGuard {

  private static final long NO_CURRENT_THREAD = -1L;

  private final AtomicLong currentThread = new AtomicLong(NO_CURRENT_THREAD);
  private final AtomicInteger refcount = new AtomicInteger();
  private final String owner;
  private volatile boolean closed;
  private volatile boolean closing;

  /** @param owner the class name used in the {@link ConcurrentModificationException} message */
  public ThreadGuard(String owner) {
    this.owner = owner;
  }

  /** Enters from the current thread, failing if the consumer is closed. Pair with {@link #release()}. */
  public void acquireOpen() {
    acquire();
    if (closed) {
      release();
      throw new IllegalStateException("This consumer has already been closed.");
    }
  }

  /** Enters from the current thread. Pair with {@link #release()}. */
  public void acquire() {
    long threadId = Thread.currentThread().getId();
    if (threadId != currentThread.get() && !currentThread.compareAndSet(NO_CURRENT_THREAD, threadId)) {
      throw new ConcurrentModificationException(owner + " is not safe for multi-threaded access");
    }
    refcount.incrementAndGet();
  }

  /** Leaves. */
  public void release() {
    if (refcount.decrementAndGet() == 0) {
      currentThread.set(NO_CURRENT_THREAD);
    }
  }

  /** Whether {@link #startClosing()} or {@link #markClosed()} was called. */
  public boolean closingOrClosed() {
    return closed || closing;
  }

  /** Whether a close is in progress (the consumer stays usable from its rebalance callbacks until it ends). */
  public boolean closing() {
    return closing;
  }

  /** A close begins. */
  public void startClosing() {
    closing = true;
  }

  /** The close ended: every later {@link #acquireOpen()} fails. */
  public void markClosed() {
    closed = true;
  }
}
