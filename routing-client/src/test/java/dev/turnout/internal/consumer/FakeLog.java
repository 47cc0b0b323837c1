package dev.turnout.internal.consumer;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * A consumer over an in-memory log per partition, for the switch worker's readers: kafka-clients'
 * {@code MockConsumer} forgets records once polled, while a boundary search reads the same offsets again.
 * Records can be made visible to offset lookups before they can be fetched ({@link #fetchableUntil}), and the
 * next calls can be made to fail ({@link #failNext}).
 */
final class FakeLog extends MockConsumer<byte[], byte[]> {

  private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> logs = new HashMap<>();
  private final Map<TopicPartition, Long> starts = new HashMap<>();
  private final Map<TopicPartition, Long> positions = new HashMap<>();
  private final Map<TopicPartition, Long> fetchable = new HashMap<>();
  private RuntimeException failure;
  private int failures;
  private int maxPerPoll = 3;
  private long routeEpoch = 1;

  FakeLog() {
    super("none");
  }

  /** Appends a record (offset = log end); returns its offset. */
  synchronized long append(TopicPartition tp, long timestamp, String key, String value, byte[] id, String origin) {
    return append(tp, timestamp, key, value, id, origin, null);
  }

  /** Appends a record, with a {@code turnout.reconciled} marker when {@code reconciled} is not null. */
  synchronized long append(TopicPartition tp, long timestamp, String key, String value, byte[] id, String origin,
      String reconciled) {
    RecordHeaders headers = new RecordHeaders();
    if (reconciled != null) {
      headers.add(new RecordHeader(RecordIdentity.RECONCILED, bytes(reconciled)));
    }
    if (id != null) {
      headers.add(new RecordHeader(ProvenanceHeaders.ID, id));
    }
    if (origin != null) {
      headers.add(ProvenanceHeaders.routeHeader(origin, routeEpoch, "r", ProvenanceHeaders.NO_SLICE));
    }
    List<ConsumerRecord<byte[], byte[]>> log = logs.computeIfAbsent(tp, k -> new ArrayList<>());
    long offset = start(tp) + log.size();
    log.add(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, timestamp, TimestampType.CREATE_TIME,
        -1, -1, bytes(key), bytes(value), headers, Optional.empty()));
    return offset;
  }

  /** Appends {@code count} records with ids {@code idBase..}, timestamps {@code 1000 + idBase..}. */
  synchronized void appendWithIds(TopicPartition tp, int idBase, int count) {
    for (int i = idBase; i < idBase + count; i++) {
      append(tp, 1000 + i, "k" + i, "v" + i, id(i), null);
    }
  }

  static byte[] id(int n) {
    return ByteBuffer.allocate(ProvenanceHeaders.ID_LENGTH).putLong(8, n).array();
  }

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  /** The epoch written in the route header of the records appended from now on (default 1). */
  synchronized void routeEpoch(long epoch) {
    routeEpoch = epoch;
  }

  synchronized void logStart(TopicPartition tp, long start) {
    starts.put(tp, start);
  }

  /** Polls return no record at or past {@code offset} (not fetchable yet), though lookups count it. */
  synchronized void fetchableUntil(TopicPartition tp, long offset) {
    fetchable.put(tp, offset);
  }

  /** The next {@code times} calls throw {@code e}. */
  synchronized void failNext(int times, RuntimeException e) {
    failures = times;
    failure = e;
  }

  synchronized void maxPerPoll(int n) {
    maxPerPoll = n;
  }

  private void maybeFail() {
    if (failures > 0) {
      failures--;
      throw failure;
    }
  }

  private long start(TopicPartition tp) {
    return starts.getOrDefault(tp, 0L);
  }

  private long end(TopicPartition tp) {
    return start(tp) + logs.getOrDefault(tp, List.of()).size();
  }

  @Override
  public synchronized void seek(TopicPartition tp, long offset) {
    positions.put(tp, offset);
  }

  @Override
  public synchronized long position(TopicPartition tp, Duration timeout) {
    maybeFail();
    return positions.getOrDefault(tp, 0L);
  }

  @Override
  public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    maybeFail();
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (TopicPartition tp : assignment()) {
      long pos = positions.getOrDefault(tp, 0L);
      long limit = Math.min(end(tp), fetchable.getOrDefault(tp, Long.MAX_VALUE));
      List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
      for (long o = Math.max(pos, start(tp)); o < limit && batch.size() < maxPerPoll; o++) {
        batch.add(logs.get(tp).get((int) (o - start(tp))));
      }
      if (!batch.isEmpty()) {
        long after = batch.get(batch.size() - 1).offset() + 1;
        positions.put(tp, after);
        out.put(tp, batch);
        next.put(tp, new OffsetAndMetadata(after));
      }
    }
    return new ConsumerRecords<>(out, next);
  }

  @Override
  public synchronized Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions, Duration timeout) {
    maybeFail();
    Map<TopicPartition, Long> out = new HashMap<>();
    partitions.forEach(tp -> out.put(tp, start(tp)));
    return out;
  }

  @Override
  public synchronized Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
    maybeFail();
    Map<TopicPartition, Long> out = new HashMap<>();
    partitions.forEach(tp -> out.put(tp, end(tp)));
    return out;
  }

  @Override
  public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps,
      Duration timeout) {
    maybeFail();
    Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
    timestamps.forEach((tp, ts) -> {
      for (ConsumerRecord<byte[], byte[]> r : logs.getOrDefault(tp, List.of())) {
        if (r.timestamp() >= ts) {
          out.put(tp, new OffsetAndTimestamp(r.offset(), r.timestamp()));
          return;
        }
      }
      out.put(tp, null);
    });
    return out;
  }
}
