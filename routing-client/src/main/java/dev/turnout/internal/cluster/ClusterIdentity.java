package dev.turnout.internal.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins the cluster behind one alias to an expected cluster id ({@code turnout.cluster.<alias>.expected.cluster.id}).
 * The id is checked with an Admin client before the alias's producer is created ({@link #verifyBeforeCreate}),
 * again on every {@link #checkAsync()} (the producer calls it every refresh interval, off the send path), and
 * on every metadata update of the producer ({@link #observed(String)}). While any of them last saw another id,
 * {@link #mismatch()} names both ids and the producer refuses every send to the alias.
 */
public final class ClusterIdentity implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterIdentity.class);

  private final String alias;
  private final String clientId;
  private final String expected;
  private final Map<String, Object> adminConfig;
  private Admin admin; // guarded by this
  private boolean checking; // guarded by this
  private boolean closed; // guarded by this
  private volatile String adminSaw;
  private volatile String producerSaw;
  private volatile String mismatch;

  /**
   * @param expected the expected cluster id, or {@code null} when the alias is not pinned
   * @param clusterConfig the alias's client configuration (bootstrap servers, security)
   */
  public ClusterIdentity(String alias, String clientId, String expected, Map<String, Object> clusterConfig) {
    this.alias = alias;
    this.clientId = clientId;
    this.expected = expected;
    Map<String, Object> admin = new HashMap<>();
    for (String key : AdminClientConfig.configNames()) {
      if (clusterConfig.containsKey(key) && clusterConfig.get(key) != null) {
        admin.put(key, clusterConfig.get(key));
      }
    }
    admin.remove(AdminClientConfig.METRIC_REPORTER_CLASSES_CONFIG);
    admin.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-" + alias + "-identity");
    this.adminConfig = admin;
  }

  /** Whether the alias is pinned to a cluster id. */
  public boolean pinned() {
    return expected != null;
  }

  /** The expected cluster id, or {@code null}. */
  public String expected() {
    return expected;
  }

  /**
   * The cluster id the alias reported last (read by an Admin client, else seen in the producer's metadata),
   * or {@code null} when none was read yet or the alias is not pinned.
   */
  public String observed() {
    String admin = adminSaw;
    return admin != null ? admin : producerSaw;
  }

  /**
   * A message naming the expected and the reported cluster ids while they differ, otherwise {@code null}.
   * One volatile read.
   */
  public String mismatch() {
    return mismatch;
  }

  /**
   * Checks the cluster id before the alias's producer is created, waiting up to {@code timeout}.
   *
   * @throws ClusterIdMismatchException when the cluster reports another id
   * @throws TimeoutException when the id could not be read in time
   */
  public void verifyBeforeCreate(Duration timeout) {
    if (!pinned()) {
      return;
    }
    String actual;
    try {
      actual = admin().describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TimeoutException("Could not read the cluster id of cluster '" + alias + "' within " + timeout.toMillis()
          + " ms (max.block.ms) to check it against " + TurnoutKeys.expected(alias) + "; the send was not made.");
    } catch (ExecutionException e) {
      throw new TimeoutException("Could not read the cluster id of cluster '" + alias + "' to check it against "
          + TurnoutKeys.expected(alias) + " (" + e.getCause() + "); the send was not made.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new org.apache.kafka.common.errors.InterruptException(e);
    }
    adminSaw = actual;
    update();
    String m = mismatch;
    if (m != null) {
      throw new ClusterIdMismatchException(m);
    }
  }

  /** Re-reads the cluster id in the background (skipped while a check is running or before the first one). */
  public void checkAsync() {
    Admin a;
    synchronized (this) {
      if (!pinned() || admin == null || checking || closed) {
        return;
      }
      checking = true;
      a = admin;
    }
    try {
      a.describeCluster().clusterId().whenComplete((id, error) -> {
        synchronized (this) {
          checking = false;
        }
        if (error == null && id != null) {
          adminSaw = id;
          update();
        }
      });
    } catch (KafkaException e) {
      synchronized (this) {
        checking = false;
      }
    }
  }

  /** Records the cluster id seen in the producer's metadata. */
  public void observed(String clusterId) {
    if (!pinned() || clusterId == null || clusterId.equals(producerSaw)) {
      return;
    }
    producerSaw = clusterId;
    update();
  }

  private synchronized void update() {
    String wrong = null;
    String source = null;
    if (adminSaw != null && !adminSaw.equals(expected)) {
      wrong = adminSaw;
      source = "an Admin client";
    } else if (producerSaw != null && !producerSaw.equals(expected)) {
      wrong = producerSaw;
      source = "the producer's metadata";
    }
    String before = mismatch;
    if (wrong == null) {
      mismatch = null;
      if (before != null) {
        log.info("[{}] Cluster '{}' reports the expected cluster id {} again; sends to it resume", clientId, alias,
            expected);
      }
      return;
    }
    String message = "Cluster alias '" + alias + "' expects cluster id " + expected + " ("
        + TurnoutKeys.expected(alias) + "), but the cluster behind it reports " + wrong + " (seen by " + source
        + "). Every send to '" + alias + "' is refused until it reports " + expected + " again: check its "
        + "bootstrap.servers and DNS.";
    mismatch = message;
    if (!message.equals(before)) {
      log.error("[{}] {}", clientId, message);
    }
  }

  private synchronized Admin admin() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (admin == null) {
      admin = Admin.create(adminConfig);
    }
    return admin;
  }

  @Override
  public void close() {
    Admin a;
    synchronized (this) {
      closed = true;
      a = admin;
      admin = null;
    }
    if (a != null) {
      a.close(Duration.ofSeconds(1));
    }
  }

  /** Thrown by {@link #verifyBeforeCreate} when the cluster reports another id; the message names both. */
  public static final class ClusterIdMismatchException extends KafkaException {
    private static final long serialVersionUID = 1L;

    ClusterIdMismatchException(String message) {
      super(message);
    }
  }

  private static final class TurnoutKeys {
    static String expected(String alias) {
      return "turnout.cluster." + alias + ".expected.cluster.id";
    }
  }
}
