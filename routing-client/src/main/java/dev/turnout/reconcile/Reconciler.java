package dev.turnout.reconcile;

import dev.turnout.internal.reconcile.ClusterSide;
import dev.turnout.internal.reconcile.CopyOutcome;
import dev.turnout.internal.reconcile.EpochDocuments;
import dev.turnout.internal.reconcile.OffsetRange;
import dev.turnout.internal.reconcile.ReconcileEngine;
import dev.turnout.internal.reconcile.ReconcileFailure;
import dev.turnout.internal.reconcile.Scope;
import dev.turnout.internal.reconcile.Skip;
import dev.turnout.internal.reconcile.SliceTally;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.TopicPartition;

/**
 * Copies the target-only records of a rule back to the source, for a rollback after write promotion.
 *
 * <pre>{@code
 * try (Reconciler reconciler = Reconciler.builder()
 *     .source("onprem", sourceClientConfigs)
 *     .target("cloud", targetClientConfigs)
 *     .build()) {
 *   ReconcilePlan plan = reconciler.plan(request);      // writes nothing
 *   ReconcileReport report = reconciler.apply(request); // copies what the source lacks
 * }
 * }</pre>
 *
 * <p>A target-only record was written to the target by Turnout ({@code turnout.route} origin = the target alias)
 * under one of the request's epochs, carries no {@code turnout.reconciled} marker, and its key belongs to the
 * target in its epoch's document. {@link #apply} writes each one the source lacks to the same partition number of
 * the source, in target order, with its key, value, timestamp and headers, plus {@code turnout.reconciled} =
 * {@code <target alias>/<partition>/<offset>}. It never writes to the target.
 *
 * <p>Guarantees: idempotent and resumable (the source is searched for each record's {@code turnout.id} before
 * writing, so a rerun, or a run after an interrupted one, writes nothing twice); safe with several reconcilers at
 * once (a transactional producer per partition, {@code transactional.id = turnout-reconcile-<topic>-<partition>},
 * fences the others before the source is searched). Every range is validated before anything is written, and
 * problems raise a {@link ReconcileException} of a typed {@link ReconcileException.Kind}.
 *
 * <p>Calls are serialized on one instance; use one instance per thread to reconcile in parallel.
 */
public final class Reconciler implements AutoCloseable {

  /** Default for {@link Builder#requestTimeout}. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** Default for {@link Builder#recordsPerTransaction}. */
  public static final int DEFAULT_RECORDS_PER_TRANSACTION = 20_000;

  private final ClusterSide source;
  private final ClusterSide target;
  private final ReconcileEngine engine;

  private Reconciler(Builder b) {
    this.source = new ClusterSide(b.sourceAlias, b.sourceConfigs, b.timeout);
    this.target = new ClusterSide(b.targetAlias, b.targetConfigs, b.timeout);
    this.engine = new ReconcileEngine(source, target, b.recordsPerTransaction);
  }

  /** A builder; {@link Builder#source} and {@link Builder#target} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads and validates the request's ranges on the target and searches the source; writes nothing.
   *
   * <p>The reconciler remembers what the last plan established for its request, per partition; a plan of the same
   * request (equal rule, slice, epochs, documents, ranges and {@code since}) reads only what was appended to the
   * target and the source since, and gives the same answer a first plan would. A partition is read again from its
   * start when its log start moved or its end moved back, or its topic is compacted; a failure or a plan of another
   * request forgets everything. Calling {@code plan} repeatedly while waiting for a slice to be reconciled is
   * therefore cheap.
   *
   * @throws ReconcileException when the request cannot be reconciled as asked
   */
  public synchronized ReconcilePlan plan(ReconcileRequest request) {
    List<SliceTally> tallies;
    try {
      tallies = engine.plan(scope(request));
    } catch (ReconcileFailure f) {
      throw translate(f);
    }
    return new ReconcilePlan(tallies.stream().map(t -> new ReconcilePlan.Entry(t.topic(), t.partition(), t.slice(),
        t.targetOnly(), t.alreadyOnSource(), t.minBucket(), t.maxBucket(), t.firstOffset(), t.lastOffset(),
        Instant.ofEpochMilli(t.firstTimestamp()), Instant.ofEpochMilli(t.lastTimestamp()))).toList());
  }

  /**
   * Validates every range, then copies to the source the target-only records it lacks, partition by partition.
   *
   * @throws ReconcileException when the request cannot be reconciled as asked (before anything is written), or
   *     when writing fails ({@link ReconcileException.Kind#WRITE_FAILED}: committed batches stay; rerun)
   */
  public synchronized ReconcileReport apply(ReconcileRequest request) {
    List<CopyOutcome> outcomes;
    try {
      outcomes = engine.apply(scope(request));
    } catch (ReconcileFailure f) {
      throw translate(f);
    }
    return new ReconcileReport(outcomes.stream().map(o -> new ReconcileReport.PartitionResult(o.partition().topic(),
        o.partition().partition(), o.read(), o.copied(), o.alreadyPresent(), skipped(o.skipped()), o.takenOver()))
        .toList());
  }

  private static Scope scope(ReconcileRequest request) {
    EpochDocuments documents;
    try {
      documents = new EpochDocuments(request.documents());
    } catch (IllegalArgumentException e) {
      throw new ReconcileException(ReconcileException.Kind.MISSING_DOCUMENT, e.getMessage(), e);
    }
    Map<TopicPartition, OffsetRange> offsets = new LinkedHashMap<>();
    request.targetOffsets().forEach((tp, r) -> offsets.put(tp, new OffsetRange(r.from(), r.to())));
    return new Scope(request.rule(), request.slice().orElse(null), request.fromEpoch(), request.toEpoch(),
        documents, offsets, request.since().orElse(null), request.targetOffsetsBelow());
  }

  private static Map<SkipReason, Long> skipped(Map<Skip, Long> skipped) {
    Map<SkipReason, Long> out = new EnumMap<>(SkipReason.class);
    skipped.forEach((k, v) -> out.put(SkipReason.valueOf(k.name()), v));
    return out;
  }

  private static ReconcileException translate(ReconcileFailure f) {
    return new ReconcileException(ReconcileException.Kind.valueOf(f.kind().name()), f.getMessage(), f);
  }

  /** Closes the clients; a later call fails. */
  @Override
  public synchronized void close() {
    try {
      source.close();
    } finally {
      target.close();
    }
  }

  @Override
  public String toString() {
    return "Reconciler{source=" + source + ", target=" + target + '}';
  }

  /** Builds a {@link Reconciler}. */
  public static final class Builder {
    private String sourceAlias;
    private Map<String, Object> sourceConfigs;
    private String targetAlias;
    private Map<String, Object> targetConfigs;
    private Duration timeout = DEFAULT_REQUEST_TIMEOUT;
    private int recordsPerTransaction = DEFAULT_RECORDS_PER_TRANSACTION;

    private Builder() {}

    /**
     * The source cluster: its alias in the authority documents and client settings ({@code bootstrap.servers}
     * and security) for the Admin client, consumer and transactional producer used on it.
     */
    public Builder source(String alias, Map<String, Object> clientConfigs) {
      this.sourceAlias = requireAlias(alias);
      this.sourceConfigs = requireConfigs(alias, clientConfigs);
      return this;
    }

    /** The target cluster: its alias and client settings (only read: an Admin client and a consumer). */
    public Builder target(String alias, Map<String, Object> clientConfigs) {
      this.targetAlias = requireAlias(alias);
      this.targetConfigs = requireConfigs(alias, clientConfigs);
      return this;
    }

    /** How long one request to a cluster may take before {@link ReconcileException.Kind#UNREACHABLE}; 30 s. */
    public Builder requestTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * How many records {@link #apply} commits per transaction on the source (default 20,000): a run that stops
     * keeps its committed transactions, and one transaction must end within the source producer's
     * {@code transaction.timeout.ms}.
     */
    public Builder recordsPerTransaction(int records) {
      if (records < 1) {
        throw new IllegalArgumentException("recordsPerTransaction must be at least 1: " + records);
      }
      this.recordsPerTransaction = records;
      return this;
    }

    /** @throws IllegalArgumentException when a side is missing or both have one alias */
    public Reconciler build() {
      if (sourceAlias == null || targetAlias == null) {
        throw new IllegalArgumentException("source(alias, configs) and target(alias, configs) are both required");
      }
      if (sourceAlias.equals(targetAlias)) {
        throw new IllegalArgumentException("source and target have the same alias '" + sourceAlias + "'");
      }
      return new Reconciler(this);
    }

    private static String requireAlias(String alias) {
      Objects.requireNonNull(alias, "alias");
      if (alias.isBlank() || alias.contains("/")) {
        throw new IllegalArgumentException("not a cluster alias: '" + alias + "'");
      }
      return alias;
    }

    private static Map<String, Object> requireConfigs(String alias, Map<String, Object> configs) {
      Objects.requireNonNull(configs, "clientConfigs");
      if (configs.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) == null) {
        throw new IllegalArgumentException("the client settings of '" + alias + "' have no bootstrap.servers");
      }
      return new HashMap<>(configs);
    }
  }
}
