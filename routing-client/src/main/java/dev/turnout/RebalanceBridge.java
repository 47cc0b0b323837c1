package dev.turnout;

import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.Subscription;
import dev.turnout.internal.consumer.Subscription.Mode;
import dev.turnout.internal.consumer.ThreadGuard;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges the rebalances of each cluster's client to the application's listener. A revocation is passed on
 * (after the auto-commit) while the partitions still count as owned here; an assignment takes ownership and,
 * with a group, asks the switch worker where each partition starts: the application hears of such a partition
 * only once it can be consumed ({@link #announce()}), so that no two members ever hold a partition at once
 * from its point of view, across clusters too.
 */
final class RebalanceBridge<K, V> {

  private static final Logger log = LoggerFactory.getLogger(RebalanceBridge.class);

  private final ConsumerContext<K, V> ctx;
  private final PartitionBook book;
  private final Subscription subscription;
  private final ReadRouting<K, V> routing;
  private final Resolutions<K, V> resolutions;
  private final StampedCommits<K, V> commits;
  private final ThreadGuard guard;
  private final List<ConsumerRebalanceListener> listeners = new ArrayList<>();

  RebalanceBridge(ConsumerContext<K, V> ctx, ReadRouting<K, V> routing, Resolutions<K, V> resolutions,
      StampedCommits<K, V> commits, ThreadGuard guard) {
    this.ctx = ctx;
    this.book = ctx.book();
    this.subscription = ctx.subscription();
    this.routing = routing;
    this.resolutions = resolutions;
    this.commits = commits;
    this.guard = guard;
    for (int c = 0; c < ctx.delegates().size(); c++) {
      listeners.add(new ClusterListener(c));
    }
  }

  /** The listener to subscribe the client of a cluster with. */
  ConsumerRebalanceListener listener(int cluster) {
    return listeners.get(cluster);
  }

  private final class ClusterListener implements ConsumerRebalanceListener {
    private final int cluster;

    ClusterListener(int cluster) {
      this.cluster = cluster;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      revoked(cluster, partitions, false);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      revoked(cluster, partitions, true);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      assigned(cluster, partitions);
    }
  }

  private void revoked(int cluster, Collection<TopicPartition> partitions, boolean lost) {
    List<TopicPartition> mine = partitions.stream().filter(tp -> book.ownedOn(tp, cluster)).toList();
    if (!lost && ctx.kafka().autoCommit() && !guard.closing() && !book.halted() && !mine.isEmpty()) {
      autoCommit(cluster, mine);
    }
    List<TopicPartition> visible = mine.stream().filter(book::announced).toList();
    try {
      if (!visible.isEmpty() && subscription.mode() != Mode.ASSIGN) {
        // Called while the partitions still count as owned here, so that commits in the callback reach this cluster.
        if (lost) {
          subscription.listener().onPartitionsLost(visible);
        } else {
          subscription.listener().onPartitionsRevoked(visible);
        }
      }
    } finally {
      mine.forEach(book::release);
    }
  }

  private void autoCommit(int cluster, List<TopicPartition> mine) {
    Map<TopicPartition, OffsetAndMetadata> offsets = commits.consumedPositions(cluster, mine);
    if (offsets.isEmpty()) {
      return;
    }
    try {
      ctx.delegates().get(cluster).commitSync(commits.stamp(offsets), ctx.apiTimeout());
    } catch (KafkaException e) {
      log.warn("[{}] Auto-commit before revoking {} on '{}' failed: {}", ctx.clientId(), offsets.keySet(),
          ctx.alias(cluster), e.toString());
    }
  }

  private void assigned(int cluster, Collection<TopicPartition> partitions) {
    Consumer<K, V> d = ctx.delegates().get(cluster);
    List<TopicPartition> mine = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Integer readFrom = routing.readCluster(tp.topic());
      if (readFrom == null || readFrom != cluster) {
        // Assigned under a subscription this consumer has just changed: never fetched, revoked at the next rebalance.
        d.pause(List.of(tp));
        continue;
      }
      book.own(tp, cluster);
      book.forgetRequested(tp);
      if (ctx.group() != null) {
        resolutions.start(cluster, tp, -1, 0);
        if (book.settled(tp)) {
          mine.add(tp); // decided at once, without the worker (LocalDecision)
        }
      } else {
        mine.add(tp);
        if (book.halted()) {
          d.pause(List.of(tp));
        }
      }
    }
    book.announced(mine);
    subscription.listener().onPartitionsAssigned(mine);
  }

  /** Tells the application about partitions that became consumable since the last call. */
  void announce() {
    List<TopicPartition> ready = book.takeAnnouncements();
    if (!ready.isEmpty() && subscription.mode() != Mode.ASSIGN) {
      subscription.listener().onPartitionsAssigned(ready);
    }
  }
}
