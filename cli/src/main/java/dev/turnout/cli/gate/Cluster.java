package dev.turnout.cli.gate;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One cluster the gate reads: its alias and client settings, an Admin client opened on first use, and read-only
 * consumers (no group, nothing committed). Not thread-safe.
 */
public final class Cluster implements AutoCloseable {

  private final String alias;
  private final Map<String, Object> config;
  private final Duration timeout;
  private Admin admin;

  /**
   * @param alias the cluster's alias in the authority document
   * @param config client settings ({@code bootstrap.servers} and security)
   * @param timeout how long one request may take
   */
  public Cluster(String alias, Map<String, Object> config, Duration timeout) {
    this.alias = alias;
    this.config = Map.copyOf(config);
    this.timeout = timeout;
  }

  public String alias() {
    return alias;
  }

  /** The client settings, for clients the gate hands them to. */
  public Map<String, Object> config() {
    return config;
  }

  public Duration timeout() {
    return timeout;
  }

  /** The Admin client, opened on first use. */
  public Admin admin() {
    if (admin == null) {
      Map<String, Object> c = only(AdminClientConfig.configNames());
      c.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "turnout-gate-admin");
      c.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
      c.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
      admin = Admin.create(c);
    }
    return admin;
  }

  /** A new consumer without a group; the caller closes it. */
  public KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> c = only(ConsumerConfig.configNames());
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "turnout-gate-reader");
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The end offsets of the partitions. */
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) throws Exception {
    return offsets(partitions, OffsetSpec.latest());
  }

  /** The log start offsets of the partitions. */
  public Map<TopicPartition, Long> startOffsets(Collection<TopicPartition> partitions) throws Exception {
    return offsets(partitions, OffsetSpec.earliest());
  }

  private Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec)
      throws Exception {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = partitions.stream()
        .collect(Collectors.toMap(Function.identity(), tp -> spec));
    return get(admin().listOffsets(request).all()).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  /** Waits for a future within the timeout, unwrapping its cause. */
  public <T> T get(KafkaFuture<T> future) throws Exception {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private Map<String, Object> only(Set<String> keys) {
    Map<String, Object> c = new HashMap<>();
    config.forEach((k, v) -> {
      if (keys.contains(k)) {
        c.put(k, v);
      }
    });
    return c;
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public String toString() {
    return alias;
  }
}
