package dev.turnout;

import dev.turnout.internal.consumer.CommitAggregate;
import dev.turnout.internal.consumer.CommitStamp;
import dev.turnout.internal.consumer.Deadlines;
import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.PartitionBook.Pending;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits, each on the cluster its partition is read from and stamped with the epoch in force
 * ({@link CommitStamp}), and reads of the group's commits without the stamp. Also the auto-commit, which the
 * consumer does itself (its clients never auto-commit) so that every commit carries its stamp.
 */
final class StampedCommits<K, V> {

  private static final Logger log = LoggerFactory.getLogger(StampedCommits.class);

  private final ConsumerContext<K, V> ctx;
  private final PartitionBook book;
  private final ReadRouting<K, V> routing;
  private final long autoCommitIntervalNanos;
  private long nextAutoCommitNanos;

  StampedCommits(ConsumerContext<K, V> ctx, ReadRouting<K, V> routing) {
    this.ctx = ctx;
    this.book = ctx.book();
    this.routing = routing;
    this.autoCommitIntervalNanos = ctx.kafka().autoCommitInterval().toNanos();
  }

  /** Positions of the partitions consumed from a cluster (not those still being established or blocked). */
  Map<TopicPartition, OffsetAndMetadata> consumedPositions(int cluster, Collection<TopicPartition> only) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Consumer<K, V> d = ctx.delegates().existing(cluster);
    if (d == null) {
      return offsets;
    }
    for (TopicPartition tp : book.ownedOn(cluster)) {
      if (!book.settled(tp) || (only != null && !only.contains(tp))) {
        continue;
      }
      try {
        offsets.put(tp, new OffsetAndMetadata(d.position(tp, Duration.ZERO)));
      } catch (TimeoutException | IllegalStateException e) {
        // no position yet: nothing consumed to commit
      }
    }
    return offsets;
  }

  /** The offsets with the stamp of the epoch in force prepended to their metadata. */
  Map<TopicPartition, OffsetAndMetadata> stamp(Map<TopicPartition, OffsetAndMetadata> offsets) {
    long epoch = routing.epoch();
    if (epoch < 0) {
      throw ctx.core().noMapToStamp();
    }
    Map<TopicPartition, OffsetAndMetadata> stamped = new HashMap<>();
    offsets.forEach((tp, o) -> stamped.put(tp, new OffsetAndMetadata(o.offset(), o.leaderEpoch(),
        CommitStamp.commit(epoch, CommitStamp.applicationMetadata(o.metadata())))));
    return stamped;
  }

  /** Commits the consumed positions asynchronously when the auto-commit interval has passed. */
  void maybeAutoCommit() {
    if (!ctx.kafka().autoCommit() || book.halted() || System.nanoTime() - nextAutoCommitNanos < 0) {
      return;
    }
    nextAutoCommitNanos = System.nanoTime() + autoCommitIntervalNanos;
    for (int c : ctx.delegates().active()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = consumedPositions(c, null);
      if (!offsets.isEmpty()) {
        String alias = ctx.alias(c);
        ctx.delegates().get(c).commitAsync(stamp(offsets), (committed, e) -> {
          if (e != null) {
            log.warn("[{}] Auto-commit of {} on '{}' failed: {}", ctx.clientId(), committed.keySet(), alias, e.toString());
          }
        });
      }
    }
  }

  /** Commits the consumed positions on close (auto-commit only), within the deadline; failures are logged. */
  void commitOnClose(long deadline) {
    if (!ctx.kafka().autoCommit() || book.halted() || routing.epoch() < 0) {
      return;
    }
    for (int c : ctx.delegates().active()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = consumedPositions(c, null);
      if (!offsets.isEmpty()) {
        try {
          ctx.delegates().get(c).commitSync(stamp(offsets), Deadlines.remaining(deadline));
        } catch (RuntimeException e) {
          log.warn("[{}] Auto-commit on close failed on '{}': {}", ctx.clientId(), ctx.alias(c), e.toString());
        }
      }
    }
  }

  /** {@code commitSync()}: the consumed positions of every cluster. */
  void commitConsumed(Duration timeout) {
    long deadline = Deadlines.of(timeout);
    for (int c : ctx.delegates().active()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = consumedPositions(c, null);
      if (!offsets.isEmpty()) {
        book.requested(offsets);
        commitSync(c, stamp(offsets), deadline);
      }
    }
  }

  /** {@code commitSync(offsets)}: each on its partition's cluster; an explicit decision for pending partitions. */
  void commit(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
    long deadline = Deadlines.of(timeout);
    for (Map.Entry<Integer, Map<TopicPartition, OffsetAndMetadata>> e : byCluster(offsets).entrySet()) {
      Map<TopicPartition, OffsetAndMetadata> stamped = stamp(e.getValue());
      book.requested(e.getValue());
      commitSync(e.getKey(), stamped, deadline);
      e.getValue().keySet().forEach(this::committedExplicitly);
    }
  }

  private void commitSync(int cluster, Map<TopicPartition, OffsetAndMetadata> stamped, long deadline) {
    Consumer<K, V> d = ctx.delegates().get(cluster);
    ctx.wakeups().run(d, () -> d.commitSync(stamped, Deadlines.remaining(deadline)));
  }

  /** {@code commitAsync(callback)}: the consumed positions of every cluster. */
  void commitConsumedAsync(OffsetCommitCallback callback) {
    Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster = new HashMap<>();
    for (int c : ctx.delegates().active()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = consumedPositions(c, null);
      if (!offsets.isEmpty()) {
        byCluster.put(c, offsets);
      }
    }
    commitAsyncByCluster(byCluster, callback);
  }

  /** {@code commitAsync(offsets, callback)}: see {@link #commit}. */
  void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
    Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster = byCluster(offsets);
    byCluster.values().forEach(m -> m.keySet().forEach(this::committedExplicitly));
    commitAsyncByCluster(byCluster, callback);
  }

  private void commitAsyncByCluster(Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster,
      OffsetCommitCallback callback) {
    if (byCluster.isEmpty()) {
      if (callback != null) {
        callback.onComplete(Map.of(), null);
      }
      return;
    }
    CommitAggregate aggregate = new CommitAggregate(byCluster.size(), callback);
    byCluster.forEach((cluster, original) -> {
      book.requested(original);
      ctx.delegates().get(cluster).commitAsync(stamp(original), (committed, error) -> aggregate.done(original, error));
    });
  }

  private Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster(Map<TopicPartition, OffsetAndMetadata> offsets) {
    java.util.Objects.requireNonNull(offsets, "offsets");
    Map<Integer, Map<TopicPartition, OffsetAndMetadata>> byCluster = new HashMap<>();
    offsets.forEach((tp, o) -> byCluster.computeIfAbsent(routing.clusterOf(tp), k -> new HashMap<>()).put(tp, o));
    return byCluster;
  }

  /**
   * The application moved the position of a partition (a seek): stop establishing it or unblock it, and stop
   * withholding records of it (the withholding follows the offsets from where it was established).
   */
  void takeOver(TopicPartition tp) {
    decided(tp);
    book.endSuppression(tp);
  }

  /**
   * The application committed an offset of a partition: an explicit decision for one still being established or
   * blocked. A commit does not move the position, so a partition that withholds copies of records already
   * processed on the other cluster keeps withholding them (an application committing what it processed after each
   * batch would otherwise receive those copies).
   */
  void committedExplicitly(TopicPartition tp) {
    decided(tp);
  }

  private void decided(TopicPartition tp) {
    Pending p = book.pending(tp);
    if (p != null) {
      book.removePending(tp, p);
      p.ticket().cancel();
    }
    boolean wasBlocked = book.unblock(tp) != null;
    if (p != null || wasBlocked) {
      log.info("[{}] The application set the position of {} explicitly; Turnout stops {} it", ctx.clientId(), tp,
          p != null ? "establishing" : "blocking");
      ctx.delegates().resumeIfFree(tp, book);
      book.toAnnounce(tp);
    }
  }

  /** The group's last commits, each from its partition's cluster, with the application's metadata only. */
  Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
    long deadline = Deadlines.of(timeout);
    Map<Integer, Set<TopicPartition>> byCluster = new HashMap<>();
    for (TopicPartition tp : partitions) {
      byCluster.computeIfAbsent(routing.clusterOf(tp), k -> new HashSet<>()).add(tp);
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    byCluster.forEach((cluster, parts) -> {
      Consumer<K, V> d = ctx.delegates().get(cluster);
      ctx.wakeups().call(d, () -> d.committed(parts, Deadlines.remaining(deadline))).forEach((tp, o) -> out.put(tp,
          o == null ? null : new OffsetAndMetadata(o.offset(), o.leaderEpoch(), CommitStamp.applicationMetadata(o.metadata()))));
    });
    return out;
  }
}
