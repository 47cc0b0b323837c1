package dev.turnout;

import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.Withholding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One fetch round over the active clusters: polls each in turn (slices of at most 50 ms while more than one
 * is active or a position is being established) and merges their batches, leaving out records of partitions
 * that are not deliverable and the withheld copies after a switch. In the steady state (one cluster, nothing
 * switching, blocked, fenced or withheld) the client's batch is handed over as it is.
 */
final class RecordMerger<K, V> {

  static final long SLICE_MILLIS = 50;

  private final ConsumerContext<K, V> ctx;
  private final PartitionBook book;
  private int pollStart;

  RecordMerger(ConsumerContext<K, V> ctx) {
    this.ctx = ctx;
    this.book = ctx.book();
  }

  /** Polls the active clusters for up to {@code remainingMillis}; empty when nothing is deliverable. */
  ConsumerRecords<K, V> poll(List<Integer> active, long remainingMillis) {
    if (active.size() == 1 && !book.anyPending()) {
      return pollSteady(active.get(0), Math.min(remainingMillis, ctx.settings().refreshMillis));
    }
    long slice = Math.min(remainingMillis, SLICE_MILLIS);
    Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    int start = pollStart++;
    for (int i = 0; i < active.size(); i++) {
      int c = active.get(Math.floorMod(start + i, active.size()));
      Duration wait = Duration.ofMillis(out.isEmpty() ? slice : 0);
      ConsumerRecords<K, V> records = ctx.wakeups().poll(ctx.delegates().get(c), wait);
      if (!records.isEmpty()) {
        collect(c, records, out, next);
      }
    }
    return out.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(out, next);
  }

  private ConsumerRecords<K, V> pollSteady(int c, long waitMillis) {
    ConsumerRecords<K, V> records = ctx.wakeups().poll(ctx.delegates().get(c), Duration.ofMillis(waitMillis));
    if (records.isEmpty() || deliverableAsIs(c, records)) {
      ctx.core().metrics().routed(c, records.count());
      return records;
    }
    Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    collect(c, records, out, next);
    return out.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(out, next);
  }

  private boolean deliverableAsIs(int cluster, ConsumerRecords<K, V> records) {
    if (!book.unrestricted()) {
      return false;
    }
    for (TopicPartition tp : records.partitions()) {
      if (!book.ownedOn(tp, cluster)) {
        return false;
      }
    }
    return true;
  }

  private void collect(int cluster, ConsumerRecords<K, V> records, Map<TopicPartition, List<ConsumerRecord<K, V>>> out,
      Map<TopicPartition, OffsetAndMetadata> next) {
    int delivered = 0;
    for (TopicPartition tp : records.partitions()) {
      if (!book.deliverable(tp, cluster)) {
        continue;
      }
      List<ConsumerRecord<K, V>> list = records.records(tp);
      Withholding suppression = book.suppression(tp);
      if (suppression != null) {
        list = withhold(tp, list, suppression);
      }
      if (!list.isEmpty()) {
        out.put(tp, list);
        delivered += list.size();
      }
      OffsetAndMetadata nextOffset = records.nextOffsets().get(tp);
      if (nextOffset != null) {
        next.put(tp, nextOffset);
      }
    }
    ctx.core().metrics().routed(cluster, delivered);
  }

  /**
   * Leaves out the copies of already processed records ({@link Withholding}); ends the withholding once it has
   * nothing left to withhold.
   */
  private List<ConsumerRecord<K, V>> withhold(TopicPartition tp, List<ConsumerRecord<K, V>> list, Withholding rule) {
    List<ConsumerRecord<K, V>> kept = new ArrayList<>(list.size());
    for (ConsumerRecord<K, V> r : list) {
      if (!rule.withholds(r.offset(), r.headers())) {
        kept.add(r);
      }
    }
    long byId = rule.takeWithheldById();
    if (byId > 0) {
      ctx.metrics().duplicatesAvoided(byId);
    }
    if (rule.finished()) {
      book.endSuppression(tp);
    }
    return kept;
  }
}
