package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.Route;
import dev.turnout.internal.cluster.BreakerSettings;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.producer.Completion;
import dev.turnout.internal.producer.ProducerClusters;
import dev.turnout.internal.producer.RewriteGuard;
import dev.turnout.internal.producer.RewriteRefusedException;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;

/**
 * Hands a routed record to its owner cluster's client, unless the owner reports another cluster id than the
 * one pinned for it, or its circuit breaker is open: then the record is refused and written nowhere (never
 * rerouted). The record's outcome reaches the breaker, the cutover ledger and the caller through
 * {@link Completion}.
 */
final class Dispatcher<K, V> {

  private final ProducerClusters<K, V> clusters;
  private final Refusals refusals;
  private final ClientMetrics metrics;
  private final RewriteGuard<K, V> guard;
  private final BreakerSettings breakerSettings;

  /**
   * @param guard checks records the caller's interceptors rewrote, or {@code null} when none are configured
   */
  Dispatcher(ProducerClusters<K, V> clusters, Refusals refusals, ClientMetrics metrics, RewriteGuard<K, V> guard,
      BreakerSettings breakerSettings) {
    this.clusters = clusters;
    this.refusals = refusals;
    this.metrics = metrics;
    this.guard = guard;
    this.breakerSettings = breakerSettings;
  }

  /** Sends {@code routed} (a stamped copy) to the owner {@code route} names. */
  Future<RecordMetadata> dispatch(Route route, ProducerRecord<K, V> routed, Callback callback) {
    int owner = route.ownerIndex();
    String mismatch = clusters.identity(owner).mismatch();
    if (mismatch != null) {
      return refusals.refuse(idMismatch(routed.topic(), route.epoch(), mismatch), routed, callback);
    }
    ClusterBreaker breaker = clusters.breaker(owner);
    if (!breaker.tryAcquire()) {
      return refusals.unavailable(owner, route.epoch(), unavailable(owner, routed.topic()), routed,
          callback);
    }
    Producer<K, V> producer;
    try {
      producer = clusters.get(owner);
    } catch (ClusterIdentity.ClusterIdMismatchException e) {
      breaker.release();
      return refusals.refuse(idMismatch(routed.topic(), route.epoch(), e.getMessage()), routed, callback);
    } catch (TimeoutException e) {
      breaker.record(e);
      return refusals.fail(e, routed, callback);
    } catch (RuntimeException e) {
      breaker.release();
      throw e;
    }
    Completion completion = new Completion(named(callback, clusters.alias(owner)), clusters.events(owner),
        idSequence(routed));
    clusters.events(owner).ledger().sent(routed.topic());
    Future<RecordMetadata> future;
    try {
      future = guard == null ? producer.send(routed, completion) : guardedSend(producer, routed, completion);
    } catch (RewriteRefusedException e) {
      breaker.release();
      return refusals.refuse(new OwnershipAmbiguousException(Reason.TOPIC_REWRITTEN_TO_OTHER_OWNER,
          e.rewrittenTopic(), route.epoch(), e.getMessage()), routed, callback);
    } catch (RuntimeException e) {
      // KafkaProducer throws (rather than calling back) for errors outside the Kafka API: the permit taken
      // above still needs its outcome, unless the completion already recorded it (a caller's callback can
      // throw out of send when the client fails the record at once).
      if (!completion.recorded()) {
        breaker.record(e);
      }
      throw e;
    }
    metrics.routed(route);
    return future;
  }

  private Future<RecordMetadata> guardedSend(Producer<K, V> producer, ProducerRecord<K, V> routed, Completion completion) {
    guard.routing(routed.topic());
    try {
      return producer.send(routed, completion);
    } finally {
      guard.done();
    }
  }

  /**
   * The caller's callback as the cluster's client calls it: a {@link RoutedCallback} learns {@code alias} too
   * (one adapter per send, one {@link RoutedMetadata} per completion); any other callback is passed as it is.
   */
  static Callback named(Callback callback, String alias) {
    if (callback instanceof RoutedCallback routed) {
      return (metadata, exception) -> routed.onCompletion(
          metadata == null ? null : new RoutedMetadata(metadata, alias), exception);
    }
    return callback;
  }

  /** The refusal of a write to a cluster that reports another id than the one pinned for it. */
  static OwnershipAmbiguousException idMismatch(String topic, long epoch, String mismatch) {
    return new OwnershipAmbiguousException(Reason.CLUSTER_ID_MISMATCH, topic, epoch, mismatch);
  }

  private ClusterUnavailableException unavailable(int owner, String topic) {
    String alias = clusters.alias(owner);
    return new ClusterUnavailableException(alias, "The circuit breaker of cluster '" + alias + "' is "
        + clusters.breaker(owner).state() + ": recent sends to it failed, so the send to topic '" + topic
        + "' fails at once. It was not written anywhere (never rerouted: '" + alias + "' owns it). Trial sends "
        + "are let through " + breakerSettings.openWait().toMillis() + " ms after it opened.");
  }

  /** The sequence of the {@code turnout.id} this producer stamped on a routed copy. */
  private static long idSequence(ProducerRecord<?, ?> routed) {
    Header id = routed.headers().lastHeader(ProvenanceHeaders.ID);
    return id == null ? -1 : RecordIds.sequenceOf(id.value());
  }
}
