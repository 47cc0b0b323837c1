package dev.turnout.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.KafkaThread;
import org.apache.kafka.connect.mirror.DefaultTopicFilter;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorMaker;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MirrorMaker 2 running in this JVM, replicating one way from a source cluster to a target cluster,
 * for tests and examples. It runs MirrorMaker's dedicated mode (one Connect herder, no REST server)
 * and needs no Docker.
 *
 * <p>Topics keep their names on the target ({@code IdentityReplicationPolicy}). Consumer group offsets
 * are checkpointed to the target every second, so {@code RemoteClusterUtils.translateOffsets} on the
 * target with the source alias can translate a group's commits about 2-3 s after they are made. New
 * topics and groups are picked up within about a second. Group offsets are not written to the target's
 * consumer groups unless {@link Builder#syncGroupOffsets(boolean)} is set. The reverse flow and its
 * heartbeats are disabled; MirrorMaker's internal topics use replication factor 1. Records reach the
 * target well under a second after they are produced, unless {@link Builder#replicationLagMillis(long)}
 * is used to emulate a remote cluster.
 *
 * <pre>{@code
 * try (InProcessMirrorMaker mm = InProcessMirrorMaker.builder(clusters).topics("orders.*").start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} returns once the source and checkpoint connectors are running and, if the
 * source already has topics to replicate, a replication task is running too (about 2-4 s). Create the
 * source topics before starting when a test needs replication to flow as soon as {@code start()}
 * returns; topics created later are picked up within about a second. {@link #close()} stops MirrorMaker
 * (1-2 s) and removes the JVM shutdown hook MirrorMaker registers.
 *
 * <p>MirrorMaker keeps its state (connector configs, replicated offsets) in internal topics named after
 * the source alias on the target cluster, so a later instance with the same aliases on the same
 * clusters resumes where the previous one stopped; choose other {@link Builder#aliases(String, String)
 * aliases} for an independent instance.
 */
public final class InProcessMirrorMaker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InProcessMirrorMaker.class);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  private static final List<String> AWAITED_CONNECTORS = List.of(
      MirrorSourceConnector.class.getSimpleName(), MirrorCheckpointConnector.class.getSimpleName());

  private final MirrorMaker mirrorMaker;
  private final SourceAndTarget flow;
  private final Map<String, String> properties;
  private final Thread shutdownHook;
  private final Object lock = new Object();
  private boolean closed;

  private InProcessMirrorMaker(MirrorMaker mirrorMaker, SourceAndTarget flow, Map<String, String> properties,
                 Thread shutdownHook) {
    this.mirrorMaker = mirrorMaker;
    this.flow = flow;
    this.properties = properties;
    this.shutdownHook = shutdownHook;
  }

  /** Starts MirrorMaker from {@code clusters.source()} to {@code clusters.target()} with default settings. */
  public static InProcessMirrorMaker start(TwoClusters clusters) {
    return builder(clusters).start();
  }

  /** Starts MirrorMaker between two clusters given by their bootstrap servers, with default settings. */
  public static InProcessMirrorMaker start(String sourceBootstrapServers, String targetBootstrapServers) {
    return builder(sourceBootstrapServers, targetBootstrapServers).start();
  }

  /** A builder replicating from {@code clusters.source()} to {@code clusters.target()}. */
  public static Builder builder(TwoClusters clusters) {
    return builder(clusters.source().bootstrapServers(), clusters.target().bootstrapServers());
  }

  /** A builder replicating between two clusters given by their bootstrap servers. */
  public static Builder builder(String sourceBootstrapServers, String targetBootstrapServers) {
    return new Builder(sourceBootstrapServers, targetBootstrapServers);
  }

  /** The source cluster's alias, {@code "source"} unless changed. */
  public String sourceAlias() {
    return flow.source();
  }

  /** The target cluster's alias, {@code "target"} unless changed. */
  public String targetAlias() {
    return flow.target();
  }

  /** The MirrorMaker properties this instance was started with (unmodifiable). */
  public Map<String, String> properties() {
    return properties;
  }

  /**
   * The state of one of the flow's connectors ({@code MirrorSourceConnector},
   * {@code MirrorCheckpointConnector} or {@code MirrorHeartbeatConnector}), e.g. {@code "RUNNING"}.
   */
  public String connectorState(String connectorName) {
    return mirrorMaker.connectorStatus(flow, connectorName).connector().state();
  }

  /**
   * Stops MirrorMaker and unregisters its JVM shutdown hook; returns once MirrorMaker has stopped, also when
   * its shutdown hook started the stop (during a JVM exit), so the clusters can be closed right after.
   * Calling it again has no effect.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      long started = System.nanoTime();
      try {
        mirrorMaker.stop();
        // A stop already under way (MirrorMaker's own shutdown hook) makes stop() return at once.
        mirrorMaker.awaitStop();
      } finally {
        removeShutdownHook(shutdownHook);
      }
      LOG.info("MirrorMaker {} stopped in {} ms", flow, Clock.millisSince(started));
    }
  }

  @Override
  public String toString() {
    return "InProcessMirrorMaker[" + flow + "]";
  }

  /** Options for an {@link InProcessMirrorMaker}; {@link #start()} starts it. */
  public static final class Builder {
    private final String sourceBootstrapServers;
    private final String targetBootstrapServers;
    private String sourceAlias = "source";
    private String targetAlias = "target";
    private String topics = ".*";
    private String groups = ".*";
    private boolean syncGroupOffsets;
    private long replicationLagMillis;
    private Duration startTimeout = Duration.ofSeconds(60);
    private final Map<String, String> extraProperties = new LinkedHashMap<>();

    private Builder(String sourceBootstrapServers, String targetBootstrapServers) {
      this.sourceBootstrapServers = Objects.requireNonNull(sourceBootstrapServers, "sourceBootstrapServers");
      this.targetBootstrapServers = Objects.requireNonNull(targetBootstrapServers, "targetBootstrapServers");
    }

    /**
     * Cluster aliases (default {@code "source"} and {@code "target"}). They appear in MirrorMaker's
     * internal topic names, e.g. {@code <source>.checkpoints.internal} on the target, and are what
     * {@code RemoteClusterUtils.translateOffsets} expects as the remote cluster alias.
     */
    public Builder aliases(String sourceAlias, String targetAlias) {
      this.sourceAlias = requireAlias(sourceAlias);
      this.targetAlias = requireAlias(targetAlias);
      if (this.sourceAlias.equals(this.targetAlias)) {
        throw new IllegalArgumentException("Aliases must differ: " + sourceAlias);
      }
      return this;
    }

    /** Regular expression (or comma-separated list) of topics to replicate; default all topics. */
    public Builder topics(String regex) {
      this.topics = Objects.requireNonNull(regex, "regex");
      return this;
    }

    /** Regular expression (or comma-separated list) of consumer groups to checkpoint; default all. */
    public Builder groups(String regex) {
      this.groups = Objects.requireNonNull(regex, "regex");
      return this;
    }

    /**
     * Whether MirrorMaker also writes translated offsets into the target's consumer groups (every
     * second, only for groups with no active members on the target). Default {@code false}.
     */
    public Builder syncGroupOffsets(boolean enabled) {
      this.syncGroupOffsets = enabled;
      return this;
    }

    /**
     * Emulates replication over a slow link: MirrorMaker's source consumer waits up to this long for
     * data on each fetch, so records reach the target up to about this much later (for 1000 ms, about
     * 0.5 s median and 1 s at worst under a trickle of records). Also delays checkpoints by up to the
     * same amount. Default 0 (no added lag).
     */
    public Builder replicationLagMillis(long lagMillis) {
      if (lagMillis < 0) {
        throw new IllegalArgumentException("lagMillis must not be negative: " + lagMillis);
      }
      this.replicationLagMillis = lagMillis;
      return this;
    }

    /** How long {@link #start()} waits for the connectors to run; default 60 s. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets any MirrorMaker property, overriding the harness's choice. Worker settings must carry the
     * target alias as prefix (e.g. {@code target.offset.flush.interval.ms}), source client settings
     * the source alias (e.g. {@code source.consumer.max.poll.records}); MirrorMaker ignores most
     * unprefixed worker settings.
     */
    public Builder property(String key, String value) {
      extraProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Starts MirrorMaker and waits until its source and checkpoint connectors are running, and a
     * replication task too if the source already has a topic to replicate. Restores the calling
     * thread's context class loader, which MirrorMaker replaces.
     *
     * @throws IllegalStateException if a connector fails or does not run within the start timeout
     */
    public InProcessMirrorMaker start() {
      Map<String, String> props = Map.copyOf(properties());
      SourceAndTarget flow = new SourceAndTarget(sourceAlias, targetAlias);
      long startNanos = System.nanoTime();
      boolean topicsToReplicate = sourceHasTopicsToReplicate(props);
      List<Thread> hooks = new ArrayList<>(1);
      MirrorMaker mirrorMaker = null;
      boolean started = false;
      ClassLoader contextLoader = Thread.currentThread().getContextClassLoader();
      try {
        // MirrorMaker registers its shutdown hook through Exit; capture it so close() can remove it.
        Exit.setShutdownHookAdder((name, runnable) -> {
          Thread hook = KafkaThread.nonDaemon(name, runnable);
          hooks.add(hook);
          Runtime.getRuntime().addShutdownHook(hook);
        });
        mirrorMaker = new MirrorMaker(props, List.of(targetAlias));
        mirrorMaker.start();
        started = true;
      } finally {
        Exit.resetShutdownHookAdder();
        // Constructing MirrorMaker swaps the thread's context class loader for Connect's.
        Thread.currentThread().setContextClassLoader(contextLoader);
        if (!started) {
          if (mirrorMaker != null) {
            stopQuietly(mirrorMaker);
          }
          hooks.forEach(InProcessMirrorMaker::removeShutdownHook);
        }
      }
      Thread hook = hooks.isEmpty() ? null : hooks.get(0);
      InProcessMirrorMaker instance = new InProcessMirrorMaker(mirrorMaker, flow, props, hook);
      try {
        awaitConnectorsRunning(mirrorMaker, flow, startTimeout, topicsToReplicate);
      } catch (RuntimeException | Error e) {
        try {
          instance.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      LOG.info("MirrorMaker {} running in {} ms (topics '{}', replication lag {} ms)",
          flow, Clock.millisSince(startNanos), topics, replicationLagMillis);
      return instance;
    }

    private Map<String, String> properties() {
      String flow = sourceAlias + "->" + targetAlias;
      String reverse = targetAlias + "->" + sourceAlias;
      Map<String, String> p = new LinkedHashMap<>();
      p.put("clusters", sourceAlias + "," + targetAlias);
      p.put(sourceAlias + ".bootstrap.servers", sourceBootstrapServers);
      p.put(targetAlias + ".bootstrap.servers", targetBootstrapServers);
      p.put(flow + ".enabled", "true");
      p.put(reverse + ".enabled", "false");
      p.put(reverse + ".emit.heartbeats.enabled", "false");

      p.put("replication.policy.class", IdentityReplicationPolicy.class.getName());
      p.put("topics", topics);
      p.put("groups", groups);
      p.put("emit.checkpoints.interval.seconds", "1");
      p.put("refresh.topics.interval.seconds", "1");
      p.put("refresh.groups.interval.seconds", "1");
      p.put("sync.group.offsets.enabled", Boolean.toString(syncGroupOffsets));
      p.put("sync.group.offsets.interval.seconds", "1");
      p.put("sync.topic.acls.enabled", "false");

      p.put("replication.factor", "1");
      p.put("offset-syncs.topic.replication.factor", "1");
      p.put("heartbeats.topic.replication.factor", "1");
      p.put("checkpoints.topic.replication.factor", "1");
      p.put("config.storage.replication.factor", "1");
      p.put("offset.storage.replication.factor", "1");
      p.put("status.storage.replication.factor", "1");

      // Worker settings only take effect with the target alias as prefix.
      p.put(targetAlias + ".offset.flush.interval.ms", "1000");
      p.put("plugin.discovery", "service_load");
      p.put(targetAlias + ".plugin.discovery", "service_load");

      if (replicationLagMillis > 0) {
        p.put(sourceAlias + ".consumer.fetch.min.bytes", "50000000");
        p.put(sourceAlias + ".consumer.fetch.max.wait.ms", Long.toString(replicationLagMillis));
        if (replicationLagMillis > 20_000) {
          p.put(sourceAlias + ".consumer.request.timeout.ms", Long.toString(replicationLagMillis + 30_000));
        }
      }
      p.putAll(extraProperties);
      return p;
    }

    /** Whether the source already has a topic MirrorMaker will replicate, so that a task must start. */
    private boolean sourceHasTopicsToReplicate(Map<String, String> props) {
      Pattern include = patternList(props.get("topics"));
      Pattern exclude = patternList(
          props.getOrDefault("topics.exclude", DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT));
      try (Admin admin = Admin.create(Map.of(
          AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, sourceBootstrapServers,
          AdminClientConfig.CLIENT_ID_CONFIG, "turnout-testkit-mirror-probe"))) {
        return admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
            .anyMatch(t -> include.matcher(t).matches() && !exclude.matcher(t).matches());
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        LOG.debug("Could not list source topics; not waiting for replication tasks", e);
        return false;
      }
    }

    /** MirrorMaker's reading of a topic or group list: comma-separated regular expressions. */
    private static Pattern patternList(String list) {
      return Pattern.compile(Arrays.stream(list.split(","))
          .map(String::trim)
          .filter(part -> !part.isEmpty())
          .collect(Collectors.joining("|")));
    }

    private static String requireAlias(String alias) {
      Objects.requireNonNull(alias, "alias");
      if (alias.isBlank() || alias.contains(".") || alias.contains("->") || alias.contains(",")) {
        throw new IllegalArgumentException("Not a usable cluster alias: '" + alias + "'");
      }
      return alias;
    }
  }

  /**
   * Waits until the source and checkpoint connectors run. If the source already has topics to replicate,
   * also waits (softly) for a running replication task, so that records flow when {@code start()} returns.
   */
  private static void awaitConnectorsRunning(MirrorMaker mirrorMaker, SourceAndTarget flow, Duration timeout,
                        boolean expectReplicationTask) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (String connector : AWAITED_CONNECTORS) {
      boolean needTask = expectReplicationTask && connector.equals(MirrorSourceConnector.class.getSimpleName());
      String lastState = "not created";
      Exception lastFailure = null;
      while (true) {
        try {
          ConnectorStateInfo status = mirrorMaker.connectorStatus(flow, connector);
          lastState = status.connector().state();
          if ("FAILED".equals(lastState)) {
            throw new IllegalStateException("MirrorMaker " + flow + ": " + connector + " failed: "
                + status.connector().trace());
          }
          status.tasks().stream().filter(t -> "FAILED".equals(t.state())).findFirst().ifPresent(t -> {
            throw new IllegalStateException("MirrorMaker " + flow + ": task " + t.id() + " of "
                + connector + " failed: " + t.trace());
          });
          boolean tasksRunning = status.tasks().stream().allMatch(t -> "RUNNING".equals(t.state()))
              && !(needTask && status.tasks().isEmpty());
          if ("RUNNING".equals(lastState) && tasksRunning) {
            break;
          }
        } catch (IllegalStateException e) {
          throw e;
        } catch (RuntimeException e) {
          // Typically NotFoundException until the herder has created the connector.
          lastFailure = e;
        }
        if (System.nanoTime() > deadline) {
          if ("RUNNING".equals(lastState)) {
            LOG.warn("MirrorMaker {}: {} runs but its tasks are not all running after {} ms",
                flow, connector, timeout.toMillis());
            break;
          }
          throw new IllegalStateException("MirrorMaker " + flow + ": " + connector + " is " + lastState
              + " after " + timeout.toMillis() + " ms", lastFailure);
        }
        Clock.sleep(POLL_INTERVAL);
      }
    }
  }

  private static void stopQuietly(MirrorMaker mirrorMaker) {
    try {
      mirrorMaker.stop();
    } catch (RuntimeException e) {
      LOG.warn("Ignoring failure while stopping MirrorMaker after a failed start", e);
    }
  }

  private static void removeShutdownHook(Thread hook) {
    if (hook == null) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook runs and finds MirrorMaker stopped.
    }
  }
}
