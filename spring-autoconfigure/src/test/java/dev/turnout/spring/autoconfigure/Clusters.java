package dev.turnout.spring.autoconfigure;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.testkit.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Test helpers: read back what is on a cluster. */
final class Clusters {

  private Clusters() {}

  /** The keys of every record now in {@code topic} on {@code cluster}, read from the beginning. */
  static List<String> keys(KafkaTestCluster cluster, String topic, boolean readCommitted) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out reading " + topic + " on " + cluster.name());
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r.key());
        }
      }
    }
    return out;
  }

  /**
   * The keys of the committed records of {@code topic} on {@code cluster}, once no transaction on it is open:
   * a commit or abort returns before its markers are written, so this waits until the last stable offset
   * reaches the end of every partition.
   */
  static List<String> committedKeys(KafkaTestCluster cluster, String topic) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    Map<String, Object> committed = new java.util.HashMap<>(config);
    committed.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, String> all = new KafkaConsumer<>(config);
         KafkaConsumer<String, String> stable = new KafkaConsumer<>(committed)) {
      List<TopicPartition> partitions = all.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!all.endOffsets(partitions).equals(stable.endOffsets(partitions))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("a transaction stayed open on " + topic + " on " + cluster.name());
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
    return keys(cluster, topic, true);
  }

  /** The key bucket (0-9999) of a String key, as routing computes it. */
  static int bucket(String key) {
    return AuthorityMap.bucket(key.getBytes(StandardCharsets.UTF_8));
  }
}
