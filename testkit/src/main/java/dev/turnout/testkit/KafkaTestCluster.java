package dev.turnout.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.BrokerServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.BrokerState;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Kafka cluster running in this JVM: a single KRaft node acting as broker and controller.
 *
 * <p>The harness uses in-process KRaft clusters built on Kafka's own test kit
 * ({@code org.apache.kafka:kafka-test-common-runtime}) and never needs Docker. The node is bootstrapped
 * from the latest production metadata version with unstable API and feature versions disabled, so it
 * behaves like a production broker. Every internal topic (consumer offsets, transaction state, share
 * coordinator state) has replication factor 1, group rebalances start without delay, and the broker
 * session timeout is 2 s so that {@link #startBroker()} returns within a few seconds. The broker
 * listens on {@code localhost} on a free port that stays the same for the life of the cluster.
 *
 * <p>Starting takes about 3-4 s for the first cluster in a fresh JVM and well under 1 s for later ones;
 * {@link #close()} takes about 1 s and deletes the cluster's data (a JVM that exits without closing a
 * cluster leaves its data directory, {@code turnout-kafka-NAME-*}, in {@code java.io.tmpdir}; no shutdown
 * hook deletes it under a running broker, so an application may close its clients before the clusters
 * in a shutdown hook of its own). Broker logs are noisy at INFO: point
 * {@code -Dlog4j2.configurationFile} at {@code turnout-testkit-log4j2.xml} (shipped in this artifact)
 * or put a {@code log4j2-test.xml} of your own on the test classpath.
 *
 * <p>Instances are thread-safe. Prefer {@link TwoKafkaClusters} or {@link SingleKafkaCluster} in JUnit
 * tests; use {@link #start(String)} directly in examples or when a test needs its own cluster.
 */
public final class KafkaTestCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTestCluster.class);

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

  /** Broker settings applied before the caller's overrides. */
  private static final Map<String, String> DEFAULT_BROKER_CONFIG = defaultBrokerConfig();

  private final String name;
  private final KafkaClusterTestKit kit;
  private final String bootstrapServers;
  private final String clusterId;
  private final Object lock = new Object();
  private Admin admin;
  private boolean closed;

  private KafkaTestCluster(String name, KafkaClusterTestKit kit) {
    this.name = name;
    this.kit = kit;
    this.bootstrapServers = kit.bootstrapServers();
    this.clusterId = kit.nodes().clusterId();
  }

  /**
   * Starts a cluster and waits until its broker is ready.
   *
   * @param name a short name such as {@code "source"} or {@code "target"}, used in log messages
   * @return the running cluster; close it when done
   * @throws IllegalStateException if the cluster does not start
   */
  public static KafkaTestCluster start(String name) {
    return start(name, Map.of());
  }

  /**
   * Starts a cluster with extra or overridden broker settings and waits until its broker is ready.
   *
   * @param name a short name such as {@code "source"} or {@code "target"}, used in log messages
   * @param brokerOverrides broker properties that replace or add to the defaults described above,
   *                        e.g. {@code Map.of("auto.create.topics.enable", "false")}
   * @return the running cluster; close it when done
   * @throws IllegalStateException if the cluster does not start
   */
  public static KafkaTestCluster start(String name, Map<String, String> brokerOverrides) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(brokerOverrides, "brokerOverrides");
    long started = System.nanoTime();
    Map<String, String> config = new LinkedHashMap<>(DEFAULT_BROKER_CONFIG);
    config.putAll(brokerOverrides);

    Path dataDirectory = createDataDirectory(name);
    TestKitNodes nodes = new TestKitNodes.Builder(
        BootstrapMetadata.fromVersion(MetadataVersion.latestProduction(), "turnout-testkit"))
        .setBaseDirectory(dataDirectory)
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1)
        .build();
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
    config.forEach(builder::setConfigProp);

    KafkaClusterTestKit kit = null;
    boolean running = false;
    try {
      kit = builder.build();
      kit.format();
      kit.startup();
      kit.waitForReadyBrokers();
      KafkaTestCluster cluster = new KafkaTestCluster(name, kit);
      running = true;
      LOG.info("Kafka cluster '{}' started in {} ms at {} (cluster id {})",
          name, Clock.millisSince(started), cluster.bootstrapServers, cluster.clusterId);
      return cluster;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("Kafka cluster '" + name + "' did not start", e);
    } finally {
      if (!running && kit != null) {
        closeQuietly(kit);
      } else if (!running) {
        closeQuietly(() -> Utils.delete(dataDirectory.toFile()));
      }
    }
  }

  /** The name given to {@link #start(String)}. */
  public String name() {
    return name;
  }

  /** The broker's {@code host:port}, usable as {@code bootstrap.servers}; stable across broker bounces. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The KRaft cluster id; different for every cluster started. */
  public String clusterId() {
    return clusterId;
  }

  /**
   * A new modifiable map holding {@code bootstrap.servers} for this cluster, to which a caller adds
   * producer, consumer or admin settings.
   */
  public Map<String, Object> clientConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }

  /**
   * The cluster's shared {@link Admin} client, created on first use and closed by {@link #close()}.
   * Do not close it yourself.
   */
  public Admin admin() {
    synchronized (lock) {
      ensureOpen();
      if (admin == null) {
        Map<String, Object> config = clientConfig();
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "turnout-testkit-admin-" + name);
        admin = Admin.create(config);
      }
      return admin;
    }
  }

  /**
   * Creates a topic with replication factor 1 and waits until every partition has a leader.
   * If the topic already exists with the same number of partitions (for example because MirrorMaker
   * created it), this returns normally.
   *
   * @throws IllegalStateException if the topic exists with another partition count, or creation fails
   */
  public void createTopic(String topic, int partitions) {
    Objects.requireNonNull(topic, "topic");
    try {
      admin().createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all().get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create topic '" + topic + "' on cluster '" + name + "'",
            e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic '" + topic + "' on cluster '" + name + "'", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
    awaitLeaders(Set.of(topic), OPERATION_TIMEOUT);
    int actual = describe(Set.of(topic)).get(topic).partitions().size();
    if (actual != partitions) {
      throw new IllegalStateException("Topic '" + topic + "' on cluster '" + name + "' already exists with "
          + actual + " partitions, not " + partitions);
    }
  }

  /**
   * Shuts the broker down, leaving the controller running. Clients then fail to connect until
   * {@link #startBroker()}.
   */
  public void stopBroker() {
    synchronized (lock) {
      ensureOpen();
      long started = System.nanoTime();
      broker().shutdown();
      LOG.info("Kafka cluster '{}': broker stopped in {} ms", name, Clock.millisSince(started));
    }
  }

  /**
   * Starts the broker again on the same port and waits until it is registered and every partition
   * (internal topics included) has a leader again, which takes about 2 s.
   *
   * @throws IllegalStateException if the broker does not come back within 60 s
   */
  public void startBroker() {
    synchronized (lock) {
      ensureOpen();
      long started = System.nanoTime();
      BrokerServer broker = broker();
      broker.startup();
      long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
      while (broker.brokerState() != BrokerState.RUNNING) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Broker of cluster '" + name + "' is "
              + broker.brokerState() + " after " + STARTUP_TIMEOUT.toSeconds() + " s");
        }
        Clock.sleep(POLL_INTERVAL);
      }
      Set<String> topics = await(() -> admin().listTopics(new ListTopicsOptions().listInternal(true))
          .names().get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), deadline);
      awaitLeaders(topics, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      LOG.info("Kafka cluster '{}': broker started again in {} ms", name, Clock.millisSince(started));
    }
  }

  /** Stops the broker and controller and deletes their data. Calling it again has no effect. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      long started = System.nanoTime();
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
      try {
        kit.close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("Kafka cluster '" + name + "' did not close cleanly", e);
      }
      LOG.info("Kafka cluster '{}' closed in {} ms", name, Clock.millisSince(started));
    }
  }

  @Override
  public String toString() {
    return "KafkaTestCluster[" + name + ", " + bootstrapServers + "]";
  }

  private BrokerServer broker() {
    return kit.brokers().values().iterator().next();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Kafka cluster '" + name + "' is closed");
    }
  }

  private Map<String, TopicDescription> describe(Collection<String> topics) {
    try {
      return admin().describeTopics(topics).allTopicNames()
          .get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot describe topics " + topics + " on cluster '" + name + "'", e);
    }
  }

  private void awaitLeaders(Set<String> topics, Duration timeout) {
    if (topics.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    await(() -> {
      Map<String, TopicDescription> descriptions = admin().describeTopics(topics).allTopicNames()
          .get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      for (TopicDescription description : descriptions.values()) {
        for (TopicPartitionInfo partition : description.partitions()) {
          if (partition.leader() == null || partition.leader().isEmpty()) {
            return null;
          }
        }
      }
      return Boolean.TRUE;
    }, deadline);
  }

  /** Polls {@code attempt} until it returns non-null without throwing, or the deadline passes. */
  private <T> T await(Attempt<T> attempt, long deadlineNanos) {
    Exception last = null;
    while (true) {
      try {
        T result = attempt.run();
        if (result != null) {
          return result;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted", e);
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException("Kafka cluster '" + name + "' did not become ready in time", last);
      }
      Clock.sleep(POLL_INTERVAL);
    }
  }

  @FunctionalInterface
  private interface Attempt<T> {
    T run() throws Exception;
  }

  private static Map<String, String> defaultBrokerConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("unstable.api.versions.enable", "false");
    config.put("unstable.feature.versions.enable", "false");
    config.put("offsets.topic.replication.factor", "1");
    config.put("transaction.state.log.replication.factor", "1");
    config.put("transaction.state.log.min.isr", "1");
    config.put("share.coordinator.state.topic.replication.factor", "1");
    config.put("share.coordinator.state.topic.min.isr", "1");
    config.put("group.initial.rebalance.delay.ms", "0");
    config.put("broker.session.timeout.ms", "2000");
    config.put("broker.heartbeat.interval.ms", "500");
    return Map.copyOf(config);
  }

  /**
   * The cluster's data directory, deleted by {@link #close()}. Created here rather than by Kafka's test kit,
   * whose directories are also deleted by a JVM shutdown hook of their own: on a JVM exit that hook would
   * delete the data of a broker still running, for example while an application's shutdown hook closes
   * its clients before the clusters, and the broker would halt the JVM on the failed log directory.
   */
  private static Path createDataDirectory(String name) {
    try {
      return Files.createTempDirectory("turnout-kafka-" + name.replaceAll("[^A-Za-z0-9_-]", "_") + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a data directory for Kafka cluster '" + name
          + "' in " + System.getProperty("java.io.tmpdir"), e);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("Ignoring failure while cleaning up", e);
    }
  }
}
