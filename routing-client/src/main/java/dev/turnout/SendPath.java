package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.cutover.BarrierFailure;
import dev.turnout.internal.cutover.CutoverCoordinator;
import dev.turnout.internal.cutover.QueuedSend;
import dev.turnout.internal.cutover.TopicBarrier;
import dev.turnout.internal.cutover.View;
import dev.turnout.internal.producer.ProducerClusters;
import dev.turnout.internal.producer.QueuedFuture;
import dev.turnout.internal.producer.RecordKeys;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision for a send outside a transaction: the map in force (fresh, with a rule and an owner for the
 * record), then the cutover barrier of its slice if one is pending (queue it, in order, without blocking the
 * caller), then {@link Dispatcher}. While no cutover is unsettled a send costs one view entry/exit, the
 * decision and the dispatch: no lock, no allocation besides the routed copy.
 */
final class SendPath<K, V> {

  private static final Logger log = LoggerFactory.getLogger(RoutingProducer.class);

  private final String clientId;
  private final ClientCore core;
  private final CutoverCoordinator cutover;
  private final RecordKeys<K, V> keys;
  private final Dispatcher<K, V> dispatcher;
  private final ProducerClusters<K, V> clusters;
  private final Refusals refusals;
  private final ClientMetrics metrics;
  private final RecordIds ids;
  private final long maxBlockNanos;
  private final long bufferBytes;

  SendPath(String clientId, ClientCore core, CutoverCoordinator cutover, RecordKeys<K, V> keys,
      Dispatcher<K, V> dispatcher, ProducerClusters<K, V> clusters, Refusals refusals, ClientMetrics metrics,
      RecordIds ids, long maxBlockMillis, long bufferBytes) {
    this.clientId = clientId;
    this.core = core;
    this.cutover = cutover;
    this.keys = keys;
    this.dispatcher = dispatcher;
    this.clusters = clusters;
    this.refusals = refusals;
    this.metrics = metrics;
    this.ids = ids;
    this.maxBlockNanos = TimeUnit.MILLISECONDS.toNanos(maxBlockMillis);
    this.bufferBytes = bufferBytes;
  }

  /** Routes and sends (or queues, or refuses) a record by the view in force. */
  Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
    View view = cutover.enter();
    try {
      AuthorityMap map = view.map();
      OwnershipAmbiguousException refusal = core.checkFresh(map, record.topic());
      if (refusal != null) {
        return refusals.refuse(refusal, record, callback);
      }
      Route route = keys.resolve(map, record);
      if (!route.routable()) {
        return refusals.refuse(ClientCore.refusalFor(route, record.topic()), record, callback);
      }
      if (!view.settled()) {
        TopicBarrier barrier = view.barrierFor(record.topic(), map.epoch(), keys.barrierBucket(view, map, record));
        if (barrier != null) {
          return sendAtBarrier(barrier, route, record, callback);
        }
      }
      return dispatcher.dispatch(route, routedCopy(record, route), callback);
    } finally {
      view.exit();
    }
  }

  /** A send for a moved slice while its barrier is not open: queue it, or send or refuse it at once. */
  private Future<RecordMetadata> sendAtBarrier(TopicBarrier barrier, Route route, ProducerRecord<K, V> record,
      Callback callback) {
    TopicBarrier.State state = barrier.state();
    if (state == TopicBarrier.State.OPEN) {
      return dispatcher.dispatch(route, routedCopy(record, route), callback);
    }
    if (state == TopicBarrier.State.FAILED) {
      return refusals.barrierFailed(barrier.failure(), record, callback);
    }
    ProducerRecord<K, V> routed = routedCopy(record, route);
    BarrierSend queued = new BarrierSend(route, routed, callback, keys.estimateSize(routed));
    TopicBarrier.Offer offer;
    try {
      offer = barrier.offer(queued, maxBlockNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
    switch (offer) {
      case QUEUED:
        return queued.future;
      case OPEN:
        return dispatcher.dispatch(route, routed, callback);
      case FAILED:
        return refusals.barrierFailed(barrier.failure(), record, callback);
      default:
        return refusals.bufferExhausted(barrier.epoch(), new BufferExhaustedException("Failed to queue a record of about " + queued.size
            + " bytes for topic '" + record.topic() + "' at the cutover barrier of epoch " + barrier.epoch()
            + " within " + TimeUnit.NANOSECONDS.toMillis(maxBlockNanos) + " ms (max.block.ms): "
            + cutover.waitingBytes() + " of " + bufferBytes + " bytes (" + TurnoutConfig.CUTOVER_BUFFER_BYTES
            + ") are taken by waiting records. It was not written anywhere."), record, callback);
    }
  }

  /**
   * Partitions of a topic, from its owner cluster; refused when the map is missing or stale, no rule governs
   * the topic, its writes are split between clusters, or its owner reports another cluster id than pinned.
   */
  List<PartitionInfo> partitionsFor(String topic) {
    AuthorityMap map = cutover.view().map();
    OwnershipAmbiguousException refusal = core.checkFresh(map, topic);
    if (refusal == null) {
      Rule rule = map.ruleFor(topic);
      if (rule == null) {
        refusal = ClientCore.refusalFor(map.route(topic, null), topic);
      } else if (rule.writeOwners().size() == 1) {
        int owner = clusters.aliases().indexOf(rule.writeOwners().iterator().next());
        String mismatch = clusters.identity(owner).mismatch();
        if (mismatch == null) {
          try {
            return clusters.get(owner).partitionsFor(topic);
          } catch (ClusterIdentity.ClusterIdMismatchException e) {
            mismatch = e.getMessage();
          }
        }
        refusal = Dispatcher.idMismatch(topic, map.epoch(), mismatch);
        metrics.refused(refusal.reason());
        throw refusal;
      } else {
        refusal = new OwnershipAmbiguousException(OwnershipAmbiguousException.Reason.OWNER_SPLIT_ACROSS_CLUSTERS,
            topic, map.epoch(), "Writes to topic '" + topic + "' are split between clusters " + rule.writeOwners()
                + " by rule '" + rule.name() + "' at epoch " + map.epoch() + ": its partition metadata is ambiguous.");
      }
    }
    refusals.recordThrown(refusal);
    throw refusal;
  }

  /** A copy of {@code record} stamped with the route and a new record id. */
  ProducerRecord<K, V> routedCopy(ProducerRecord<K, V> record, Route route) {
    return ProvenanceHeaders.stampedCopy(record, route.routeHeader(), ids.next());
  }

  /** A send waiting at a cutover barrier; its future completes when the real send (or its refusal) does. */
  private final class BarrierSend implements QueuedSend {
    final Route route;
    final ProducerRecord<K, V> routed;
    final Callback callback;
    final long size;
    final QueuedFuture future = new QueuedFuture();

    BarrierSend(Route route, ProducerRecord<K, V> routed, Callback callback, long size) {
      this.route = route;
      this.routed = routed;
      this.callback = callback;
      this.size = size;
    }

    @Override
    public long sizeInBytes() {
      return size;
    }

    @Override
    public void release() {
      // A RoutedCallback (from Dispatcher) so that a caller's RoutedCallback learns the cluster too.
      RoutedCallback completion = (routedMetadata, error) -> {
        RecordMetadata metadata = routedMetadata == null ? null : routedMetadata.metadata();
        if (error == null) {
          future.done(metadata);
        } else {
          future.failed(error);
        }
        if (callback != null) {
          try {
            if (callback instanceof RoutedCallback routedCallback) {
              routedCallback.onCompletion(routedMetadata, error);
            } else {
              callback.onCompletion(metadata, error);
            }
          } catch (RuntimeException e) {
            log.error("[{}] Error executing user-provided callback on a record released at a cutover barrier",
                clientId, e);
          }
        }
      };
      try {
        Future<RecordMetadata> sent = dispatcher.dispatch(route, routed, completion);
        if (sent.isDone() && !future.isDone()) {
          // Failed before reaching a client without calling back (never for KafkaProducer's own errors).
          try {
            future.done(sent.get());
          } catch (Exception e) {
            future.failed(e.getCause() != null ? e.getCause() : e);
          }
        }
      } catch (RuntimeException e) {
        completion.onCompletion((RecordMetadata) null, e);
      }
    }

    @Override
    public void refuse(BarrierFailure failure) {
      org.apache.kafka.common.KafkaException error = refusals.barrierError(failure);
      refusals.report(error, routed, callback);
      future.failed(error);
    }
  }
}
