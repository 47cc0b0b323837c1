package dev.turnout.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@TwoKafkaClusters
class TwoClustersIT {

  private static final Logger LOG = LoggerFactory.getLogger(TwoClustersIT.class);
  private static TwoClusters fromBeforeAll;

  private final TwoClusters clusters;

  TwoClustersIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  @BeforeAll
  static void createTopics(TwoClusters clusters) {
    fromBeforeAll = clusters;
    clusters.createTopic("independence", 1);
  }

  @Test
  void clustersAreRealAndIndependent(TwoClusters fromTestMethod) throws Exception {
    assertThat(fromTestMethod).isSameAs(clusters).isSameAs(fromBeforeAll);
    KafkaTestCluster source = clusters.source();
    KafkaTestCluster target = clusters.target();
    assertThat(source.name()).isEqualTo("source");
    assertThat(target.name()).isEqualTo("target");
    assertThat(source.clusterId()).isNotEqualTo(target.clusterId());
    assertThat(source.bootstrapServers()).isNotEqualTo(target.bootstrapServers());
    assertThat(source.admin().describeCluster().clusterId().get()).isEqualTo(source.clusterId());
    assertThat(target.admin().describeCluster().clusterId().get()).isEqualTo(target.clusterId());

    RecordMetadata written;
    try (KafkaProducer<String, String> producer = producer(source, Map.of())) {
      written = producer.send(new ProducerRecord<>("independence", "key", "only on source")).get(10, TimeUnit.SECONDS);
    }
    assertThat(written.offset()).isZero();

    TopicPartition partition = new TopicPartition("independence", 0);
    assertThat(endOffset(source, partition)).isEqualTo(1);
    assertThat(endOffset(target, partition)).isZero();
    assertThat(readAll(source, partition, 1)).extracting(ConsumerRecord::value).containsExactly("only on source");
  }

  @Test
  void brokerCanBeStoppedAndStartedAgain() throws Exception {
    KafkaTestCluster target = clusters.target();
    target.createTopic("bounce", 1);
    Map<String, Object> impatient = Map.of(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 1500,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 1500,
        ProducerConfig.LINGER_MS_CONFIG, 0);
    try (KafkaProducer<String, String> producer = producer(target, impatient);
       KafkaProducer<String, String> sourceProducer = producer(clusters.source(), impatient)) {
      producer.send(new ProducerRecord<>("bounce", "before")).get(10, TimeUnit.SECONDS);

      target.stopBroker();
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("bounce", "while down")).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TimeoutException.class);
      // The other cluster is unaffected.
      sourceProducer.send(new ProducerRecord<>("independence", "target is down")).get(10, TimeUnit.SECONDS);

      long started = System.nanoTime();
      target.startBroker();
      LOG.info("startBroker() returned after {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      RecordMetadata after = producer.send(new ProducerRecord<>("bounce", "after")).get(10, TimeUnit.SECONDS);
      assertThat(after.offset()).isEqualTo(1);
    }
    assertThat(readAll(target, new TopicPartition("bounce", 0), 2))
        .extracting(ConsumerRecord::value).containsExactly("before", "after");
  }

  static KafkaProducer<String, String> producer(KafkaTestCluster cluster, Map<String, Object> overrides) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.putAll(overrides);
    return new KafkaProducer<>(config);
  }

  static long endOffset(KafkaTestCluster cluster, TopicPartition partition) throws Exception {
    return cluster.admin().listOffsets(Map.of(partition, OffsetSpec.latest()))
        .partitionResult(partition).get(10, TimeUnit.SECONDS).offset();
  }

  static List<ConsumerRecord<String, String>> readAll(KafkaTestCluster cluster, TopicPartition partition,
                            int expected) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }
}
