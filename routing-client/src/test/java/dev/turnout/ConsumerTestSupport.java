package dev.turnout;

import dev.turnout.testkit.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Helpers for the consumer tests: configurations, writing the same records to both clusters, draining. */
final class ConsumerTestSupport {

  private ConsumerTestSupport() {}

  /** RoutingConsumer configuration for two clusters named onprem (source) and cloud (target). */
  static Map<String, Object> consumerConfig(KafkaTestCluster onprem, KafkaTestCluster cloud, Path authority,
      String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", onprem.bootstrapServers());
    config.put("turnout.cluster.cloud.bootstrap.servers", cloud.bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_FILE, authority.toString());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 100);
    config.put(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, 5_000);
    if (group != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
    return config;
  }

  static KafkaProducer<String, String> producer(KafkaTestCluster cluster) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(config);
  }

  /**
   * Writes the same records (same partition, timestamp, key, value, headers) to each cluster, in order: the
   * clusters then hold them at the same offsets, as an offset-preserving link would.
   */
  static void writeSame(List<ProducerRecord<String, String>> records, KafkaTestCluster... clusters) {
    for (KafkaTestCluster cluster : clusters) {
      try (KafkaProducer<String, String> producer = producer(cluster)) {
        for (ProducerRecord<String, String> r : records) {
          producer.send(r).get(10, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        throw new AssertionError("writing to " + cluster.name(), e);
      }
    }
  }

  /** Records {@code prefix-from} .. {@code prefix-(to-1)} for one partition, with distinct timestamps. */
  static List<ProducerRecord<String, String>> sequence(String topic, int partition, String prefix, int from, int to,
      long baseTimestamp, Header... headers) {
    List<ProducerRecord<String, String>> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new ProducerRecord<>(topic, partition, baseTimestamp + i, "k" + i, prefix + "-" + i, List.of(headers)));
    }
    return out;
  }

  /** Polls until {@code until} holds for what was received, committing after each batch; returns the values. */
  static List<ConsumerRecord<String, String>> drain(RoutingConsumer<String, String> consumer,
      Predicate<List<ConsumerRecord<String, String>>> until, Duration timeout) {
    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!until.test(received)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out; received " + values(received));
      }
      var records = consumer.poll(Duration.ofMillis(100));
      records.forEach(received::add);
      if (!records.isEmpty()) {
        consumer.commitSync();
      }
    }
    return received;
  }

  /** Everything polled during {@code duration}, committing after each batch. */
  static List<ConsumerRecord<String, String>> pollFor(RoutingConsumer<String, String> consumer, Duration duration) {
    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    long deadline = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < deadline) {
      var records = consumer.poll(Duration.ofMillis(100));
      records.forEach(received::add);
      if (!records.isEmpty()) {
        consumer.commitSync();
      }
    }
    return received;
  }

  static List<ConsumerRecord<String, String>> drain(RoutingConsumer<String, String> consumer, int count) {
    return drain(consumer, r -> r.size() >= count, Duration.ofSeconds(30));
  }

  static List<String> values(List<ConsumerRecord<String, String>> records) {
    return records.stream().map(ConsumerRecord::value).toList();
  }

  /** The group's committed offsets on a cluster (raw, stamps included). */
  static Map<TopicPartition, OffsetAndMetadata> committed(KafkaTestCluster cluster, String group) throws Exception {
    Admin admin = cluster.admin();
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(Map.of(group,
        new ListConsumerGroupOffsetsSpec())).partitionsToOffsetAndMetadata(group).get(10, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    offsets.forEach((tp, o) -> {
      if (o != null) {
        out.put(tp, o);
      }
    });
    return out;
  }

  /** The value of a Turnout metric (group turnout) with the given tags, or null. */
  static Object metric(RoutingConsumer<?, ?> consumer, String name, Map<String, String> tags) {
    for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
      MetricName n = e.getKey();
      if (n.group().equals("turnout") && n.name().equals(name) && n.tags().entrySet().containsAll(tags.entrySet())) {
        return e.getValue().metricValue();
      }
    }
    return null;
  }

  static long count(RoutingConsumer<?, ?> consumer, String name, Map<String, String> tags) {
    Object v = metric(consumer, name, tags);
    return v == null ? -1 : ((Number) v).longValue();
  }

  static Set<TopicPartition> partitions(String topic, int count) {
    Set<TopicPartition> out = new java.util.HashSet<>();
    for (int i = 0; i < count; i++) {
      out.add(new TopicPartition(topic, i));
    }
    return out;
  }
}
