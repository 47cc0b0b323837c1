package dev.turnout;

import java.util.Locale;
import java.util.Map;

/**
 * Configuration keys of Turnout clients. Keys outside {@code turnout.*} are ordinary Kafka client settings
 * and apply to the client of every cluster (serializers, acks, linger, compression...); per-cluster
 * settings go under {@code turnout.cluster.<alias>.}. An unknown {@code turnout.*} key is a
 * {@link TurnoutConfigException} (a {@link org.apache.kafka.common.config.ConfigException}) at construction, which
 * names the closest known key. docs/producer.md and docs/consumers.md list every key with its default.
 */
public final class TurnoutConfig {

  /** Comma-separated cluster aliases this client may ever talk to ({@code [A-Za-z0-9_-]+}). Required. */
  public static final String CLUSTERS = "turnout.clusters";

  /**
   * Prefix of per-cluster Kafka settings: {@code turnout.cluster.<alias>.bootstrap.servers} (required for
   * every alias), {@code .security.protocol}, {@code .sasl.*}, {@code .ssl.*} and any other client setting.
   */
  public static final String CLUSTER_PREFIX = "turnout.cluster.";

  /**
   * Path of the authority document (a properties file). One of this, {@link #AUTHORITY_SOURCE} or
   * {@link #AUTHORITY_TOPIC}.
   */
  public static final String AUTHORITY_FILE = "turnout.authority.file";

  /**
   * A custom {@link dev.turnout.source.AuthoritySource}: a class name, a {@code Class}, or an instance.
   * One of this, {@link #AUTHORITY_FILE} or {@link #AUTHORITY_TOPIC}.
   */
  public static final String AUTHORITY_SOURCE = "turnout.authority.source";

  /**
   * A compacted Kafka topic holding the authority document (the control topic): each record value is a whole
   * document in the properties text of the file source, and the newest valid one with the highest epoch is in
   * force; a new record reaches the client as soon as it is consumed. One of this, {@link #AUTHORITY_FILE} or
   * {@link #AUTHORITY_SOURCE}. Its cluster is named by {@link #AUTHORITY_TOPIC_CLUSTER} or by
   * {@link #AUTHORITY_TOPIC_BOOTSTRAP_SERVERS}. See docs/control-plane.md.
   */
  public static final String AUTHORITY_TOPIC = "turnout.authority.topic";

  /**
   * Prefix of the Kafka client settings of the control topic's own cluster:
   * {@code turnout.authority.topic.bootstrap.servers}, {@code turnout.authority.topic.security.protocol},
   * {@code turnout.authority.topic.sasl.jaas.config}, {@code turnout.authority.topic.ssl.*}... Only these apply
   * to it (the top-level client settings do not). Not used with {@link #AUTHORITY_TOPIC_CLUSTER}.
   */
  public static final String AUTHORITY_TOPIC_PREFIX = "turnout.authority.topic.";

  /**
   * The alias (one of {@link #CLUSTERS}) of the cluster holding {@link #AUTHORITY_TOPIC}: its client settings,
   * security included, are used to read the topic. One of this or {@link #AUTHORITY_TOPIC_BOOTSTRAP_SERVERS}.
   */
  public static final String AUTHORITY_TOPIC_CLUSTER = "turnout.authority.topic.cluster";

  /**
   * The bootstrap servers of a cluster of its own holding {@link #AUTHORITY_TOPIC}, with its other client
   * settings under {@link #AUTHORITY_TOPIC_PREFIX}. One of this or {@link #AUTHORITY_TOPIC_CLUSTER}.
   */
  public static final String AUTHORITY_TOPIC_BOOTSTRAP_SERVERS = "turnout.authority.topic.bootstrap.servers";

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
   * Whether a client must read a valid authority document when it is constructed: {@code true} makes the
   * constructor throw a {@link org.apache.kafka.common.config.ConfigException} carrying the reason (the read
   * error, or every problem of the document) when none can be read; {@code false} (default) starts anyway,
   * logs the reason at WARN, and refuses every routing decision with {@code NO_AUTHORITY_MAP} until a valid
   * document is read, so that an outage of the source does not stop a service.
   */
  public static final String AUTHORITY_REQUIRED = "turnout.authority.required";
  /** Default of {@link #AUTHORITY_REQUIRED}. */
  public static final boolean DEFAULT_AUTHORITY_REQUIRED = false;

  /**
   * Path of the client's last-known-good cache (default: none). Every document the client accepts from its
   * source is written there atomically; a client that starts while its source is unusable routes by the cached
   * document until {@link #AUTHORITY_MAX_STALENESS_MS} after it was written, then refuses as without it. The
   * directory must exist. See docs/authority-document.md.
   */
  public static final String AUTHORITY_CACHE_FILE = "turnout.authority.cache.file";

  /**
   * Ed25519 public keys trusted to sign authority documents, each a base64 X.509 key or the path of a PEM file
   * ({@code -----BEGIN PUBLIC KEY-----}). When set, a document is installed only if it carries a valid signature
   * by one of them ({@link dev.turnout.authority.DocumentSignatures}); others are rejected and the map in force
   * stays. Unset or empty (default): signatures are not required.
   */
  public static final String AUTHORITY_TRUSTED_KEYS = "turnout.authority.trusted.keys";

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

  /**
   * Who copies the target-only records of a slice that an epoch moves back from the target to the source:
   * {@code manual} (default) waits until an operator or a job has reconciled them (the slice's sends wait while
   * the records this producer wrote to the target are missing on the source); {@code auto} makes the producer
   * reconcile the slice's whole range itself before its sends go to the source. See docs/rollback.md.
   */
  public static final String ROLLBACK_RECONCILE = "turnout.rollback.reconcile";
  /** Default of {@link #ROLLBACK_RECONCILE}. */
  public static final String DEFAULT_ROLLBACK_RECONCILE = "manual";

  /**
   * The longest a slice moved back from the target to the source waits for its target-only records to be on the
   * source, in milliseconds. When it passes, the waiting records fail with {@code ROLLBACK_NOT_RECONCILED} and the
   * slice keeps failing closed until the records are reconciled or a later epoch moves it again.
   */
  public static final String ROLLBACK_MAX_PAUSE_MS = "turnout.rollback.max.pause.ms";
  /** Default of {@link #ROLLBACK_MAX_PAUSE_MS}. */
  public static final long DEFAULT_ROLLBACK_MAX_PAUSE_MS = 60_000;

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

  /**
   * Consumer role: {@value #CONSUMER_ROLE_PRODUCTION} (default) or {@value #CONSUMER_ROLE_VALIDATION}. A
   * validation consumer reads the target of {@code DUAL_READ} rules, and uses the group id
   * {@code <group.id>}{@value #VALIDATION_GROUP_SUFFIX} on every cluster, so it can never commit to the
   * production group.
   */
  public static final String CONSUMER_ROLE = "turnout.consumer.role";
  /** Value of {@link #CONSUMER_ROLE}: reads follow the read authority of the map. */
  public static final String CONSUMER_ROLE_PRODUCTION = "production";
  /** Value of {@link #CONSUMER_ROLE}: reads the target in {@code DUAL_READ}, under a derived group id. */
  public static final String CONSUMER_ROLE_VALIDATION = "validation";
  /** Suffix of a validation consumer's group id. */
  public static final String VALIDATION_GROUP_SUFFIX = ".turnout-validation";

  /**
   * How a consumer first translates a handed-over offset to the new cluster, before searching the exact
   * boundary: {@code identity} (offset-preserving links), {@code mirrormaker2} (MirrorMaker 2 checkpoints;
   * needs {@code org.apache.kafka:connect-mirror-client}), or {@code timestamp} (default).
   */
  public static final String CONSUMER_OFFSET_TRANSLATION = "turnout.consumer.offset.translation";
  /** Default of {@link #CONSUMER_OFFSET_TRANSLATION}. */
  public static final String DEFAULT_CONSUMER_OFFSET_TRANSLATION = "timestamp";

  /**
   * MirrorMaker 2's alias of the source cluster (the prefix of its checkpoints topic on the target), for
   * {@code mirrormaker2} translation. Default: the Turnout alias of the rule's source.
   */
  public static final String CONSUMER_MM2_SOURCE_ALIAS = "turnout.consumer.offset.translation.mm2.source.alias";

  /**
   * How long, in milliseconds, a consumer waits for the last record it processed on the old cluster to
   * appear on the new one (replication lag) before the boundary counts as unverifiable; also after how long a
   * partition still waiting for its handover is reported.
   */
  public static final String CONSUMER_BOUNDARY_TIMEOUT_MS = "turnout.consumer.boundary.timeout.ms";
  /** Default of {@link #CONSUMER_BOUNDARY_TIMEOUT_MS}. */
  public static final long DEFAULT_CONSUMER_BOUNDARY_TIMEOUT_MS = 30_000;

  /**
   * What a consumer does with a partition whose boundary cannot be verified in time:
   * {@value #CONSUMER_UNVERIFIED_FAIL} (default: the partition stays blocked, {@code poll} throws
   * {@link BoundaryNotVerifiedException}) or {@value #CONSUMER_UNVERIFIED_REWIND} (resume at the translated
   * offset, accepting and counting duplicates).
   */
  public static final String CONSUMER_UNVERIFIED = "turnout.consumer.unverified";
  /** Value of {@link #CONSUMER_UNVERIFIED}: fail closed. */
  public static final String CONSUMER_UNVERIFIED_FAIL = "fail";
  /** Value of {@link #CONSUMER_UNVERIFIED}: resume at the translated offset. */
  public static final String CONSUMER_UNVERIFIED_REWIND = "rewind";

  /**
   * When a consumer moves back from a rule's target to its source (a rollback), the most records of a
   * partition it processed on the target whose copies it recognises on the source and withholds: the ids of
   * the records written on the target within that range are kept in an exact set, about 24 to 48 bytes per
   * record of the range, for each partition moved back, until every copy has been met. A range larger than
   * this is an unverified boundary ({@link #CONSUMER_UNVERIFIED} applies). {@code 0} disables the check: a
   * move back then resumes at the boundary of the last source record processed on the target, and copies of
   * target-only records are delivered again. Default {@value #DEFAULT_CONSUMER_DEDUPE_WINDOW}, at most
   * {@value #MAX_CONSUMER_DEDUPE_WINDOW}.
   */
  public static final String CONSUMER_DEDUPE_WINDOW = "turnout.consumer.dedupe.window";
  /** Default of {@link #CONSUMER_DEDUPE_WINDOW}. */
  public static final int DEFAULT_CONSUMER_DEDUPE_WINDOW = 100_000;
  /** Largest value of {@link #CONSUMER_DEDUPE_WINDOW}. */
  public static final int MAX_CONSUMER_DEDUPE_WINDOW = 10_000_000;

  /**
   * Fleet status: the topic each client instance publishes its status to (key: the instance id, value: JSON,
   * a tombstone on close). Unset (default): no status is published. The topic should be compacted; Turnout
   * does not create it. See docs/control-plane.md.
   */
  public static final String STATUS_TOPIC = "turnout.status.topic";
  /**
   * The alias (one of {@link #CLUSTERS}) of the cluster holding {@link #STATUS_TOPIC}, whose client settings
   * are used. Instead, {@code turnout.status.topic.bootstrap.servers} and other
   * {@code turnout.status.topic.<Kafka client setting>} keys ({@link #STATUS_TOPIC_PREFIX}) name a cluster of
   * its own. With neither, the control topic's cluster settings are used.
   */
  public static final String STATUS_TOPIC_CLUSTER = "turnout.status.topic.cluster";
  /** Prefix of the Kafka client settings of the status topic's own cluster, e.g. {@code turnout.status.topic.bootstrap.servers}. */
  public static final String STATUS_TOPIC_PREFIX = "turnout.status.topic.";
  /** How often a client publishes its status when nothing changed, in milliseconds (at least 100). */
  public static final String STATUS_INTERVAL_MS = "turnout.status.interval.ms";
  /** Default of {@link #STATUS_INTERVAL_MS}. */
  public static final long DEFAULT_STATUS_INTERVAL_MS = 10_000;
  /**
   * The service name in the status record, grouping instances of one service. Default: the {@code client.id}
   * without a trailing {@code -<digits>} (so {@code billing-3} gives {@code billing}), or the client id itself.
   */
  public static final String SERVICE_NAME = "turnout.service.name";

  /** Values of {@link #CUTOVER_BARRIER}. */
  public enum CutoverBarrier {
    /** Wait until the old owner's records are acknowledged and visible on the new owner. */
    REPLICATED,
    /** Wait until the old owner's records are acknowledged only. */
    DRAINED;

    /** The configuration value, the lower-case name. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Values of {@link #ROLLBACK_RECONCILE}. */
  public enum RollbackReconcile {
    /** An operator or a job reconciles; the producer waits until its own target-only records are on the source. */
    MANUAL,
    /** The producer reconciles the slice's whole range itself (idempotently), then checks that nothing is missing. */
    AUTO;

    /** The configuration value, the lower-case name. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Values of {@link #CONSUMER_ROLE}. */
  public enum ConsumerRole {
    /** Reads follow the read authority of the map ({@value TurnoutConfig#CONSUMER_ROLE_PRODUCTION}). */
    PRODUCTION,
    /** Reads the target of {@code DUAL_READ} rules under a derived group id. */
    VALIDATION;

    /** The configuration value, the lower-case name. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Values of {@link #CONSUMER_OFFSET_TRANSLATION}. */
  public enum OffsetTranslation {
    /** {@code offsetsForTimes} with the timestamp of the last processed record. */
    TIMESTAMP,
    /** The same offset (offset-preserving links). */
    IDENTITY,
    /** MirrorMaker 2 checkpoints; needs {@code org.apache.kafka:connect-mirror-client} ({@link #MIRROR_CLIENT_CLASS}). */
    MIRRORMAKER2;

    /** The class {@link #MIRRORMAKER2} reads checkpoints with; it must be loadable. */
    public static final String MIRROR_CLIENT_CLASS = "org.apache.kafka.connect.mirror.RemoteClusterUtils";

    /** The configuration value, the lower-case name. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Values of {@link #CONSUMER_UNVERIFIED}. */
  public enum UnverifiedBoundary {
    /** The partition stays blocked; {@code poll} throws {@link BoundaryNotVerifiedException}. */
    FAIL,
    /** Resume at the translated offset, counting the duplicates. */
    REWIND;

    /** The configuration value, the lower-case name. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Checks a {@link RoutingProducer} configuration as its constructor does, without creating any client or
   * reading the authority source.
   *
   * @throws TurnoutConfigException naming the key of the first invalid {@code turnout.*} setting
   * @throws org.apache.kafka.common.config.ConfigException for an invalid Kafka producer setting
   */
  public static void validateProducerConfig(Map<?, ?> configs) {
    FleetStatus.plan(TurnoutSettings.parse(configs, "turnout-validation"));
  }

  /**
   * Checks a {@link RoutingConsumer} configuration as its constructor does, without creating any client or
   * reading the authority source.
   *
   * @throws TurnoutConfigException naming the key of the first invalid {@code turnout.*} setting
   */
  public static void validateConsumerConfig(Map<?, ?> configs) {
    TurnoutSettings settings = TurnoutSettings.parse(configs, "turnout-validation");
    settings.consumerOptions();
    FleetStatus.plan(settings);
  }

  private TurnoutConfig() {}
}
