package dev.turnout.drill.junit;

import dev.turnout.authority.MigrationState;
import dev.turnout.drill.load.ClientSettings;
import dev.turnout.drill.plan.ControlPublisher;
import dev.turnout.drill.plan.Documents;
import dev.turnout.drill.plan.Step;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.TwoClusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The two clusters of a drill, {@code source} and {@code target}, and what a drill needs on them: the compacted
 * control topic {@value #CONTROL_TOPIC} on the source (the authority documents), the compacted status topic
 * {@value #STATUS_TOPIC} on the target (the fleet's status), the routing clients' settings and the publication of
 * documents. Either embedded ({@link #startEmbedded(String, long)}: two KRaft clusters and MirrorMaker 2 in this
 * JVM) or external ({@link #external(Map, Map, AutoCloseable...)}, {@link #fromEnvironment()}: clusters someone
 * else started and replicates). In JUnit 5, {@link TurnoutDrill} injects one. Thread-safe.
 */
public final class DrillClusters implements AutoCloseable {

  /** The source cluster's alias in the routing clients' settings and the documents. */
  public static final String SOURCE = "source";
  /** The target cluster's alias. */
  public static final String TARGET = "target";
  /** The control topic, on the source. */
  public static final String CONTROL_TOPIC = "turnout-authority";
  /** The status topic, on the target. */
  public static final String STATUS_TOPIC = "turnout-status";
  /** System property naming the source's bootstrap servers (environment variable {@code TURNOUT_DRILL_SOURCE_BOOTSTRAP}). */
  public static final String SOURCE_BOOTSTRAP = "turnout.drill.source.bootstrap";
  /** System property naming the target's bootstrap servers (environment variable {@code TURNOUT_DRILL_TARGET_BOOTSTRAP}). */
  public static final String TARGET_BOOTSTRAP = "turnout.drill.target.bootstrap";
  /** System property naming a properties file of the source's client settings, security included. */
  public static final String SOURCE_CONFIG = "turnout.drill.source.config";
  /** System property naming a properties file of the target's client settings, security included. */
  public static final String TARGET_CONFIG = "turnout.drill.target.config";

  /** What MirrorMaker 2 never copies: its own and Kafka's internal topics, the drill's control and status topics. */
  static final String MIRROR_EXCLUDES = ".*[\\-\\.]internal,.*\\.replica,__.*," + CONTROL_TOPIC + ","
      + STATUS_TOPIC;

  private final Map<String, Object> source;
  private final Map<String, Object> target;
  private final boolean embedded;
  private final List<AutoCloseable> resources;
  private final Object lock = new Object();
  private ControlPublisher publisher;
  private long epoch = -1;
  private boolean closed;

  private DrillClusters(Map<String, ?> source, Map<String, ?> target, boolean embedded,
      List<AutoCloseable> resources) {
    this.source = Map.copyOf(source);
    this.target = Map.copyOf(target);
    this.embedded = embedded;
    this.resources = List.copyOf(resources);
  }

  /**
   * Starts two embedded clusters and MirrorMaker 2 replicating from source to target the topics {@code replicate}
   * matches (a regular expression or comma-separated list; the control and status topics never), with
   * {@code replicationLagMillis} of added lag. {@link #close()} stops them.
   */
  public static DrillClusters startEmbedded(String replicate, long replicationLagMillis) {
    Objects.requireNonNull(replicate, "replicate");
    TwoClusters clusters = TwoClusters.start();
    try {
      InProcessMirrorMaker mirror = InProcessMirrorMaker.builder(clusters).topics(replicate)
          .property("topics.exclude", MIRROR_EXCLUDES).replicationLagMillis(replicationLagMillis).start();
      return new DrillClusters(clusters.source().clientConfig(), clusters.target().clientConfig(), true,
          List.of(mirror, clusters));
    } catch (RuntimeException | Error e) {
      clusters.close();
      throw e;
    }
  }

  /**
   * Clusters that are already running; replication between them is whoever started them's.
   *
   * @param sourceConfig the source's client settings: {@code bootstrap.servers} and security settings
   * @param targetConfig the target's
   * @param resources closed by {@link #close()}, in order (containers the caller started, for example)
   * @throws IllegalArgumentException when a configuration has no {@code bootstrap.servers}
   */
  public static DrillClusters external(Map<String, ?> sourceConfig, Map<String, ?> targetConfig,
      AutoCloseable... resources) {
    requireBootstrap(sourceConfig, SOURCE);
    requireBootstrap(targetConfig, TARGET);
    return new DrillClusters(sourceConfig, targetConfig, false, List.of(resources));
  }

  private static void requireBootstrap(Map<String, ?> config, String alias) {
    Object servers = Objects.requireNonNull(config, alias + "Config").get("bootstrap.servers");
    if (servers == null || servers.toString().isBlank()) {
      throw new IllegalArgumentException("The " + alias + " cluster's settings have no bootstrap.servers: give the "
          + "host:port list of its brokers");
    }
  }

  /**
   * External clusters named by the system properties {@value #SOURCE_BOOTSTRAP} and {@value #TARGET_BOOTSTRAP}
   * (or the environment variables {@code TURNOUT_DRILL_SOURCE_BOOTSTRAP} and {@code TURNOUT_DRILL_TARGET_BOOTSTRAP})
   * and optionally {@value #SOURCE_CONFIG} and {@value #TARGET_CONFIG}, properties files of each cluster's client
   * settings; empty when none of them is set.
   *
   * @throws IllegalArgumentException when only some are set, or a file cannot be read; the message says which
   */
  public static Optional<DrillClusters> fromEnvironment() {
    return ExternalSettings.read(System::getProperty, System::getenv)
        .map(s -> external(s.source(), s.target()));
  }

  /** Whether these are the embedded clusters (brokers and MirrorMaker 2 in this JVM) rather than external ones. */
  public boolean embedded() {
    return embedded;
  }

  /** The source's bootstrap servers. */
  public String sourceBootstrap() {
    return source.get("bootstrap.servers").toString();
  }

  /** The target's bootstrap servers. */
  public String targetBootstrap() {
    return target.get("bootstrap.servers").toString();
  }

  /** A new modifiable copy of the source's client settings (bootstrap and security), for admin or plain clients. */
  public Map<String, Object> sourceConfig() {
    return new HashMap<>(source);
  }

  /** A new modifiable copy of the target's client settings. */
  public Map<String, Object> targetConfig() {
    return new HashMap<>(target);
  }

  /**
   * The settings every routing client of a drill needs, in a new modifiable map: both clusters (their settings
   * under {@code turnout.cluster.<alias>.}), the control topic on the source as the authority, the status topic on
   * the target (published every second) and {@code client.id}. Add serializers or deserializers, a
   * {@code group.id} and your own settings.
   */
  public Map<String, Object> routingConfig(String clientId) {
    return ClientSettings.routing(SOURCE, source, TARGET, target, CONTROL_TOPIC, STATUS_TOPIC,
        Objects.requireNonNull(clientId, "clientId"));
  }

  /**
   * Creates the topic on both clusters (replication factor 1 on embedded clusters, the brokers' default on
   * external ones); a topic that exists with the same number of partitions is fine.
   *
   * @throws IllegalStateException when it exists with another number of partitions or cannot be created
   */
  public void createTopic(String topic, int partitions) {
    ControlTopics.create(SOURCE, source, topic, partitions, false);
    ControlTopics.create(TARGET, target, topic, partitions, false);
  }

  /**
   * The epoch the next document must carry: one above the highest published on the control topic, by this
   * object or before it (an earlier run on the same external clusters).
   */
  public long nextEpoch() {
    synchronized (lock) {
      prepare();
      return epoch + 1;
    }
  }

  /**
   * Publishes an authority document (its keys and values, {@code epoch} among them) to the control topic and
   * waits for its acknowledgement. Clients keep the document with the highest epoch, so the epoch must be above
   * every one published before ({@link #nextEpoch()}).
   *
   * @throws IllegalArgumentException when its epoch is missing or not above the highest published
   */
  public void publish(Map<String, String> document) {
    synchronized (lock) {
      prepare();
      long e = epochOf(document);
      if (e <= epoch) {
        throw new IllegalArgumentException("The document's epoch " + e + " is not above the highest published, "
            + epoch + ": clients would keep the other one. Use nextEpoch()");
      }
      try {
        publisher.publish(document);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while publishing the document of epoch " + e, ex);
      }
      epoch = e;
    }
  }

  /**
   * Publishes, with the next epoch, the document the drill uses for {@code state} of {@code topic}: rule
   * {@code drill}, and for {@code WRITE_PROMOTION} buckets {@code 0} to {@code percent * 100 - 1} on the target
   * (slice {@code promoted}), the others on the source (slice {@code rest}); a document other than
   * {@code TARGET_AUTHORITY} carries {@code rule.drill.rollback.allowed=true}. For flips of your own, outside a
   * {@link Drill}.
   *
   * @param percent 1 to 100 for {@code WRITE_PROMOTION}; ignored otherwise
   * @return the document's epoch
   */
  public long publish(String topic, MigrationState state, int percent) {
    Step step = state == MigrationState.WRITE_PROMOTION ? new Step(state, percent) : Step.of(state);
    Documents documents = new Documents(Objects.requireNonNull(topic, "topic"), SOURCE, TARGET);
    synchronized (lock) {
      long e = nextEpoch();
      publish(documents.document(step, e, Step.of(MigrationState.TARGET_AUTHORITY)));
      return e;
    }
  }

  private static long epochOf(Map<String, String> document) {
    try {
      return Long.parseLong(Objects.requireNonNull(document, "document").getOrDefault("epoch", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("The document has no numeric 'epoch': " + document.get("epoch"), e);
    }
  }

  /** Creates the control and status topics if absent and reads the highest epoch published; once. */
  private void prepare() {
    if (closed) {
      throw new IllegalStateException("These drill clusters are closed");
    }
    if (publisher != null) {
      return;
    }
    ControlTopics.create(SOURCE, source, CONTROL_TOPIC, 1, true);
    ControlTopics.create(TARGET, target, STATUS_TOPIC, 1, true);
    epoch = Math.max(0, ControlTopics.highestEpoch(source, CONTROL_TOPIC));
    publisher = new ControlPublisher(source, CONTROL_TOPIC);
  }

  /** Closes the publisher, then stops the embedded clusters or closes the external clusters' resources. */
  @Override
  public void close() {
    List<Exception> failures = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (publisher != null) {
        publisher.close();
      }
    }
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      IllegalStateException e = new IllegalStateException("Could not close the drill clusters: " + failures.get(0),
          failures.get(0));
      failures.subList(1, failures.size()).forEach(e::addSuppressed);
      throw e;
    }
  }

  @Override
  public String toString() {
    return "DrillClusters[" + (embedded ? "embedded" : "external") + ", source=" + sourceBootstrap() + ", target="
        + targetBootstrap() + "]";
  }
}
