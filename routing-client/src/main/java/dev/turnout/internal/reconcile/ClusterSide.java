package dev.turnout.internal.reconcile;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One cluster of a reconciliation: its alias, its client settings (bootstrap servers and security, never logged)
 * and the clients made from them. The Admin client and the {@code read_committed} consumer are created on first
 * use and kept; each transactional producer belongs to its caller. A {@code client.id} in the settings prefixes the
 * clients' ids ({@code <client.id>-turnout-reconcile-admin-<alias>}...). Not thread-safe.
 */
public final class ClusterSide implements AutoCloseable {

  private static final List<String> DROPPED = List.of(ConsumerConfig.GROUP_ID_CONFIG,
      ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG,
      ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
      ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
      ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);

  /** The consumer's {@code fetch.max.wait.ms}. */
  static final int FETCH_MAX_WAIT_MS = 20;

  private final String alias;
  private final Map<String, Object> configs;
  private final Duration timeout;
  private final String idPrefix;
  private Admin admin;
  private Consumer<byte[], byte[]> consumer;

  public ClusterSide(String alias, Map<String, Object> configs, Duration timeout) {
    this.alias = Objects.requireNonNull(alias, "alias");
    this.configs = new HashMap<>(configs);
    Object clientId = this.configs.remove(CommonClientConfigs.CLIENT_ID_CONFIG);
    this.idPrefix = clientId == null || clientId.toString().isBlank() ? "" : clientId + "-";
    DROPPED.forEach(this.configs::remove);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** The cluster's alias in the authority documents. */
  public String alias() {
    return alias;
  }

  /** How long one request to this cluster may take. */
  public Duration timeout() {
    return timeout;
  }

  /** The bootstrap servers, for messages (no other setting is ever shown). */
  public String bootstrap() {
    return String.valueOf(configs.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
  }

  /** The shared Admin client. */
  public Admin admin() {
    if (admin == null) {
      Map<String, Object> c = new HashMap<>(configs);
      c.put(AdminClientConfig.CLIENT_ID_CONFIG, idPrefix + "turnout-reconcile-admin-" + alias);
      c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis());
      c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis());
      admin = Admin.create(c);
    }
    return admin;
  }

  /** The shared group-less {@code read_committed} consumer of raw bytes. */
  public Consumer<byte[], byte[]> consumer() {
    if (consumer == null) {
      Map<String, Object> c = new HashMap<>(configs);
      c.put(ConsumerConfig.CLIENT_ID_CONFIG, idPrefix + "turnout-reconcile-reader-" + alias);
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
      c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis());
      c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis());
      // A read stops at a known end offset: a fetch left waiting there for new data would only delay the next
      // read (the broker holds it up to fetch.max.wait.ms, default 500 ms), so it returns quickly.
      c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
      c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
      c.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
      consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
    return consumer;
  }

  /** A new transactional producer of raw bytes; the caller closes it. */
  public Producer<byte[], byte[]> transactionalProducer(String transactionalId) {
    Map<String, Object> c = new HashMap<>(configs);
    c.put(ProducerConfig.CLIENT_ID_CONFIG, idPrefix + transactionalId);
    c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    c.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis());
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis());
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2 * millis() + 1_000);
    return new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private int millis() {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
  }

  @Override
  public void close() {
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(5));
    }
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public String toString() {
    return "'" + alias + "' (" + bootstrap() + ")";
  }
}
