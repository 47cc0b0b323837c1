package dev.turnout.internal.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads raw records of one partition at a time from one cluster, outside any consumer group (it never
 * commits). Used only by the switch worker's thread.
 */
final class ClusterReader implements AutoCloseable {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final String alias;
  private final Consumer<byte[], byte[]> consumer;
  private TopicPartition assigned;

  ClusterReader(String alias, Consumer<byte[], byte[]> consumer) {
    this.alias = alias;
    this.consumer = consumer;
  }

  /**
   * A reader built from a cluster client's configuration ({@link #readerConfig}).
   */
  static ClusterReader create(String alias, Map<String, Object> clientConfig, SwitchClients clients) {
    return new ClusterReader(alias, clients.reader(alias, readerConfig(alias, clientConfig)));
  }

  /**
   * A cluster client's configuration with group settings, interceptors and deserializers replaced, so that
   * the reader joins no group and sees bytes.
   */
  static Map<String, Object> readerConfig(String alias, Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.keySet().removeIf(k -> k.startsWith("group.") || k.equals(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG)
        || k.equals(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG)
        || k.equals(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG));
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientConfig.getOrDefault(ConsumerConfig.CLIENT_ID_CONFIG, alias) + "-probe");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return config;
  }

  String alias() {
    return alias;
  }

  long beginningOffset(TopicPartition tp) {
    assign(tp);
    return consumer.beginningOffsets(List.of(tp), CALL_TIMEOUT).get(tp);
  }

  long endOffset(TopicPartition tp) {
    assign(tp);
    return consumer.endOffsets(List.of(tp), CALL_TIMEOUT).get(tp);
  }

  /** The first offset whose timestamp is at or after {@code timestamp}; empty when there is none yet. */
  OptionalLong offsetForTime(TopicPartition tp, long timestamp) {
    assign(tp);
    OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, Math.max(0, timestamp)), CALL_TIMEOUT).get(tp);
    return found == null ? OptionalLong.empty() : OptionalLong.of(found.offset());
  }

  /** Every record with {@code from <= offset < until} (fewer if the log ends first or {@code timeout} passes). */
  List<ConsumerRecord<byte[], byte[]>> read(TopicPartition tp, long from, long until, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    if (from >= until) {
      return out;
    }
    long end = Math.min(until, endOffset(tp));
    seek(tp, from);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (consumer.position(tp, CALL_TIMEOUT) < end && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100)).records(tp)) {
        if (r.offset() < until) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** One fetch from {@code from}: the records it returned (possibly none) and the position after them. */
  Batch readFrom(TopicPartition tp, long from, Duration wait) {
    seek(tp, from);
    List<ConsumerRecord<byte[], byte[]>> records = consumer.poll(wait).records(tp);
    long next = records.isEmpty() ? consumer.position(tp, CALL_TIMEOUT) : records.get(records.size() - 1).offset() + 1;
    return new Batch(records, Math.max(from, next));
  }

  private void seek(TopicPartition tp, long offset) {
    assign(tp);
    consumer.seek(tp, offset);
  }

  private void assign(TopicPartition tp) {
    if (!tp.equals(assigned)) {
      consumer.assign(List.of(tp));
      assigned = tp;
    }
  }

  record Batch(List<ConsumerRecord<byte[], byte[]>> records, long next) {}

  @Override
  public void close() {
    consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
  }
}
