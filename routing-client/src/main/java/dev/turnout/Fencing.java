package dev.turnout;

import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.Subscription.Mode;
import dev.turnout.internal.consumer.SwitchWorker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fencing: every {@code turnout.authority.refresh.ms}, reads (on the switch worker's thread) the newest epoch
 * stamped on the group's commits of each topic this consumer reads. A newer epoch than its own means another
 * member moved the topic: this member stops reading it (and re-reads the authority source) until its map
 * catches up, instead of reading on while the others wait for its handover.
 */
final class Fencing<K, V> {

  private static final Logger log = LoggerFactory.getLogger(Fencing.class);

  private final ConsumerContext<K, V> ctx;
  private final PartitionBook book;
  private final ReadRouting<K, V> routing;
  private final Supplier<SwitchWorker> worker;
  private final Map<Integer, CompletableFuture<Map<String, Long>>> checks = new HashMap<>();
  private long nextCheckNanos;

  Fencing(ConsumerContext<K, V> ctx, ReadRouting<K, V> routing, Supplier<SwitchWorker> worker) {
    this.ctx = ctx;
    this.book = ctx.book();
    this.routing = routing;
    this.worker = worker;
  }

  /** Collects the checks that answered (fencing topics), and starts new ones when due. */
  void check() {
    if (ctx.group() == null || ctx.subscription().mode() == Mode.ASSIGN || book.halted()) {
      return;
    }
    if (!checks.isEmpty()) {
      collect();
    }
    if (System.nanoTime() - nextCheckNanos >= 0) {
      nextCheckNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.settings().refreshMillis);
      for (int c : ctx.delegates().active()) {
        Set<String> topics = ctx.delegates().subscribed(c);
        if (!checks.containsKey(c) && !topics.isEmpty()) {
          checks.put(c, worker.get().newestEpochs(ctx.alias(c), Set.copyOf(topics)));
        }
      }
    }
  }

  private void collect() {
    for (var it = checks.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().isDone()) {
        continue;
      }
      it.remove();
      int cluster = e.getKey();
      Map<String, Long> newest;
      try {
        newest = e.getValue().join();
      } catch (RuntimeException failure) {
        log.debug("[{}] Fence check on '{}' failed", ctx.clientId(), ctx.alias(cluster), failure);
        continue;
      }
      newest.forEach((topic, epoch) -> {
        Integer readFrom = routing.readCluster(topic);
        if (epoch > routing.epoch() && readFrom != null && readFrom == cluster) {
          fence(topic, epoch, cluster);
        }
      });
    }
  }

  private void fence(String topic, long epoch, int cluster) {
    if (!book.fence(topic, epoch)) {
      return;
    }
    List<TopicPartition> held = book.ownedOn(cluster).stream().filter(tp -> tp.topic().equals(topic)).toList();
    ctx.delegates().get(cluster).pause(held);
    log.warn("[{}] Group '{}' committed topic '{}' on '{}' under authority map epoch {}, newer than epoch {} in force "
        + "here: another member moved it. This consumer stops reading {} until its map catches up (check {}).",
        ctx.clientId(), ctx.group(), topic, ctx.alias(cluster), epoch, routing.epoch(), held,
        ctx.core().sourceDescription());
  }

  /** Lifts the fences the map in force has caught up with (or of topics no longer read). */
  void release() {
    if (!book.anyFenced()) {
      return;
    }
    Map<String, Long> fences = book.fences();
    fences.forEach((topic, epoch) -> {
      if (epoch <= routing.epoch() || routing.readCluster(topic) == null) {
        book.unfence(topic);
        log.info("[{}] Topic '{}' is no longer fenced (epoch {} in force)", ctx.clientId(), topic, routing.epoch());
        for (TopicPartition tp : book.owned()) {
          if (tp.topic().equals(topic)) {
            ctx.delegates().resumeIfFree(tp, book);
          }
        }
      }
    });
  }

  /** Drops the checks in flight (unsubscribe). */
  void clear() {
    checks.clear();
  }
}
