package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Rule;
import dev.turnout.internal.cutover.RollbackScope;
import dev.turnout.internal.cutover.SliceReconciliation;
import dev.turnout.reconcile.ReconcileException;
import dev.turnout.reconcile.ReconcileRequest;
import dev.turnout.reconcile.Reconciler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The producer's {@link SliceReconciliation}, built on {@link Reconciler}: {@link #missing} is
 * {@code plan(request).toCopy()}, {@link #reconcile} is {@code apply(request)}, where the request is the rolled-back
 * slice's rule, slice, epochs and documents, bounded above per partition by the scope's offsets
 * ({@code targetOffsetsBelow}) and below by the time the slice's tenure on the target began minus
 * {@link #CLOCK_MARGIN} ({@code since}), so that a check every 250 ms does not read the whole retained log.
 *
 * <p>One {@link Reconciler} per (source alias, target alias) pair, created on first use from the connection and
 * security settings of the two clusters only ({@link #connectionSettings}), with client ids derived from the
 * producer's; closed with the producer. A {@link ReconcileException}'s kind and message become the reason the
 * barrier shows. The settings are never logged nor put into a message. Thread-safe.
 */
final class ReconcilerReconciliation implements SliceReconciliation, AutoCloseable {

  /** How much older than the start of a tenure (as this producer saw it) a record of the tenure may look. */
  static final Duration CLOCK_MARGIN = Duration.ofMinutes(10);

  /** Connection and security settings carried to the reconciler's clients; every {@code ssl.}/{@code sasl.} too. */
  private static final Set<String> CONNECTION_KEYS = Set.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
      CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG, CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
      "security.providers", CommonClientConfigs.CONNECTIONS_MAX_IDLE_MS_CONFIG,
      CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG,
      CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG,
      CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
      CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, CommonClientConfigs.METADATA_MAX_AGE_CONFIG,
      CommonClientConfigs.SEND_BUFFER_CONFIG, CommonClientConfigs.RECEIVE_BUFFER_CONFIG);

  private final String clientId;
  private final List<String> aliases;
  private final List<Map<String, Object>> clusterConfigs;
  private final Map<String, Reconciler> reconcilers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** The default factory of {@link ProducerWiring}. */
  static SliceReconciliation create(String clientId, List<String> aliases, List<Map<String, Object>> clusterConfigs) {
    return new ReconcilerReconciliation(clientId, aliases, clusterConfigs);
  }

  ReconcilerReconciliation(String clientId, List<String> aliases, List<Map<String, Object>> clusterConfigs) {
    if (aliases.size() != clusterConfigs.size()) {
      throw new IllegalArgumentException(aliases.size() + " aliases but " + clusterConfigs.size() + " configurations");
    }
    this.clientId = clientId;
    this.aliases = List.copyOf(aliases);
    List<Map<String, Object>> connections = new ArrayList<>();
    clusterConfigs.forEach(c -> connections.add(connectionSettings(c)));
    this.clusterConfigs = List.copyOf(connections);
  }

  @Override
  public long missing(RollbackScope scope) {
    try {
      return reconciler(scope).plan(request(scope)).toCopy();
    } catch (ReconcileException e) {
      throw reason(e);
    }
  }

  /** Copies the scope's records; a partition taken over by another producer is finished by it ({@link #missing}). */
  @Override
  public void reconcile(RollbackScope scope) {
    try {
      reconciler(scope).apply(request(scope));
    } catch (ReconcileException e) {
      throw reason(e);
    }
  }

  /**
   * A cluster that did not answer, a read held by an open transaction, or a write that failed (for example fenced
   * by another producer's reconciler of the same slice) may pass by itself; the other kinds are about the data,
   * the topics or the settings, and stay until someone fixes them.
   */
  @Override
  public boolean transientFailure(Exception failure) {
    return failure instanceof ReconcileException e && (e.kind() == ReconcileException.Kind.UNREACHABLE
        || e.kind() == ReconcileException.Kind.STALLED || e.kind() == ReconcileException.Kind.WRITE_FAILED);
  }

  /** The request of a scope: its rule, slice, epochs and documents; bounded as the class comment says. */
  static ReconcileRequest request(RollbackScope scope) {
    ReconcileRequest.Builder builder = ReconcileRequest.forRule(scope.rule())
        .epochs(scope.fromEpoch(), scope.toEpoch())
        .documents(scope.documents());
    if (scope.slice() != null) {
      builder.slice(scope.slice());
    }
    scope.targetOffsetsUpTo().forEach(builder::targetOffsetsBelow);
    if (scope.sinceMillis() >= 0) {
      builder.since(Instant.ofEpochMilli(Math.max(0, scope.sinceMillis() - CLOCK_MARGIN.toMillis())));
    }
    return builder.build();
  }

  /** The reconciler of the scope's rule (its source and target in the tenure's last document), made once. */
  private Reconciler reconciler(RollbackScope scope) {
    if (closed) {
      throw new IllegalStateException("the producer is closed");
    }
    Rule rule = rule(scope);
    String source = rule.source();
    String target = rule.target();
    Reconciler reconciler = reconcilers.computeIfAbsent(source + '\u0000' + target, k -> build(source, target));
    if (closed) {
      close();
      throw new IllegalStateException("the producer is closed");
    }
    return reconciler;
  }

  private static Rule rule(RollbackScope scope) {
    for (int i = scope.documents().size() - 1; i >= 0; i--) {
      AuthorityMap map = scope.documents().get(i);
      for (Rule rule : map.rules()) {
        if (rule.name().equals(scope.rule())) {
          return rule;
        }
      }
    }
    throw new IllegalStateException("no document of " + scope.describe() + " has rule '" + scope.rule() + "'");
  }

  private Reconciler build(String source, String target) {
    return Reconciler.builder()
        .source(source, clientSettings(source))
        .target(target, clientSettings(target))
        .build();
  }

  private Map<String, Object> clientSettings(String alias) {
    int index = aliases.indexOf(alias);
    if (index < 0) {
      throw new IllegalStateException("cluster '" + alias + "' is not declared in " + TurnoutConfig.CLUSTERS + " "
          + aliases + " of this producer");
    }
    Map<String, Object> config = new HashMap<>(clusterConfigs.get(index));
    if (config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) == null) {
      throw new IllegalStateException("cluster '" + alias + "' has no " + TurnoutConfig.CLUSTER_PREFIX + alias
          + ".bootstrap.servers in this producer's configuration (its client was supplied), so the reconciliation "
          + "cannot reach it: set it");
    }
    config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-" + alias);
    return config;
  }

  /** Only the connection and security settings of a cluster's client configuration. */
  static Map<String, Object> connectionSettings(Map<String, Object> config) {
    Map<String, Object> out = new HashMap<>();
    config.forEach((key, value) -> {
      if (value != null && (CONNECTION_KEYS.contains(key) || key.startsWith("ssl.") || key.startsWith("sasl."))) {
        out.put(key, value);
      }
    });
    return out;
  }

  /** The reason the barrier shows: the kind and the reconciler's message (which names no setting). */
  private static ReconcileException reason(ReconcileException e) {
    return new ReconcileException(e.kind(), e.kind() + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    closed = true;
    for (String key : List.copyOf(reconcilers.keySet())) {
      Reconciler reconciler = reconcilers.remove(key);
      if (reconciler != null) {
        reconciler.close();
      }
    }
  }

  @Override
  public String toString() {
    return "ReconcilerReconciliation{clientId=" + clientId + ", aliases=" + aliases + '}';
  }
}
