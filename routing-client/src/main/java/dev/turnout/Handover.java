package dev.turnout;

import dev.turnout.internal.consumer.CommitStamp;
import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.Subscription.Mode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handover, when a new epoch moves the reads of a topic away from a cluster: stop fetching it there,
 * tell the application (revocation), commit the processed positions there stamped as a handover, and drop
 * the partitions' state. The new cluster's side is the switch worker's.
 */
final class Handover<K, V> {

  private static final Logger log = LoggerFactory.getLogger(Handover.class);

  private final ConsumerContext<K, V> ctx;
  private final PartitionBook book;

  Handover(ConsumerContext<K, V> ctx) {
    this.ctx = ctx;
    this.book = ctx.book();
  }

  /** Stops reading a topic on cluster {@code from} because epoch {@code epoch} reads it from {@code to}. */
  void switchOut(String topic, int from, int to, long epoch) {
    Consumer<K, V> d = ctx.delegates().existing(from);
    ctx.metrics().switched();
    if (d == null) {
      log.info("[{}] Epoch {} moves reads of topic '{}' from '{}' to '{}'", ctx.clientId(), epoch, topic,
          ctx.alias(from), ctx.alias(to));
      return;
    }
    long started = System.nanoTime();
    List<TopicPartition> held = new ArrayList<>();
    for (TopicPartition tp : d.assignment()) {
      if (tp.topic().equals(topic)) {
        held.add(tp);
      }
    }
    d.pause(held);
    List<TopicPartition> owned = held.stream().filter(tp -> book.ownedOn(tp, from)).toList();
    List<TopicPartition> consumed = owned.stream().filter(book::settled).toList();
    revoke(owned, to);
    Map<TopicPartition, OffsetAndMetadata> handover = handoverOffsets(d, consumed, epoch);
    commit(d, handover, from, to);
    owned.forEach(book::release);
    log.info("[{}] Epoch {} moves reads of topic '{}' from '{}' to '{}': stopped fetching and handed over {} in {} ms",
        ctx.clientId(), epoch, topic, ctx.alias(from), ctx.alias(to), offsetsText(handover),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  private void revoke(List<TopicPartition> owned, int to) {
    List<TopicPartition> visible = owned.stream().filter(book::announced).toList();
    if (ctx.subscription().mode() == Mode.ASSIGN || visible.isEmpty()) {
      return;
    }
    try {
      ctx.subscription().listener().onPartitionsRevoked(visible);
    } catch (RuntimeException e) {
      log.error("[{}] The rebalance listener failed on the revocation of {} for the switch to '{}'", ctx.clientId(),
          visible, ctx.alias(to), e);
      ctx.reports().add(new KafkaException("User rebalance callback throws an error", e));
    }
  }

  /** The handover commit of the partitions consumed (those neither pending nor blocked), stamped. */
  private Map<TopicPartition, OffsetAndMetadata> handoverOffsets(Consumer<K, V> d, List<TopicPartition> consumed,
      long epoch) {
    long now = System.currentTimeMillis();
    Map<TopicPartition, OffsetAndMetadata> handover = new HashMap<>();
    for (TopicPartition tp : consumed) {
      OptionalLong offset = handoverOffset(d, tp);
      if (offset.isEmpty()) {
        continue;
      }
      OffsetAndMetadata requested = book.requested(tp);
      String appMetadata = requested == null ? "" : CommitStamp.applicationMetadata(requested.metadata());
      handover.put(tp, new OffsetAndMetadata(offset.getAsLong(), CommitStamp.handover(epoch, now, appMetadata)));
      if (ctx.subscription().mode() == Mode.ASSIGN) {
        book.localHandover(tp, offset.getAsLong(), now);
      }
    }
    return handover;
  }

  private void commit(Consumer<K, V> d, Map<TopicPartition, OffsetAndMetadata> handover, int from, int to) {
    if (ctx.group() == null || handover.isEmpty()) {
      return;
    }
    try {
      ctx.wakeups().run(d, () -> d.commitSync(handover, ctx.apiTimeout()));
    } catch (KafkaException e) {
      log.warn("[{}] The handover commit of {} on '{}' failed ({}). The group on '{}' will wait until no member of "
          + "the group on '{}' holds these partitions, then continue from their last commit.", ctx.clientId(),
          handover.keySet(), ctx.alias(from), e.toString(), ctx.alias(to), ctx.alias(from));
    }
  }

  /** The position handed over: what the application processed (auto-commit: consumed) on the old cluster. */
  private OptionalLong handoverOffset(Consumer<K, V> d, TopicPartition tp) {
    try {
      if (!ctx.kafka().autoCommit()) {
        OffsetAndMetadata requested = book.requested(tp);
        if (requested != null) {
          return OptionalLong.of(requested.offset());
        }
        if (ctx.group() != null) {
          OffsetAndMetadata committed = ctx.wakeups().call(d, () -> d.committed(Set.of(tp), ctx.apiTimeout())).get(tp);
          if (committed != null) {
            return OptionalLong.of(committed.offset());
          }
        }
      }
      return OptionalLong.of(ctx.wakeups().call(d, () -> d.position(tp, ctx.apiTimeout())));
    } catch (KafkaException e) {
      log.warn("[{}] No position to hand over for {} ({}); the new cluster decides from the group's last commit",
          ctx.clientId(), tp, e.toString());
      return OptionalLong.empty();
    }
  }

  private static String offsetsText(Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<String, Long> text = new TreeMap<>();
    offsets.forEach((tp, o) -> text.put(tp.toString(), o.offset()));
    return text.toString();
  }
}
