package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.cutover.CutoverCoordinator;
import dev.turnout.internal.cutover.TopicBarrier;
import dev.turnout.internal.cutover.View;
import dev.turnout.internal.producer.ProducerClusters;
import dev.turnout.internal.producer.RecordKeys;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Transactions of a routing producer. A transaction is routed by the map in force at {@code beginTransaction}
 * and bound to the cluster of its first routed send; it ends only when the bound client's commit or abort
 * succeeds, so that after a failed commit the caller may retry it or abort (as with {@code KafkaProducer}),
 * and a cutover keeps waiting for it. State is guarded by this object's monitor, which is never held while a
 * client commits or aborts.
 */
final class Transactions<K, V> {

  private final boolean transactional;
  private final ProducerClusters<K, V> clusters;
  private final CutoverCoordinator cutover;
  private final ClientCore core;
  private final RecordKeys<K, V> keys;
  private final SendPath<K, V> path;
  private final Dispatcher<K, V> dispatcher;
  private final Refusals refusals;
  private final long maxBlockNanos;
  private final boolean[] clusterInitialized;
  private boolean initialized;
  private volatile boolean active;
  /** Epoch of the map routing the open transaction; {@link Long#MAX_VALUE} when none is open. */
  private volatile long activeEpoch = Long.MAX_VALUE;
  private AuthorityMap map;
  private int bound = -1;
  private int lastBound = -1;

  Transactions(boolean transactional, ProducerClusters<K, V> clusters, CutoverCoordinator cutover, ClientCore core,
      RecordKeys<K, V> keys, SendPath<K, V> path, Dispatcher<K, V> dispatcher, Refusals refusals,
      long maxBlockMillis) {
    this.transactional = transactional;
    this.clusters = clusters;
    this.cutover = cutover;
    this.core = core;
    this.keys = keys;
    this.path = path;
    this.dispatcher = dispatcher;
    this.refusals = refusals;
    this.maxBlockNanos = TimeUnit.MILLISECONDS.toNanos(maxBlockMillis);
    this.clusterInitialized = new boolean[clusters.aliases().size()];
  }

  /** Whether a transaction is open (one volatile read: the send path's only cost when none is). */
  boolean active() {
    return active;
  }

  /** The epoch routing the open transaction, {@link Long#MAX_VALUE} when none is open (for cutovers). */
  long activeEpoch() {
    return activeEpoch;
  }

  void init() {
    requireTransactional();
    synchronized (this) {
      initialized = true;
    }
  }

  void begin() {
    requireTransactional();
    synchronized (this) {
      if (!initialized) {
        throw new IllegalStateException("Cannot begin a transaction before initTransactions()");
      }
      if (active) {
        throw new IllegalStateException("A transaction is already in progress");
      }
      // Entering the view makes a cutover's grace period wait until this transaction is visible to it.
      View view = cutover.enter();
      try {
        map = view.map();
        bound = -1;
        activeEpoch = map == null ? -1 : map.epoch();
        active = true;
      } finally {
        view.exit();
      }
    }
  }

  /**
   * Sends a record in the open transaction, routed by the map captured at begin; {@code null} when no
   * transaction is open any more (the caller then sends it outside).
   */
  Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
    synchronized (this) {
      if (!active) {
        return null;
      }
      OwnershipAmbiguousException refusal = core.checkFresh(map, record.topic());
      if (refusal != null) {
        return refusals.refuse(refusal, record, callback);
      }
      Route route = keys.resolve(map, record);
      if (!route.routable()) {
        return refusals.refuse(ClientCore.refusalFor(route, record.topic()), record, callback);
      }
      if (bound >= 0 && bound != route.ownerIndex()) {
        return refusals.refuse(boundElsewhere(route, record.topic()), record, callback);
      }
      Future<RecordMetadata> stopped = awaitBarrier(record, callback);
      if (stopped != null) {
        return stopped;
      }
      if (bound < 0) {
        Future<RecordMetadata> notBound = bindFor(route, record, callback);
        if (notBound != null) {
          return notBound;
        }
      }
      return dispatcher.dispatch(route, path.routedCopy(record, route), callback);
    }
  }

  private OwnershipAmbiguousException boundElsewhere(Route route, String topic) {
    return new OwnershipAmbiguousException(Reason.TRANSACTION_BOUND_TO_OTHER_CLUSTER, topic, map.epoch(),
        "The open transaction is bound to cluster '" + clusters.alias(bound) + "', but authority map epoch "
            + map.epoch() + " makes '" + route.owner() + "' the owner of topic '" + topic + "' (rule '"
            + route.rule().name() + "'). A transaction cannot span clusters: abort it and send these records in "
            + "separate transactions.");
  }

  /** Waits in {@code send} for a pending barrier of the record's slice; the failed send, or {@code null}. */
  private Future<RecordMetadata> awaitBarrier(ProducerRecord<K, V> record, Callback callback) {
    View view = cutover.view();
    if (view.settled()) {
      return null;
    }
    TopicBarrier barrier = view.barrierFor(record.topic(), map.epoch(), keys.barrierBucket(view, map, record));
    if (barrier == null) {
      return null;
    }
    boolean settledInTime;
    try {
      settledInTime = barrier.awaitSettled(maxBlockNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
    if (!settledInTime) {
      return refusals.fail(new TimeoutException("The send to topic '" + record.topic() + "' in a transaction waited "
          + TimeUnit.NANOSECONDS.toMillis(maxBlockNanos) + " ms (max.block.ms) at the cutover barrier of epoch "
          + barrier.epoch() + " (" + barrier.state() + "); it was not written. Abort the transaction and retry."),
          record, callback);
    }
    if (barrier.state() == TopicBarrier.State.FAILED) {
      return refusals.barrierFailed(barrier.failure(), record, callback);
    }
    return null;
  }

  /** Binds the transaction to the record's owner; the failed send if that fails, else {@code null}. */
  private Future<RecordMetadata> bindFor(Route route, ProducerRecord<K, V> record, Callback callback) {
    int owner = route.ownerIndex();
    String mismatch = clusters.identity(owner).mismatch();
    if (mismatch != null) {
      return refusals.refuse(Dispatcher.idMismatch(record.topic(), route.epoch(), mismatch), record, callback);
    }
    try {
      bind(owner);
      return null;
    } catch (ClusterIdentity.ClusterIdMismatchException e) {
      return refusals.refuse(Dispatcher.idMismatch(record.topic(), route.epoch(), e.getMessage()), record, callback);
    } catch (TimeoutException e) {
      clusters.breaker(owner).record(e);
      return refusals.fail(e, record, callback);
    } catch (KafkaException e) {
      return refusals.fail(e, record, callback);
    } catch (RuntimeException e) {
      return refusals.fail(new KafkaException("The transaction could not begin on cluster '" + clusters.alias(owner)
          + "' (" + e + "); the record was not written. Abort the transaction and retry.", e), record, callback);
    }
  }

  private void bind(int index) {
    Producer<K, V> producer = clusters.get(index);
    if (!clusterInitialized[index]) {
      producer.initTransactions();
      clusterInitialized[index] = true;
    }
    producer.beginTransaction();
    bound = index;
  }

  void sendOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
    Producer<K, V> producer;
    synchronized (this) {
      requireActive();
      if (bound < 0) {
        if (lastBound < 0) {
          long epoch = map == null ? -1 : map.epoch();
          throw new OwnershipAmbiguousException(Reason.TRANSACTION_BOUND_TO_OTHER_CLUSTER, null, epoch,
              "sendOffsetsToTransaction before any send: the transaction is bound to no cluster yet, so the "
                  + "cluster of group '" + groupMetadata.groupId() + "' is ambiguous. Send a record first.");
        }
        bind(lastBound);
      }
      producer = clusters.get(bound);
    }
    producer.sendOffsetsToTransaction(offsets, groupMetadata);
  }

  /** Commits on the bound cluster; the transaction stays open (retry or abort) if the commit throws. */
  void commit() {
    Producer<K, V> producer = boundProducer();
    if (producer != null) {
      producer.commitTransaction();
    }
    end();
  }

  /** Aborts on the bound cluster; the transaction stays open (retry) if the abort throws. */
  void abort() {
    Producer<K, V> producer = boundProducer();
    if (producer != null) {
      producer.abortTransaction();
    }
    end();
  }

  private synchronized Producer<K, V> boundProducer() {
    requireActive();
    return bound >= 0 ? clusters.get(bound) : null;
  }

  private synchronized void end() {
    if (bound >= 0) {
      lastBound = bound;
    }
    active = false;
    activeEpoch = Long.MAX_VALUE;
    map = null;
    bound = -1;
  }

  private void requireTransactional() {
    if (!transactional) {
      throw new IllegalStateException("Transactional method invoked on a non-transactional producer: set "
          + ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    }
  }

  private void requireActive() {
    if (!active) {
      throw new IllegalStateException("No transaction in progress: call beginTransaction() first");
    }
  }
}
