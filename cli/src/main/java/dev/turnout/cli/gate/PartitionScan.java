package dev.turnout.cli.gate;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;

/**
 * Reads one partition backwards from its end, in growing chunks, for the newest record that matches: how the
 * replication check finds the newest replicated record on the target, then the same record on the source.
 */
final class PartitionScan {

  /** What the gate remembers of a record: where it is, when it was written, what identifies it. */
  record Seen(long offset, long timestamp, String identity, String origin) {}

  /**
   * The outcome of a scan.
   *
   * @param match the newest matching record, or {@code null}
   * @param after records newer than the match (all records read when there is none)
   * @param oldestAfter the timestamp of the oldest of them, -1 when none
   * @param exhausted whether the scan reached the log start (otherwise it stopped at the limit)
   */
  record Found(Seen match, long after, long oldestAfter, boolean exhausted) {}

  private static final String ID_HEADER = "turnout.id";
  private static final String ROUTE_HEADER = "turnout.route";

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Duration timeout;

  PartitionScan(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
    this.consumer = consumer;
    this.timeout = timeout;
  }

  /** Scans {@code [start, end)} back from {@code end}, at most {@code limit} offsets, for the newest match. */
  Found scanBack(TopicPartition tp, long start, long end, int limit, Predicate<Seen> matches) {
    long floor = Math.max(start, end - limit);
    long hi = end;
    long size = 64;
    long after = 0;
    long oldestAfter = -1;
    while (hi > floor) {
      long lo = Math.max(floor, hi - size);
      List<Seen> chunk = read(tp, lo, hi);
      for (int i = chunk.size() - 1; i >= 0; i--) {
        if (matches.test(chunk.get(i))) {
          long newer = chunk.size() - 1 - i;
          long oldest = i + 1 < chunk.size() ? chunk.get(i + 1).timestamp() : oldestAfter;
          return new Found(chunk.get(i), after + newer, oldest, false);
        }
      }
      after += chunk.size();
      if (!chunk.isEmpty()) {
        oldestAfter = chunk.get(0).timestamp();
      }
      hi = lo;
      size *= 8;
    }
    return new Found(null, after, oldestAfter, floor == start);
  }

  /** The records at offsets {@code [from, to)} (transaction markers and compacted offsets have none). */
  List<Seen> read(TopicPartition tp, long from, long to) {
    List<Seen> out = new ArrayList<>();
    consumer.assign(List.of(tp));
    consumer.seek(tp, from);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (consumer.position(tp, timeout) < to) {
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException("Reading " + tp + " from " + from + " to " + to + " took more than " + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
        if (r.offset() >= from && r.offset() < to) {
          out.add(new Seen(r.offset(), r.timestamp(), identity(r), origin(r)));
        }
      }
    }
    return out;
  }

  /**
   * The record's {@code turnout.id} in hex; without one, its timestamp and the hashes of its key and value (what
   * MirrorMaker keeps of a record).
   */
  static String identity(ConsumerRecord<byte[], byte[]> r) {
    Header id = r.headers().lastHeader(ID_HEADER);
    if (id != null && id.value() != null) {
      return "id:" + HexFormat.of().formatHex(id.value());
    }
    return "ts:" + r.timestamp() + ":" + length(r.key()) + ":" + Arrays.hashCode(r.key()) + ":"
        + length(r.value()) + ":" + Arrays.hashCode(r.value());
  }

  /** The origin alias of the record's {@code turnout.route}, or {@code null} without one. */
  static String origin(ConsumerRecord<byte[], byte[]> r) {
    Header route = r.headers().lastHeader(ROUTE_HEADER);
    if (route == null || route.value() == null) {
      return null;
    }
    String value = new String(route.value(), StandardCharsets.UTF_8);
    int slash = value.indexOf('/');
    return slash < 0 ? value : value.substring(0, slash);
  }

  private static int length(byte[] bytes) {
    return bytes == null ? -1 : bytes.length;
  }
}
