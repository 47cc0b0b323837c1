package dev.turnout.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the fleet's status topic ({@code turnout.status.topic}) from the beginning and keeps the latest status
 * of every client instance; an instance's tombstone (a record with a {@code null} value, written when the
 * client closes) removes it. {@link #read()} reads up to the end of the topic as it is at the call and
 * returns the {@link FleetView}; call it again (or {@link #poll(Duration)}) to follow the topic in a
 * long-lived reader.
 *
 * <pre>{@code
 * Map<String, Object> kafka = Map.of("bootstrap.servers", "kafka-new:9092"); // plus security settings
 * try (FleetStatusReader reader = new FleetStatusReader(kafka, "turnout-status")) {
 *   FleetView fleet = reader.read();
 *   fleet.stragglers(7).forEach(i -> System.out.println(i.service() + " " + i.host() + " still on " + i.epoch()));
 * }
 * }</pre>
 *
 * <p>It uses one {@code KafkaConsumer} with manually assigned partitions: no consumer group, nothing committed.
 * A record that is not a readable status is skipped, logged at WARN and counted ({@link FleetView#skipped()}).
 * Not thread-safe, like {@code KafkaConsumer}.
 */
public final class FleetStatusReader implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FleetStatusReader.class);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, InstanceStatus> latest = new LinkedHashMap<>();
  private List<TopicPartition> partitions;
  private long skipped;

  /**
   * @param kafkaConfig the Kafka consumer settings of the cluster holding the status topic
   *     ({@code bootstrap.servers} and security settings; other keys, {@code group.id} among them, are
   *     ignored). No I/O happens before the first read.
   * @param topic the status topic
   */
  public FleetStatusReader(Map<String, ?> kafkaConfig, String topic) {
    Objects.requireNonNull(kafkaConfig, "kafkaConfig");
    this.topic = Objects.requireNonNull(topic, "topic");
    Map<String, Object> config = new HashMap<>();
    Set<String> consumerKeys = ConsumerConfig.configNames();
    kafkaConfig.forEach((key, value) -> {
      if (value != null && consumerKeys.contains(key)) {
        config.put(key, value);
      }
    });
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "turnout-fleet-reader");
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** {@link #read(Duration)} within 30 seconds. */
  public FleetView read() {
    return read(DEFAULT_TIMEOUT);
  }

  /**
   * Reads the topic up to its end offsets as of this call and returns the fleet.
   *
   * @throws UnknownTopicOrPartitionException when the topic does not exist (the message says how to create it)
   * @throws TimeoutException when the end is not reached within {@code timeout}
   */
  public FleetView read(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    assign(timeout);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    while (partitions.stream().anyMatch(tp -> consumer.position(tp, remaining(deadline)) < end.get(tp))) {
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException("Reading status topic '" + topic + "' to its end took more than " + timeout);
      }
      consumer.poll(Duration.ofMillis(Math.min(200, Math.max(1, remaining(deadline).toMillis()))))
          .forEach(this::apply);
    }
    return view();
  }

  /**
   * Waits up to {@code timeout} for new status records (one poll), applies them, and returns the fleet: for
   * following the topic ({@code --watch}). The first call reads from the beginning like {@link #read()}
   * would, but without waiting for the end.
   */
  public FleetView poll(Duration timeout) {
    assign(DEFAULT_TIMEOUT);
    consumer.poll(timeout).forEach(this::apply);
    return view();
  }

  /** The fleet as read so far. */
  public FleetView view() {
    return new FleetView(Instant.now(), List.copyOf(latest.values()), skipped);
  }

  private void assign(Duration timeout) {
    if (partitions != null) {
      return;
    }
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      throw new UnknownTopicOrPartitionException("Status topic '" + topic + "' does not exist. Create it "
          + "compacted, e.g. kafka-topics.sh --create --topic " + topic + " --partitions 1 --config "
          + "cleanup.policy=compact; clients publish to it once turnout.status.topic names it.");
    }
    partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      skip(record, "it has no key (the key is the instance id)");
      return;
    }
    String instanceId = new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      latest.remove(instanceId); // the instance closed
      return;
    }
    try {
      InstanceStatus status = StatusRecords.parse(record.value());
      if (!status.instanceId().equals(instanceId)) {
        skip(record, "its instanceId '" + status.instanceId() + "' is not its key '" + instanceId + "'");
        return;
      }
      latest.put(instanceId, status);
    } catch (IllegalArgumentException e) {
      skip(record, e.getMessage());
    }
  }

  private void skip(ConsumerRecord<byte[], byte[]> record, String why) {
    skipped++;
    log.warn("Skipped the record at offset {} of {}-{}: not a status record, {}", record.offset(), record.topic(),
        record.partition(), why);
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }

  /** Closes the consumer. */
  @Override
  public void close() {
    consumer.close();
  }
}
