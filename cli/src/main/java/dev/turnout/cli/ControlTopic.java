package dev.turnout.cli;

import dev.turnout.authority.AuthorityMap;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The control topic as {@code publish} sees it: read to its end to find the published document (the newest valid
 * one with the highest epoch, as the clients choose it), and written with one record per document whose key is
 * {@value #RECORD_KEY}, so that compaction keeps the last document.
 */
final class ControlTopic {

  /** The key of every record {@code turnout publish} writes. */
  static final String RECORD_KEY = "authority";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The document in force on the topic and where it is. */
  record Published(Map<String, String> document, AuthorityMap map, int partition, long offset) {
    boolean signed() {
      return Documents.signed(document);
    }
  }

  /** Where a publication landed. */
  record Written(int partition, long offset) {}

  private final String topic;
  private final Map<String, Object> clientConfig;

  ControlTopic(String topic, Map<String, Object> clientConfig) {
    this.topic = topic;
    this.clientConfig = clientConfig;
  }

  /**
   * Reads the topic from its beginning to its end offsets of now and returns the winner, or {@code null} when
   * the topic holds no valid document. Records that are not valid documents for {@code clusters} (the aliases
   * each names itself when null) or, with {@code trustedKeys}, not signed by one of them are skipped, as the
   * clients skip them.
   */
  Published readPublished(List<String> clusters, List<PublicKey> trustedKeys) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "turnout-cli");
    config.keySet().retainAll(ConsumerConfig.configNames());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = partitions(consumer);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      Published winner = null;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < end.get(tp))) {
        if (System.nanoTime() - deadline > 0) {
          throw new TimeoutException("reading control topic " + topic + " to its end took more than " + TIMEOUT);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          Published candidate = candidate(record, clusters, trustedKeys);
          if (candidate != null && (winner == null || candidate.map().epoch() >= winner.map().epoch())) {
            winner = candidate;
          }
        }
      }
      return winner;
    }
  }

  /** Sends {@code text} as one record with key {@value #RECORD_KEY} and waits for its acknowledgement. */
  Written publish(String text) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.keySet().retainAll(ProducerConfig.configNames());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "turnout-cli");
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
        new StringSerializer())) {
      RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, RECORD_KEY, text))
          .get(2 * TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return new Written(metadata.partition(), metadata.offset());
    } catch (ExecutionException e) {
      throw new KafkaException("publishing to control topic " + topic + " failed", e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TimeoutException("publishing to control topic " + topic + " was not acknowledged within "
          + 2 * TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while publishing to " + topic, e);
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("control topic " + topic + " does not exist: create it compacted with one "
          + "partition (kafka-topics.sh --create --topic " + topic + " --partitions 1 --config "
          + "cleanup.policy=compact), or fix --topic");
    }
    return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  private static Published candidate(ConsumerRecord<byte[], byte[]> record, List<String> clusters,
      List<PublicKey> trustedKeys) {
    if (record.value() == null) {
      return null;
    }
    Map<String, String> document;
    try {
      document = Documents.parse(new String(record.value(), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return null;
    }
    DocumentCheck check = DocumentCheck.of(document, clusters, trustedKeys);
    return check.valid() ? new Published(document, check.map(), record.partition(), record.offset()) : null;
  }
}
