package dev.turnout;

/**
 * Configuration keys of Turnout clients. Keys outside {@code turnout.*} are ordinary Kafka client settings
 * and apply to the client of every cluster (serializers, acks, linger, compression...); per-cluster
 * settings go under {@code turnout.cluster.<alias>.}. An unknown {@code turnout.*} key is a
 * {@link org.apache.kafka.common.config.ConfigException} at construction.
 */
public final class TurnoutConfig {

  /** Comma-separated cluster aliases this client may ever talk to ({@code [A-Za-z0-9_-]+}). Required. */
  public static final String CLUSTERS = "turnout.clusters";

  /**
   * Prefix of per-cluster Kafka settings: {@code turnout.cluster.<alias>.bootstrap.servers} (required for
   * every alias), {@code .security.protocol}, {@code .sasl.*}, {@code .ssl.*} and any other client setting.
   */
  public static final String CLUSTER_PREFIX = "turnout.cluster.";

  /** Path of the authority document (a properties file). One of this or {@link #AUTHORITY_SOURCE}. */
  public static final String AUTHORITY_FILE = "turnout.authority.file";

  /**
   * A custom {@link dev.turnout.source.AuthoritySource}: a class name, a {@code Class}, or an instance.
   * One of this or {@link #AUTHORITY_FILE}.
   */
  public static final String AUTHORITY_SOURCE = "turnout.authority.source";

  /** How often the authority source is re-read, in milliseconds. */
  public static final String AUTHORITY_REFRESH_MS = "turnout.authority.refresh.ms";
  /** Default of {@link #AUTHORITY_REFRESH_MS}. */
  public static final long DEFAULT_AUTHORITY_REFRESH_MS = 1_000;

  /**
   * If no refresh has succeeded for this many milliseconds, every routing decision fails closed. A source
   * that cannot be read, or a document that is rejected, counts as a failed refresh.
   */
  public static final String AUTHORITY_MAX_STALENESS_MS = "turnout.authority.max.staleness.ms";
  /** Default of {@link #AUTHORITY_MAX_STALENESS_MS}. */
  public static final long DEFAULT_AUTHORITY_MAX_STALENESS_MS = 300_000;

  /**
   * Per-cluster key {@code turnout.cluster.<alias>.expected.cluster.id}: the cluster id the alias must report.
   * When the cluster behind the alias reports another id (a DNS or configuration mistake), every send to the
   * alias is refused with {@code CLUSTER_ID_MISMATCH}. Checked with an Admin client before the alias's
   * producer is created, on every refresh interval, and on every metadata update of the producer. Not passed
   * to the Kafka client.
   */
  public static final String EXPECTED_CLUSTER_ID = "expected.cluster.id";

  /**
   * How a send for a moved slice waits at a cutover: {@code replicated} (default) until the records this
   * producer sent to the old owner are acknowledged and visible on the new owner (found there by their
   * {@code turnout.id}); {@code drained} only until they are acknowledged, for setups without replication
   * from the old owner to the new one. See docs/cutover.md.
   */
  public static final String CUTOVER_BARRIER = "turnout.cutover.barrier";
  /** Default of {@link #CUTOVER_BARRIER}. */
  public static final String DEFAULT_CUTOVER_BARRIER = "replicated";

  /**
   * The longest a moved slice waits at its cutover barrier, in milliseconds. When it passes, the waiting
   * records fail with {@code CUTOVER_BARRIER_TIMEOUT} and the slice keeps failing closed until the barrier
   * completes or a later epoch moves the slice again.
   */
  public static final String CUTOVER_MAX_PAUSE_MS = "turnout.cutover.max.pause.ms";
  /** Default of {@link #CUTOVER_MAX_PAUSE_MS}. */
  public static final long DEFAULT_CUTOVER_MAX_PAUSE_MS = 30_000;

  /**
   * Memory bound of the records waiting at cutover barriers, in bytes (estimated from the serialized key,
   * value and headers). When full, {@code send} blocks up to {@code max.block.ms} and then fails with a
   * {@link org.apache.kafka.clients.producer.BufferExhaustedException}, like {@code buffer.memory}.
   */
  public static final String CUTOVER_BUFFER_BYTES = "turnout.cutover.buffer.bytes";
  /** Default of {@link #CUTOVER_BUFFER_BYTES} (32 MiB, as {@code buffer.memory}). */
  public static final long DEFAULT_CUTOVER_BUFFER_BYTES = 32L * 1024 * 1024;

  /** Whether a circuit breaker guards each cluster (default {@code true}). */
  public static final String BREAKER_ENABLED = "turnout.breaker.enabled";
  /** Default of {@link #BREAKER_ENABLED}. */
  public static final boolean DEFAULT_BREAKER_ENABLED = true;

  /** Failure rate, in percent of the sends in the window, at or above which a cluster's breaker opens. */
  public static final String BREAKER_FAILURE_RATE_THRESHOLD = "turnout.breaker.failure.rate.threshold";
  /** Default of {@link #BREAKER_FAILURE_RATE_THRESHOLD}. */
  public static final int DEFAULT_BREAKER_FAILURE_RATE_THRESHOLD = 50;

  /** Number of most recent send outcomes per cluster over which the failure rate is computed. */
  public static final String BREAKER_WINDOW_SIZE = "turnout.breaker.window.size";
  /** Default of {@link #BREAKER_WINDOW_SIZE}. */
  public static final int DEFAULT_BREAKER_WINDOW_SIZE = 100;

  /** Outcomes a cluster's window must hold before the failure rate can open its breaker. */
  public static final String BREAKER_MINIMUM_CALLS = "turnout.breaker.minimum.calls";
  /** Default of {@link #BREAKER_MINIMUM_CALLS}. */
  public static final int DEFAULT_BREAKER_MINIMUM_CALLS = 20;

  /** How long an open breaker refuses sends before letting trial sends through, in milliseconds. */
  public static final String BREAKER_OPEN_WAIT_MS = "turnout.breaker.open.wait.ms";
  /** Default of {@link #BREAKER_OPEN_WAIT_MS}. */
  public static final long DEFAULT_BREAKER_OPEN_WAIT_MS = 10_000;

  /** Trial sends let through by a half-open breaker; their outcomes close or reopen it. */
  public static final String BREAKER_HALF_OPEN_CALLS = "turnout.breaker.half.open.calls";
  /** Default of {@link #BREAKER_HALF_OPEN_CALLS}. */
  public static final int DEFAULT_BREAKER_HALF_OPEN_CALLS = 10;

  private TurnoutConfig() {}
}
