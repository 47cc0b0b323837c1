package dev.turnout.internal.cutover;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The barrier of one topic's moved slices at one cutover. Sends for those slices queue here, in order,
 * until the records this producer sent to the old owners are acknowledged (and, with the replicated
 * barrier, visible on the new owners); then they are released in order, and later sends go straight to
 * the new owner. If {@code turnout.cutover.max.pause.ms} passes first, the waiting sends fail and new ones
 * are refused until the barrier completes after all.
 */
public final class TopicBarrier {

  /** Where the barrier stands. */
  public enum State {
    /** Waiting for acknowledgements or replication: sends queue. */
    WAITING,
    /** Complete; the queued sends are being released in order: sends still queue. */
    RELEASING,
    /** Complete and drained: sends go straight to the new owner. */
    OPEN,
    /** Timed out: sends are refused until the barrier completes after all. */
    FAILED
  }

  /** The result of {@link #offer}. */
  public enum Offer {
    /** Queued; it will be released or refused in order. */
    QUEUED,
    /** The barrier is open: send it straight to its owner. */
    OPEN,
    /** The barrier timed out: refuse it ({@link #failure()}). */
    FAILED,
    /** No room within {@code turnout.cutover.buffer.bytes} before {@code max.block.ms}. */
    BUFFER_EXHAUSTED
  }

  private final CutoverCoordinator coordinator;
  private final Transition transition;
  private final String topic;
  private final long waitStartNanos;
  private final ArrayDeque<QueuedSend> queue = new ArrayDeque<>(); // guarded by this
  private long enqueued; // guarded by this
  private long handled; // guarded by this
  private volatile State state = State.WAITING;
  private volatile BarrierFailure failure;
  private volatile String phase = "waiting for the grace period of the cutover";
  private volatile List<Watched> watched = List.of();
  private volatile String advice = "";
  final CompletableFuture<Void> settled = new CompletableFuture<>();
  /** The reconciliation check of a rolled-back slice, once the barrier reached it; {@code null} before or without. */
  volatile RollbackCheck rollback;
  /** Set when its cutover left the view: nothing consults the barrier any more, so nothing need check for it. */
  volatile boolean retired;

  TopicBarrier(CutoverCoordinator coordinator, Transition transition, String topic, long waitStartNanos) {
    this.coordinator = coordinator;
    this.transition = transition;
    this.topic = topic;
    this.waitStartNanos = waitStartNanos;
  }

  /** The topic whose moved slices this barrier guards. */
  public String topic() {
    return topic;
  }

  /** The epoch of the cutover. */
  public long epoch() {
    return transition.epoch();
  }

  /** The current state. */
  public State state() {
    return state;
  }

  /** Why the barrier failed, or {@code null} while it has not. */
  public BarrierFailure failure() {
    return failure;
  }

  /**
   * Queues a send, waiting up to {@code maxBlockNanos} for room in the cutover buffer. Not for
   * transactions: see {@link #awaitSettled(long)}.
   */
  public Offer offer(QueuedSend send, long maxBlockNanos) throws InterruptedException {
    State s = state;
    if (s == State.OPEN) {
      return Offer.OPEN;
    }
    if (s == State.FAILED) {
      return Offer.FAILED;
    }
    long size = send.sizeInBytes();
    if (!coordinator.budget().reserve(size, maxBlockNanos)) {
      return Offer.BUFFER_EXHAUSTED;
    }
    synchronized (this) {
      s = state;
      if (s == State.OPEN || s == State.FAILED) {
        coordinator.budget().release(size);
        return s == State.OPEN ? Offer.OPEN : Offer.FAILED;
      }
      queue.addLast(send);
      enqueued++;
    }
    coordinator.queued(1);
    return Offer.QUEUED;
  }

  /**
   * Waits up to {@code nanos} until the barrier is open or failed, for a send in a transaction (which is
   * not queued: it waits in {@code send}, bounded by {@code max.block.ms}).
   *
   * @return whether it is open or failed now
   */
  public boolean awaitSettled(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    synchronized (this) {
      while (state != State.OPEN && state != State.FAILED) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }

  /** Waits until every send queued before the call was released or refused; {@code false} on timeout. */
  boolean awaitHandled(long deadlineNanos) throws InterruptedException {
    synchronized (this) {
      long target = enqueued;
      while (handled < target) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }

  void phase(String description) {
    phase = description;
  }

  String phase() {
    return phase;
  }

  /** The replication searches of stage 3, consulted at the deadline for evidence that anything replicates. */
  void watching(List<Watched> searches) {
    watched = List.copyOf(searches);
  }

  List<Watched> watched() {
    return watched;
  }

  /** What the timeout refusal advised beyond the phase (empty when nothing), for the log line. */
  String advice() {
    return advice;
  }

  /**
   * When the barrier waits for replication and the new owner's searched partitions never showed a single record
   * routed to the old owner (no {@code turnout.route} origin of the old owner's alias), nothing seems to replicate
   * the old owner there at all: says so and names the setting for that setup. Empty when replication shows
   * (merely slow) or the barrier waits for something else.
   */
  String noReplicationAdvice() {
    List<String> silent = new ArrayList<>();
    for (Watched w : watched) {
      if (!w.watcher().hasSeenRecordsFrom(w.from())) {
        silent.add("'" + w.from() + "' to '" + w.to() + "'");
      }
    }
    if (silent.isEmpty()) {
      return "";
    }
    return " No record written to the old owner was ever found on the new owner (" + String.join(", ", silent)
        + "): nothing seems to replicate it there. If nothing replicates the old owner to the new one in this setup, "
        + "set turnout.cutover.barrier=drained (it waits for the old owner's acknowledgements only); otherwise "
        + "check that replication of topic '" + topic + "' is running and keeps topic names and partitions.";
  }

  /** A replication search: records written to {@code from}, searched on {@code to} by {@code watcher}. */
  record Watched(String from, String to, ReplicationWatcher watcher) {}

  /** Sends queued here now (for status reports). */
  synchronized int queuedCount() {
    return queue.size();
  }

  long waitStartNanos() {
    return waitStartNanos;
  }

  Transition transition() {
    return transition;
  }

  /** Completes the barrier: releases the queue in order (on the release thread), then opens. */
  void release() {
    boolean wasFailed;
    synchronized (this) {
      if (state == State.OPEN) {
        return;
      }
      wasFailed = state == State.FAILED;
      state = State.RELEASING;
    }
    long released = 0;
    while (true) {
      QueuedSend[] batch;
      synchronized (this) {
        if (queue.isEmpty()) {
          state = State.OPEN;
          notifyAll();
          break;
        }
        batch = queue.toArray(new QueuedSend[0]);
        queue.clear();
      }
      for (QueuedSend send : batch) {
        try {
          send.release();
        } catch (RuntimeException e) {
          coordinator.log().error("[{}] A send released at the cutover barrier of topic '{}' threw", coordinator.clientId(),
              topic, e);
        } finally {
          markHandled(send);
        }
      }
      released += batch.length;
    }
    settled.complete(null);
    coordinator.opened(this, wasFailed, released);
  }

  /** Fails the barrier if it is still waiting at its deadline. */
  void expire(String message, String advice) {
    BarrierFailure f = new BarrierFailure(BarrierFailure.Kind.TIMEOUT, topic, transition.epoch(), message);
    List<QueuedSend> failed = fail(f, advice);
    if (failed != null) {
      coordinator.expired(this, failed.size()); // counted and logged before any caller sees a failure
      settled.complete(null);
      refuseAll(failed, f);
    }
  }

  /**
   * Fails the barrier because its rolled-back slice is not proven reconciled (at its deadline, or at once when
   * the reconciliation fails or is missing), if it is still waiting. It keeps checking: it opens after all once
   * the records are reconciled.
   */
  void rollbackFailed(String message) {
    BarrierFailure f = new BarrierFailure(BarrierFailure.Kind.ROLLBACK_NOT_RECONCILED, topic, transition.epoch(),
        message);
    List<QueuedSend> failed = fail(f, "");
    if (failed != null) {
      coordinator.rollbackFailed(this, failed.size(), message);
      settled.complete(null);
      refuseAll(failed, f);
    }
  }

  /** Moves a waiting barrier to FAILED; returns the sends to refuse, or {@code null} if it was not waiting. */
  private List<QueuedSend> fail(BarrierFailure f, String advice) {
    synchronized (this) {
      if (state != State.WAITING) {
        return null;
      }
      failure = f;
      this.advice = advice;
      state = State.FAILED;
      List<QueuedSend> failed = List.copyOf(queue);
      queue.clear();
      notifyAll();
      return failed;
    }
  }

  /** Refuses everything still queued because the producer is closing. */
  void close(String message) {
    List<QueuedSend> failed;
    synchronized (this) {
      failed = List.copyOf(queue);
      queue.clear();
      if (state != State.OPEN) {
        failure = new BarrierFailure(BarrierFailure.Kind.CLOSED, topic, transition.epoch(), message);
        state = State.FAILED;
      }
      notifyAll();
    }
    settled.complete(null);
    refuseAll(failed, new BarrierFailure(BarrierFailure.Kind.CLOSED, topic, transition.epoch(), message));
  }

  private void refuseAll(List<QueuedSend> sends, BarrierFailure f) {
    for (QueuedSend send : sends) {
      try {
        send.refuse(f);
      } catch (RuntimeException e) {
        coordinator.log().error("[{}] Refusing a send at the cutover barrier of topic '{}' threw", coordinator.clientId(),
            topic, e);
      } finally {
        markHandled(send);
      }
    }
  }

  /** A queued send was released or refused: its buffer share is given back and it counts as handled. */
  private void markHandled(QueuedSend send) {
    coordinator.budget().release(send.sizeInBytes());
    synchronized (this) {
      handled++;
      notifyAll();
    }
    coordinator.queued(-1);
  }

  @Override
  public String toString() {
    return "TopicBarrier{" + topic + " at epoch " + transition.epoch() + ", " + state + '}';
  }
}
