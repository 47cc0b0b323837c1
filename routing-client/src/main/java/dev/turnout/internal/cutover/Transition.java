package dev.turnout.internal.cutover;

import dev.turnout.authority.AuthorityMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One cutover: the install of {@code current} after {@code previous}. Its barriers, one per topic with moved
 * slices, are created when the grace period ends (for every topic this producer wrote to an old owner) or
 * on the first send for a moved slice, whichever comes first.
 */
final class Transition {

  private static final int MOVES_CACHE_LIMIT = 100_000;

  private final CutoverCoordinator coordinator;
  private final AuthorityMap previous;
  private final RoutingHistory history;
  private final AuthorityMap current;
  private final TargetTenures.Snapshot tenures;
  private final long startNanos = System.nanoTime();
  private final ConcurrentHashMap<String, TopicMoves> moves = new ConcurrentHashMap<>();
  private final Map<String, TopicBarrier> barriers = new LinkedHashMap<>(); // guarded by this
  /** Completed when every send routed by an older map has been handed over (grace period). */
  final CompletableFuture<Void> quiescence = new CompletableFuture<>();
  private boolean enumerated; // guarded by this
  private final java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param history the maps installed before {@code current}, newest first ({@code previous} is its latest):
   *     moves are computed against the last owner each topic had in it
   */
  Transition(CutoverCoordinator coordinator, RoutingHistory history, AuthorityMap current) {
    this(coordinator, history, current, TargetTenures.Snapshot.EMPTY);
  }

  /**
   * @param tenures since when each slice was on its rule's target, before {@code current} (for rollbacks)
   */
  Transition(CutoverCoordinator coordinator, RoutingHistory history, AuthorityMap current,
      TargetTenures.Snapshot tenures) {
    this.tenures = tenures;
    this.coordinator = coordinator;
    this.history = history;
    this.previous = history.latest();
    this.current = current;
  }

  long epoch() {
    return current.epoch();
  }

  long previousEpoch() {
    return previous.epoch();
  }

  AuthorityMap current() {
    return current;
  }

  /** The rule that last governed {@code topic} before this cutover (what {@link #moves} compares with). */
  dev.turnout.authority.Rule previousRule(String topic) {
    return history.lastRule(topic);
  }

  TargetTenures.Snapshot tenures() {
    return tenures;
  }

  long startNanos() {
    return startNanos;
  }

  /** The slices of {@code topic} this cutover moved (cached). */
  TopicMoves moves(String topic) {
    TopicMoves m = moves.get(topic);
    if (m == null) {
      m = TopicMoves.compute(history, current, topic);
      if (moves.size() < MOVES_CACHE_LIMIT) {
        moves.putIfAbsent(topic, m);
      }
    }
    return m;
  }

  /** The barrier of {@code topic}, created (and started) on first use. */
  TopicBarrier barrier(String topic) {
    TopicBarrier created;
    boolean lateCreation;
    synchronized (this) {
      TopicBarrier existing = barriers.get(topic);
      if (existing != null) {
        return existing;
      }
      lateCreation = enumerated;
      created = new TopicBarrier(coordinator, this, topic, lateCreation ? System.nanoTime() : startNanos);
      barriers.put(topic, created);
    }
    coordinator.started(created, lateCreation);
    return created;
  }

  /** The barrier of {@code topic} if one was created. */
  synchronized TopicBarrier existingBarrier(String topic) {
    return barriers.get(topic);
  }

  synchronized List<TopicBarrier> barriers() {
    return new ArrayList<>(barriers.values());
  }

  /** True exactly once: for the first barrier of this cutover. */
  boolean firstBarrier() {
    return counted.compareAndSet(false, true);
  }

  synchronized void markEnumerated() {
    enumerated = true;
  }

  /** Whether the grace period is over (no send routed by an older map is still on its way). */
  synchronized boolean enumerated() {
    return enumerated;
  }

  /** Whether the grace period is over and every barrier created so far is open. */
  synchronized boolean settled() {
    if (!enumerated) {
      return false;
    }
    for (TopicBarrier barrier : barriers.values()) {
      if (barrier.state() != TopicBarrier.State.OPEN) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "cutover " + previous.epoch() + "->" + current.epoch();
  }
}
