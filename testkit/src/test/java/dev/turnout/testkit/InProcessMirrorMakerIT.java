package dev.turnout.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@TwoKafkaClusters
class InProcessMirrorMakerIT {

  private static final Logger LOG = LoggerFactory.getLogger(InProcessMirrorMakerIT.class);
  private static final String TOPIC = "orders";
  private static final String GROUP = "order-readers";

  @Test
  void replicatesRecordsWithHeadersUnderTheSameNameAndCheckpointsGroups(TwoClusters clusters) throws Exception {
    clusters.source().createTopic(TOPIC, 2);
    ClassLoader contextLoader = Thread.currentThread().getContextClassLoader();

    long started = System.nanoTime();
    InProcessMirrorMaker mirrorMaker = InProcessMirrorMaker.builder(clusters).topics(TOPIC).start();
    try {
      LOG.info("MirrorMaker started in {} ms", millisSince(started));
      assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(contextLoader);
      assertThat(mirrorMaker.connectorState("MirrorSourceConnector")).isEqualTo("RUNNING");

      RecordMetadata written;
      long produced;
      try (KafkaProducer<String, String> producer = TwoClustersIT.producer(clusters.source(), Map.of())) {
        ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, 1, "order-1", "created",
            List.<Header>of(new RecordHeader("trace-id", "abc-123".getBytes(StandardCharsets.UTF_8))));
        written = producer.send(record).get(10, TimeUnit.SECONDS);
        produced = System.nanoTime();
      }

      TopicPartition partition = new TopicPartition(TOPIC, written.partition());
      List<ConsumerRecord<String, String>> mirrored = readFromTarget(clusters.target(), partition, 1);
      LOG.info("Record on target {} ms after it was produced", millisSince(produced));
      assertThat(mirrored).hasSize(1);
      ConsumerRecord<String, String> copy = mirrored.get(0);
      assertThat(copy.topic()).isEqualTo(TOPIC);
      assertThat(copy.partition()).isEqualTo(1);
      assertThat(copy.key()).isEqualTo("order-1");
      assertThat(copy.value()).isEqualTo("created");
      assertThat(copy.headers().lastHeader("trace-id").value())
          .isEqualTo("abc-123".getBytes(StandardCharsets.UTF_8));

      long committed = commitAfterReading(clusters.source(), partition);
      Map<TopicPartition, OffsetAndMetadata> translated = awaitTranslation(clusters.target(), partition);
      LOG.info("Group commit translated on target {} ms after the commit", millisSince(committed));
      assertThat(translated.get(partition).offset()).isEqualTo(1);
      assertThat(liveMirrorThreads()).as("MirrorMaker threads while running").isNotEmpty();
    } finally {
      long stopping = System.nanoTime();
      mirrorMaker.close();
      LOG.info("MirrorMaker closed in {} ms", millisSince(stopping));
    }
    assertThat(mirrorThreads()).as("MirrorMaker threads after close()").isEmpty();
  }

  private static List<ConsumerRecord<String, String>> readFromTarget(KafkaTestCluster target,
                                    TopicPartition partition,
                                    int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!target.admin().listTopics().names().get(10, TimeUnit.SECONDS).contains(partition.topic())) {
      assertThat(System.nanoTime()).as("topic created on target in time").isLessThan(deadline);
      Thread.sleep(50);
    }
    return expected == 0 ? List.of() : TwoClustersIT.readAll(target, partition, expected);
  }

  /** Reads the partition as a member of {@link #GROUP} on the source and commits; returns when it did. */
  private static long commitAfterReading(KafkaTestCluster source, TopicPartition partition) {
    Map<String, Object> config = source.clientConfig();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(partition.topic()));
      int read = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (read < 1 && System.nanoTime() < deadline) {
        read += consumer.poll(Duration.ofMillis(200)).count();
      }
      assertThat(read).isEqualTo(1);
      consumer.commitSync();
      assertThat(consumer.committed(Set.of(partition)).get(partition).offset()).isEqualTo(1);
      return System.nanoTime();
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> awaitTranslation(KafkaTestCluster target,
                                     TopicPartition partition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Map<TopicPartition, OffsetAndMetadata> translated =
          RemoteClusterUtils.translateOffsets(target.clientConfig(), "source", GROUP, Duration.ofSeconds(5));
      OffsetAndMetadata offset = translated.get(partition);
      if ((offset != null && offset.offset() == 1) || System.nanoTime() > deadline) {
        return translated;
      }
      Thread.sleep(200);
    }
  }

  @Test
  void replicationLagDelaysRecordsByUpToTheConfiguredTime(TwoClusters clusters) throws Exception {
    String topic = "lagged";
    clusters.source().createTopic(topic, 1);
    TopicPartition partition = new TopicPartition(topic, 0);
    // Other aliases than the first test, so this instance shares no internal topics with it.
    try (InProcessMirrorMaker mirrorMaker = InProcessMirrorMaker.builder(clusters)
        .aliases("east", "west").topics(topic).replicationLagMillis(1000).start();
       KafkaProducer<String, String> producer = TwoClustersIT.producer(clusters.source(), Map.of());
       KafkaConsumer<String, String> consumer = new KafkaConsumer<>(stringConsumer(clusters.target()))) {
      assertThat(mirrorMaker.sourceAlias()).isEqualTo("east");
      assertThat(mirrorMaker.properties()).containsEntry("east.consumer.fetch.max.wait.ms", "1000");
      readFromTarget(clusters.target(), partition, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));

      // Spread records over more than one fetch wait, so that some wait for almost all of it.
      int count = 8;
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, Long.toString(System.currentTimeMillis())));
        Thread.sleep(150);
      }
      producer.flush();
      List<Long> latencies = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (latencies.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(20))) {
          latencies.add(System.currentTimeMillis() - Long.parseLong(record.value()));
        }
      }
      Collections.sort(latencies);
      LOG.info("Replication latencies with 1000 ms lag: {} ms", latencies);
      assertThat(latencies).hasSize(count);
      assertThat(latencies.get(count - 1)).isBetween(600L, 3000L);
    }
  }

  private static Map<String, Object> stringConsumer(KafkaTestCluster cluster) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return config;
  }

  private static List<String> liveMirrorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.contains("Mirror") || name.contains("source->target"))
        .sorted()
        .toList();
  }

  private static List<String> mirrorThreads() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      List<String> names = liveMirrorThreads();
      if (names.isEmpty() || System.nanoTime() > deadline) {
        return names;
      }
      Thread.sleep(100);
    }
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
