package dev.turnout.internal.consumer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer's per-partition state, kept on the polling thread: which cluster each partition is assigned
 * on, whose position is still being established (pending) or could not be (blocked), which records are
 * withheld after a switch (suppressions), what the application paused, was told about, or asked to commit,
 * and the gates that hold every partition (a stale map) or a whole topic (fenced).
 *
 * <p>A partition is consumed only when it is {@link #free}: owned here, not pending, blocked, paused by the
 * application or fenced, and the consumer is not halted.
 */
public final class PartitionBook {

  /** A partition whose position the switch worker is establishing, on the cluster it is assigned on. */
  public record Pending(int cluster, SwitchWorker.Ticket ticket) {}

  private final Map<TopicPartition, Integer> ownedBy = new HashMap<>();
  private final Map<TopicPartition, Pending> pending = new HashMap<>();
  private final Map<TopicPartition, Resolution> blocked = new HashMap<>();
  private final Map<TopicPartition, Withholding> suppressions = new HashMap<>();
  private final Map<TopicPartition, SwitchWorker.Ticket> watches = new HashMap<>();
  private final Set<TopicPartition> userPaused = new HashSet<>();
  private final Set<TopicPartition> announced = new HashSet<>();
  private final Set<TopicPartition> toAnnounce = new LinkedHashSet<>();
  private final Map<TopicPartition, OffsetAndMetadata> requestedCommits = new HashMap<>();
  private final Map<TopicPartition, long[]> localHandovers = new HashMap<>();
  private final Map<String, Long> fencedTopics = new HashMap<>();
  private boolean halted;
  private volatile int pendingCount;
  private volatile int blockedCount;
  private volatile int fencedCount;

  // ---------------------------------------------------------------------------------------------------- ownership

  /** The cluster a partition is assigned on here, or {@code null}. */
  public Integer owner(TopicPartition tp) {
    return ownedBy.get(tp);
  }

  /** Whether the partition is assigned here on that cluster. */
  public boolean ownedOn(TopicPartition tp, int cluster) {
    Integer owner = ownedBy.get(tp);
    return owner != null && owner == cluster;
  }

  public void own(TopicPartition tp, int cluster) {
    ownedBy.put(tp, cluster);
  }

  /** A copy of the partitions assigned here. */
  public Set<TopicPartition> owned() {
    return new HashSet<>(ownedBy.keySet());
  }

  /** The partitions assigned here on a cluster. */
  public List<TopicPartition> ownedOn(int cluster) {
    List<TopicPartition> out = new ArrayList<>();
    ownedBy.forEach((tp, c) -> {
      if (c == cluster) {
        out.add(tp);
      }
    });
    return out;
  }

  /** The partition is no longer assigned here: drops its ownership and every piece of its state. */
  public void release(TopicPartition tp) {
    ownedBy.remove(tp);
    forget(tp);
  }

  /** Drops every piece of per-partition state but the ownership, cancelling the worker's requests. */
  public void forget(TopicPartition tp) {
    Pending p = pending.remove(tp);
    if (p != null) {
      p.ticket().cancel();
    }
    SwitchWorker.Ticket watch = watches.remove(tp);
    if (watch != null) {
      watch.cancel();
    }
    blocked.remove(tp);
    suppressions.remove(tp);
    userPaused.remove(tp);
    requestedCommits.remove(tp);
    announced.remove(tp);
    toAnnounce.remove(tp);
    updateCounts();
  }

  /** Forgets everything (unsubscribe), cancelling the worker's requests. */
  public void clear() {
    cancelAll();
    pending.clear();
    watches.clear();
    blocked.clear();
    suppressions.clear();
    ownedBy.clear();
    userPaused.clear();
    fencedTopics.clear();
    announced.clear();
    toAnnounce.clear();
    requestedCommits.clear();
    localHandovers.clear();
    updateCounts();
  }

  /** Cancels every request of the worker (close). */
  public void cancelAll() {
    pending.values().forEach(p -> p.ticket().cancel());
    watches.values().forEach(SwitchWorker.Ticket::cancel);
  }

  // ------------------------------------------------------------------------------------------------------- gates

  /** Whether the partition may be fetched: see the class comment. */
  public boolean free(TopicPartition tp) {
    return ownedBy.containsKey(tp) && !halted && !pending.containsKey(tp) && !blocked.containsKey(tp)
        && !userPaused.contains(tp) && !fencedTopics.containsKey(tp.topic());
  }

  /** Whether the partition's position is established (neither pending nor blocked). */
  public boolean settled(TopicPartition tp) {
    return !pending.containsKey(tp) && !blocked.containsKey(tp);
  }

  /** Whether records of the partition fetched from {@code cluster} may be delivered. */
  public boolean deliverable(TopicPartition tp, int cluster) {
    return ownedOn(tp, cluster) && settled(tp) && !fencedTopics.containsKey(tp.topic());
  }

  /** Whether nothing withholds records of owned partitions: the steady state. */
  public boolean unrestricted() {
    return blocked.isEmpty() && suppressions.isEmpty() && fencedTopics.isEmpty();
  }

  public boolean halted() {
    return halted;
  }

  public void halted(boolean halted) {
    this.halted = halted;
  }

  // ----------------------------------------------------------------------------------------------------- pending

  public Pending pending(TopicPartition tp) {
    return pending.get(tp);
  }

  public boolean isPending(TopicPartition tp) {
    return pending.containsKey(tp);
  }

  public boolean anyPending() {
    return !pending.isEmpty();
  }

  /** Records a request, cancelling the one it replaces. */
  public void pending(TopicPartition tp, Pending p) {
    Pending previous = pending.put(tp, p);
    if (previous != null) {
      previous.ticket().cancel();
    }
    updateCounts();
  }

  /** The requests that have completed (still recorded: take each with {@link #removePending(TopicPartition, Pending)}). */
  public List<Pending> completed() {
    List<Pending> done = new ArrayList<>();
    for (Pending p : pending.values()) {
      if (p.ticket().result().isDone()) {
        done.add(p);
      }
    }
    return done;
  }

  /** Removes the request if it is still the partition's current one; returns whether it was. */
  public boolean removePending(TopicPartition tp, Pending p) {
    if (pending.get(tp) != p) {
      return false;
    }
    pending.remove(tp);
    updateCounts();
    return true;
  }

  /** Removes the request of a partition (not cancelled), or returns {@code null}. */
  public Pending removePending(TopicPartition tp) {
    Pending p = pending.remove(tp);
    updateCounts();
    return p;
  }

  // ------------------------------------------------------------------------------------ blocked, suppressed, watched

  public Resolution blocked(TopicPartition tp) {
    return blocked.get(tp);
  }

  public void block(TopicPartition tp, Resolution r) {
    blocked.put(tp, r);
    updateCounts();
  }

  public Resolution unblock(TopicPartition tp) {
    Resolution r = blocked.remove(tp);
    updateCounts();
    return r;
  }

  /** The records withheld from the partition now, or {@code null} (the usual case). */
  public Withholding suppression(TopicPartition tp) {
    return suppressions.get(tp);
  }

  public void suppress(TopicPartition tp, Withholding w) {
    suppressions.put(tp, w);
  }

  public void endSuppression(TopicPartition tp) {
    suppressions.remove(tp);
  }

  /** Keeps a rewound partition's request alive to count the duplicates it admits. */
  public void watch(TopicPartition tp, SwitchWorker.Ticket ticket) {
    watches.put(tp, ticket);
  }

  // ------------------------------------------------------------------------------------------- application's view

  public Set<TopicPartition> userPaused() {
    return Set.copyOf(userPaused);
  }

  public void userPause(Collection<TopicPartition> partitions) {
    userPaused.addAll(partitions);
  }

  public void userResume(TopicPartition tp) {
    userPaused.remove(tp);
  }

  public boolean announced(TopicPartition tp) {
    return announced.contains(tp);
  }

  /** The application was told about these partitions ({@code onPartitionsAssigned}). */
  public void announced(Collection<TopicPartition> partitions) {
    announced.addAll(partitions);
  }

  /** Tell the application about this partition once it can be consumed. */
  public void toAnnounce(TopicPartition tp) {
    toAnnounce.add(tp);
  }

  /** The partitions to announce now (owned, settled, not announced yet), marked announced; the rest are dropped. */
  public List<TopicPartition> takeAnnouncements() {
    if (toAnnounce.isEmpty()) {
      return List.of();
    }
    List<TopicPartition> ready = new ArrayList<>();
    for (TopicPartition tp : toAnnounce) {
      if (ownedBy.containsKey(tp) && settled(tp) && announced.add(tp)) {
        ready.add(tp);
      }
    }
    toAnnounce.clear();
    return ready;
  }

  /** The last offset the application asked to commit for the partition, or {@code null}. */
  public OffsetAndMetadata requested(TopicPartition tp) {
    return requestedCommits.get(tp);
  }

  public void requested(Map<TopicPartition, OffsetAndMetadata> offsets) {
    requestedCommits.putAll(offsets);
  }

  public void forgetRequested(TopicPartition tp) {
    requestedCommits.remove(tp);
  }

  /** Without a group: the position this consumer handed over itself, to search from after reassignment. */
  public void localHandover(TopicPartition tp, long offset, long millis) {
    localHandovers.put(tp, new long[] {offset, millis});
  }

  /** Removes and returns {offset, millis} of a local handover, or {@code null}. */
  public long[] takeLocalHandover(TopicPartition tp) {
    return localHandovers.remove(tp);
  }

  // ------------------------------------------------------------------------------------------------------ fences

  /** Fences a topic at an epoch; returns whether it was not fenced before. */
  public boolean fence(String topic, long epoch) {
    Long previous = fencedTopics.put(topic, Math.max(epoch, fencedTopics.getOrDefault(topic, -1L)));
    updateCounts();
    return previous == null;
  }

  public boolean anyFenced() {
    return !fencedTopics.isEmpty();
  }

  public boolean fenced(String topic) {
    return fencedTopics.containsKey(topic);
  }

  /** The fenced topics and the epoch each waits for. */
  /** The fenced topics (a live view: polling thread only). */
  public Set<String> fencedTopics() {
    return Collections.unmodifiableSet(fencedTopics.keySet());
  }

  public Map<String, Long> fences() {
    return Map.copyOf(fencedTopics);
  }

  public void unfence(String topic) {
    fencedTopics.remove(topic);
    updateCounts();
  }

  // ------------------------------------------------------------------------------------------------------ gauges

  private void updateCounts() {
    pendingCount = pending.size();
    blockedCount = blocked.size();
    fencedCount = fencedTopics.size();
  }

  /** The partitions whose position is being established (a live view: polling thread only). */
  public Set<TopicPartition> pendingPartitions() {
    return Collections.unmodifiableSet(pending.keySet());
  }

  /** The blocked partitions and why (a live view: polling thread only). */
  public Map<TopicPartition, Resolution> blockedPartitions() {
    return Collections.unmodifiableMap(blocked);
  }

  /** For gauges, from any thread. */
  public int pendingCount() {
    return pendingCount;
  }

  public int blockedCount() {
    return blockedCount;
  }

  public int fencedCount() {
    return fencedCount;
  }
}
