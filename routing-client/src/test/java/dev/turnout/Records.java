package dev.turnout;

import dev.turnout.testkit.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Test helpers: read every record of a topic, write authority documents atomically. */
final class Records {

  private Records() {}

  /** Every record currently in {@code topic} on {@code cluster}, read from the beginning (read_committed optional). */
  static List<ConsumerRecord<String, String>> readAll(KafkaTestCluster cluster, String topic, boolean readCommitted) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out reading " + topic + " on " + cluster.name());
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  static List<ConsumerRecord<String, String>> readAll(KafkaTestCluster cluster, String topic) {
    return readAll(cluster, topic, false);
  }

  /** Replaces {@code file} atomically with a properties document. */
  static void writeDocument(Path file, String document) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), "authority", ".tmp");
      Files.writeString(tmp, document, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Producer configuration for two clusters named onprem (source) and cloud (target). Nothing replicates
   * between them, so cutovers use the drained barrier (the replicated one would fail closed).
   */
  static Map<String, Object> producerConfig(KafkaTestCluster onprem, KafkaTestCluster cloud, Path authority) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", onprem.bootstrapServers());
    config.put("turnout.cluster.cloud.bootstrap.servers", cloud.bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_FILE, authority.toString());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 100);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "drained");
    config.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
    config.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
    config.put("acks", "all");
    config.put("linger.ms", 5);
    config.put("max.block.ms", 10_000);
    return config;
  }

  static Properties asProperties(Map<String, Object> config) {
    Properties p = new Properties();
    p.putAll(config);
    return p;
  }
}
