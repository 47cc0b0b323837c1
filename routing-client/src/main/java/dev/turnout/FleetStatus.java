package dev.turnout;

import dev.turnout.internal.fleet.Principals;
import dev.turnout.internal.fleet.StatusDocument;
import dev.turnout.internal.fleet.StatusPublisher;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.TurnoutListener;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Wires fleet status publication ({@code turnout.status.*}) into a client: resolves the status topic's
 * cluster (its own keys, else the control topic's, else a {@link TurnoutConfigException}), derives the
 * instance's identity, and runs a {@link StatusPublisher} triggered by the client's epoch changes and its
 * change signature. Created by {@link #plan} at construction (so configuration errors come first),
 * {@link #start}ed once the client started, closed (with the tombstone) when the client closes.
 */
final class FleetStatus {

  /** The control topic's cluster keys: the status topic's cluster when it has none of its own. */
  static final String CONTROL_TOPIC_PREFIX = TurnoutConfig.AUTHORITY_TOPIC_PREFIX;

  /** Producer settings of the application that must not apply to status records. */
  private static final Set<String> NOT_INHERITED = Set.of(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG,
      ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.PARTITIONER_CLASS_CONFIG,
      ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

  private final TurnoutSettings settings;
  private final String topic;
  private final Map<String, Object> producerConfig;
  private final String where;
  private final long intervalMillis;
  private final String service;
  private StatusPublisher publisher;

  private FleetStatus(TurnoutSettings settings, String topic, Map<String, Object> producerConfig, String where) {
    this.settings = settings;
    this.topic = topic;
    this.producerConfig = producerConfig;
    this.where = where;
    this.intervalMillis = settings.turnout().getLong(TurnoutConfig.STATUS_INTERVAL_MS);
    String name = settings.turnout().getString(TurnoutConfig.SERVICE_NAME);
    this.service = name == null || name.isBlank() ? serviceName(settings.clientId) : name.trim();
  }

  /**
   * The publication the settings ask for, or {@code null} when {@code turnout.status.topic} is unset.
   *
   * @throws TurnoutConfigException when the status topic's cluster is not named, or named wrongly
   */
  static FleetStatus plan(TurnoutSettings settings) {
    return plan(settings, settings.originals());
  }

  /** {@link #plan(TurnoutSettings)} with the raw configuration {@code raw} (a test seam). */
  static FleetStatus plan(TurnoutSettings settings, Map<String, ?> raw) {
    String topic = settings.turnout().getString(TurnoutConfig.STATUS_TOPIC);
    checkOwnSettings(raw, topic == null || topic.isBlank());
    if (topic == null || topic.isBlank()) {
      return null;
    }
    String prefix;
    if (SideClusterSettings.configured(raw, TurnoutConfig.STATUS_TOPIC_PREFIX)) {
      prefix = TurnoutConfig.STATUS_TOPIC_PREFIX;
    } else if (SideClusterSettings.configured(raw, CONTROL_TOPIC_PREFIX)) {
      prefix = CONTROL_TOPIC_PREFIX;
    } else {
      throw TurnoutConfigException.invalid(TurnoutConfig.STATUS_TOPIC, topic.trim(), "no cluster is named for the "
          + "status topic: set " + TurnoutConfig.STATUS_TOPIC_CLUSTER + "=<one of " + TurnoutConfig.CLUSTERS + " "
          + settings.clusters + ">, or " + TurnoutConfig.STATUS_TOPIC_PREFIX + "bootstrap.servers (with any other "
          + TurnoutConfig.STATUS_TOPIC_PREFIX + "<Kafka client setting>), or the control topic's cluster ("
          + CONTROL_TOPIC_PREFIX + "cluster or " + CONTROL_TOPIC_PREFIX + "bootstrap.servers)");
    }
    Map<String, Object> side = SideClusterSettings.resolve(settings, raw, prefix);
    Object alias = raw.get(prefix + SideClusterSettings.CLUSTER);
    String where = alias != null && !alias.toString().isBlank() ? "cluster '" + alias.toString().trim() + "'"
        : SideClusterSettings.clusterName(raw, prefix);
    return new FleetStatus(settings, topic.trim(), producerConfig(side, settings.clientId, settings.turnout()
        .getLong(TurnoutConfig.STATUS_INTERVAL_MS)), where);
  }

  /** The status topic. */
  String topic() {
    return topic;
  }

  /** The status producer's configuration (may hold secrets: never log it). */
  Map<String, Object> producerConfig() {
    return producerConfig;
  }

  /** The service name in the records. */
  String service() {
    return service;
  }

  /**
   * Each {@code turnout.status.topic.<setting>} must be a Kafka producer setting, given only with the topic's own
   * {@code bootstrap.servers}: elsewhere it would be ignored without a word.
   */
  private static void checkOwnSettings(Map<String, ?> raw, boolean noTopic) {
    String prefix = TurnoutConfig.STATUS_TOPIC_PREFIX;
    boolean ownCluster = raw.get(prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) != null;
    for (String key : new java.util.TreeSet<>(raw.keySet())) {
      if (!key.startsWith(prefix) || raw.get(key) == null) {
        continue;
      }
      if (noTopic) {
        throw TurnoutConfigException.invalid(key, null, "the status topic is not set: set "
            + TurnoutConfig.STATUS_TOPIC + ", or remove the " + prefix + "* settings");
      }
      String setting = key.substring(prefix.length());
      if (key.equals(TurnoutConfig.STATUS_TOPIC_CLUSTER)) {
        continue;
      }
      if (!ProducerConfig.configNames().contains(setting)) {
        throw TurnoutConfigException.invalid(key, null, "'" + setting + "' is not a Kafka producer setting; the "
            + "status topic's own cluster takes " + prefix + "bootstrap.servers and other producer settings, or use "
            + TurnoutConfig.STATUS_TOPIC_CLUSTER + "=<alias>");
      }
      if (!ownCluster) {
        throw TurnoutConfigException.invalid(key, null, "it applies only to a status cluster of its own: set "
            + prefix + "bootstrap.servers too, or remove it (with " + TurnoutConfig.STATUS_TOPIC_CLUSTER
            + " the cluster's own settings, " + TurnoutConfig.CLUSTER_PREFIX + "<alias>.*, are used)");
      }
    }
  }

  /** The status producer's configuration: the side cluster's producer settings, bounded waits, no idempotence. */
  static Map<String, Object> producerConfig(Map<String, Object> side, String clientId, long intervalMillis) {
    Map<String, Object> config = new LinkedHashMap<>();
    Set<String> producerKeys = ProducerConfig.configNames();
    side.forEach((key, value) -> {
      if (value != null && producerKeys.contains(key) && !NOT_INHERITED.contains(key)) {
        config.put(key, value);
      }
    });
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-status");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false); // no IDEMPOTENT_WRITE permission needed
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1_000, Math.min(intervalMillis, 10_000)));
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    return config;
  }

  /** The default service name: the client id without a trailing {@code -<digits>}, or the client id. */
  static String serviceName(String clientId) {
    String stripped = clientId.replaceFirst("-\\d+$", "");
    return stripped.isEmpty() ? clientId : stripped;
  }

  /**
   * Starts publishing.
   *
   * @param instanceId the client instance's id (the record key)
   * @param snapshot the client's {@code status()}
   * @param changes the client's change signature (breakers, barriers, reads)
   */
  void start(String instanceId, Listeners listeners, Supplier<ClientStatus> snapshot, LongSupplier changes) {
    Map<String, String> principals = new LinkedHashMap<>();
    for (int i = 0; i < settings.clusters.size(); i++) {
      principals.put(settings.clusters.get(i), Principals.of(settings.clusterConfigs.get(i)));
    }
    StatusPublisher.Source source = new StatusPublisher.Source() {
      private StatusDocument.Identity identity; // publisher thread only

      @Override
      public byte[] render(Instant publishedAt, long publishFailures) {
        if (identity == null) { // the host name is looked up on the publisher thread, not the client's
          identity = new StatusDocument.Identity(instanceId, service, hostName(), principals, intervalMillis);
        }
        return StatusDocument.render(snapshot.get(), identity, publishedAt, publishFailures);
      }

      @Override
      public long changeSignature() {
        return changes.getAsLong();
      }
    };
    Supplier<Producer<byte[], byte[]>> factory =
        () -> new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
    publisher = new StatusPublisher(settings.clientId, topic, where, instanceId, factory, source, intervalMillis);
    listeners.add(new TurnoutListener() {
      @Override
      public void onEpochApplied(String clientId, long previousEpoch, long epoch) {
        publisher.changed();
      }
    });
    publisher.start();
  }

  /** Stops publishing and writes the tombstone, within {@code timeout} bounded to 1 to 5 s. */
  void close(Duration timeout) {
    if (publisher != null) {
      Duration bounded = timeout.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5)
          : timeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : timeout;
      publisher.close(bounded);
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
