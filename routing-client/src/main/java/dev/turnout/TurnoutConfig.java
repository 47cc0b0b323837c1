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

  private TurnoutConfig() {}
}
