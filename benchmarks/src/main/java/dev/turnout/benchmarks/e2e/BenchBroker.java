package dev.turnout.benchmarks.e2e;

import dev.turnout.testkit.KafkaTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The one in-process broker the producer, provenance, consumer and flip benchmarks share: a single KRaft
 * node ({@link KafkaTestCluster}) in this JVM, so clients and broker compete for the same cores, as the
 * issue's "co-located broker" measurements require. Every measurement writes to a topic of its own, deleted
 * afterwards so that the disk does not fill up over a full run.
 */
public final class BenchBroker implements AutoCloseable {

  private static final AtomicInteger TOPICS = new AtomicInteger();

  private final KafkaTestCluster cluster;

  private BenchBroker(KafkaTestCluster cluster) {
    this.cluster = cluster;
  }

  /** Starts the broker; deleted segment files go away after one second instead of a minute. */
  public static BenchBroker start() {
    return new BenchBroker(KafkaTestCluster.start("bench", Map.of(
        "file.delete.delay.ms", "1000",
        "log.segment.delete.delay.ms", "1000",
        "auto.create.topics.enable", "false")));
  }

  /** The broker's bootstrap servers. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** The underlying cluster. */
  public KafkaTestCluster cluster() {
    return cluster;
  }

  /**
   * Creates a new topic named {@code bench.<label>.<n>} with {@code partitions} partitions, and returns once
   * the broker has accepted a write on every partition: each partition then holds one empty probe record.
   * (An idempotent producer whose first batch meets a leader that is not ready yet can otherwise have later
   * batches accepted and then retry the first one out of sequence forever.) The probe producer is closed
   * before this returns, so that it does not keep polling metadata during measurements.
   */
  public String newTopic(String label, int partitions) {
    String topic = "bench." + label + '.' + TOPICS.incrementAndGet();
    cluster.createTopic(topic, partitions);
    Map<String, Object> config = cluster.clientConfig();
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-topic-probe");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> probe = new KafkaProducer<>(config)) {
      for (int p = 0; p < partitions; p++) {
        probe.send(new ProducerRecord<>(topic, p, null, new byte[0])).get(60, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("Topic " + topic + " does not accept writes", e);
    }
    return topic;
  }

  /** Deletes a topic, waiting up to 30 s. */
  public void deleteTopic(String topic) {
    try {
      cluster.admin().deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("Cannot delete topic " + topic, e);
    }
  }

  @Override
  public void close() {
    cluster.close();
  }

  /** Sleeps, restoring the interrupt flag. */
  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
