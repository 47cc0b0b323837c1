package dev.turnout.internal.cutover;

import dev.turnout.authority.AuthorityMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a send routes by: the authority map in force and the cutovers still unsettled, published together
 * so that no send sees a new map without its barriers. Obtained from {@link CutoverCoordinator#enter()}
 * and released with {@link #exit()} once the send has been handed to a cluster client or queued: a
 * cutover starts waiting for acknowledgements only after every send that routed by an older view has
 * exited (a grace period, counted in per-thread stripes so that entering costs no shared write).
 */
public final class View {

  private static final int STRIPES = stripes();
  private static final int PAD = 8; // longs per stripe: one 64-byte cache line

  private final AuthorityMap map;
  private final Transition[] transitions;
  private final AtomicLongArray active = new AtomicLongArray(STRIPES * PAD);

  View(AuthorityMap map, Transition[] transitions) {
    this.map = map;
    this.transitions = transitions;
  }

  private static int stripes() {
    int wanted = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
    return Math.min(256, Integer.highestOneBit(wanted - 1) << 1);
  }

  static int stripe() {
    @SuppressWarnings("deprecation")
    long id = Thread.currentThread().getId();
    int h = (int) ((id * 0x9E3779B97F4A7C15L) >>> 40);
    return (h & (STRIPES - 1)) * PAD;
  }

  /** The authority map in force, or {@code null} before the first one. */
  public AuthorityMap map() {
    return map;
  }

  /** Whether no cutover is unsettled: every send routes straight to its owner. One field read. */
  public boolean settled() {
    return transitions.length == 0;
  }

  /**
   * Whether {@link #barrierFor} needs the key bucket of a write to {@code topic} routed by a map of
   * {@code routingEpoch} (it does not when no unsettled cutover moved the topic, or moved all of it).
   */
  public boolean needsBucket(String topic, long routingEpoch) {
    for (int i = transitions.length - 1; i >= 0; i--) {
      Transition t = transitions[i];
      if (t.epoch() <= routingEpoch) {
        TopicMoves moves = t.moves(topic);
        if (moves.needsBucket()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The barrier a write must pass: the one of the latest unsettled cutover (up to {@code routingEpoch})
   * that moved the write's slice, or {@code null} when none did and the write may go straight to its owner.
   *
   * @param bucket the key bucket, {@code -1} for a null key; ignored when {@link #needsBucket} is false
   */
  public TopicBarrier barrierFor(String topic, long routingEpoch, int bucket) {
    for (int i = transitions.length - 1; i >= 0; i--) {
      Transition t = transitions[i];
      if (t.epoch() <= routingEpoch && t.moves(topic).moved(bucket)) {
        return t.barrier(topic);
      }
    }
    return null;
  }

  /** Leaves the view; call exactly once per {@link CutoverCoordinator#enter()}, from the same thread. */
  public void exit() {
    active.getAndDecrement(stripe());
  }

  void enter(int stripe) {
    active.getAndIncrement(stripe);
  }

  void leave(int stripe) {
    active.getAndDecrement(stripe);
  }

  /** Whether no send is inside this view. Once retired (no longer current), stays true once true. */
  boolean quiescent() {
    for (int i = 0; i < STRIPES; i++) {
      if (active.get(i * PAD) != 0) {
        return false;
      }
    }
    return true;
  }

  Transition[] transitions() {
    return transitions;
  }

  long epoch() {
    return map == null ? -1 : map.epoch();
  }
}
