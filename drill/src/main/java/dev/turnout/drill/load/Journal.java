package dev.turnout.drill.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every send outcome and every processed record of a drill, appended from the producer callbacks and the consumer
 * threads, with running counters for the live progress line. Thread-safe.
 */
public final class Journal {

  private final long startNanos;
  private final ConcurrentLinkedQueue<SendOutcome> sends = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Processed> processed = new ConcurrentLinkedQueue<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong processings = new AtomicLong();

  /** A journal whose times count from {@code startNanos} ({@link System#nanoTime()}). */
  public Journal(long startNanos) {
    this.startNanos = startNanos;
  }

  /** Milliseconds since the drill started. */
  public long nowMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** Counts a record about to be sent. */
  public void sent() {
    sent.incrementAndGet();
  }

  /** Appends a send's outcome. */
  public void record(SendOutcome outcome) {
    sends.add(outcome);
    (outcome.acknowledged() ? acknowledged : refused).incrementAndGet();
  }

  /** Appends a processed record, numbering it in processing order. */
  public void process(int member, String key, long sequence, String cluster, int partition, long offset, String id) {
    long order = processings.getAndIncrement();
    processed.add(new Processed(order, member, nowMillis(), key, sequence, cluster, partition, offset, id));
  }

  /** Records sent so far. */
  public long sentCount() {
    return sent.get();
  }

  /** Records acknowledged so far. */
  public long acknowledgedCount() {
    return acknowledged.get();
  }

  /** Sends failed so far (refused or otherwise failed). */
  public long failedCount() {
    return refused.get();
  }

  /** Records processed so far (duplicates included). */
  public long processedCount() {
    return processings.get();
  }

  /** A copy of every send outcome so far. */
  public List<SendOutcome> sends() {
    return new ArrayList<>(sends);
  }

  /** A copy of every processed record so far, in processing order. */
  public List<Processed> processed() {
    List<Processed> all = new ArrayList<>(processed);
    all.sort((a, b) -> Long.compare(a.order(), b.order()));
    return all;
  }
}
