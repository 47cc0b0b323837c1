package dev.turnout;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.RoutingProducer.RecentRefusal;
import dev.turnout.internal.cutover.BarrierFailure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a send that is not made is reported: its future fails and its callback hears of the error; refusals are
 * counted, kept as the most recent of their reason, told to the listeners, and logged at most once per reason
 * (or per unavailable cluster) every 10 seconds.
 */
final class Refusals {

  private static final Logger log = LoggerFactory.getLogger(RoutingProducer.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final String clientId;
  private final ClientMetrics metrics;
  private final Map<Reason, AtomicLong> lastLog = new EnumMap<>(Reason.class);
  private final Map<Reason, AtomicReference<RecentRefusal>> last = new EnumMap<>(Reason.class);
  private final AtomicLong[] lastUnavailableLog;
  private final Listeners listeners;

  /**
   * @param clusters number of declared clusters
   * @param listeners told of every refusal
   */
  Refusals(String clientId, ClientMetrics metrics, int clusters, Listeners listeners) {
    this.clientId = clientId;
    this.metrics = metrics;
    this.listeners = listeners;
    long start = System.nanoTime() - LOG_INTERVAL_NANOS;
    for (Reason reason : Reason.values()) {
      lastLog.put(reason, new AtomicLong(start));
      last.put(reason, new AtomicReference<>());
    }
    this.lastUnavailableLog = new AtomicLong[clusters];
    for (int i = 0; i < clusters; i++) {
      lastUnavailableLog[i] = new AtomicLong(start);
    }
  }

  /** Counts and remembers a refusal that is thrown rather than passed to a future. */
  void recordThrown(OwnershipAmbiguousException refusal) {
    metrics.refused(refusal.reason());
    last.get(refusal.reason()).set(new RecentRefusal(Instant.now(), refusal));
    listeners.refused(refusal);
  }

  /** Refuses a send: counted, remembered, logged (rate-limited), and failed. */
  Future<RecordMetadata> refuse(OwnershipAmbiguousException refusal, ProducerRecord<?, ?> record, Callback callback) {
    recordThrown(refusal);
    if (due(lastLog.get(refusal.reason()))) {
      log.warn("[{}] Refused a write ({}; {} refusal(s) for this reason so far): {}", clientId,
          refusal.reason(), metrics.refusedCount(refusal.reason()), refusal.getMessage());
    }
    return fail(refusal, record, callback);
  }

  /** Fails a send whose cluster's breaker is open ({@code error} says so); logged per cluster, rate-limited. */
  Future<RecordMetadata> unavailable(int owner, long epoch, ClusterUnavailableException error,
      ProducerRecord<?, ?> record, Callback callback) {
    metrics.refusedUnavailable();
    listeners.refused(ClientMetrics.CLUSTER_UNAVAILABLE, record.topic(), epoch, error.getMessage());
    if (due(lastUnavailableLog[owner])) {
      log.warn("[{}] {}", clientId, error.getMessage());
    }
    return fail(error, record, callback);
  }

  /**
   * Fails a send stopped at a cutover barrier: refused with {@code CUTOVER_BARRIER_TIMEOUT} when the barrier
   * timed out, with {@code ROLLBACK_NOT_RECONCILED} when a rolled-back slice is not proven reconciled; failed with a {@link KafkaException} saying so when the producer closed.
   */
  Future<RecordMetadata> barrierFailed(BarrierFailure failure, ProducerRecord<?, ?> record, Callback callback) {
    return report(barrierError(failure), record, callback);
  }

  /** Refuses ({@link OwnershipAmbiguousException}) or fails (any other error) a send. */
  Future<RecordMetadata> report(KafkaException error, ProducerRecord<?, ?> record, Callback callback) {
    if (error instanceof OwnershipAmbiguousException refusal) {
      return refuse(refusal, record, callback);
    }
    return fail(error, record, callback);
  }

  /** The error of a send stopped at a barrier (see {@link #barrierFailed}). */
  KafkaException barrierError(BarrierFailure failure) {
    if (failure.kind() == BarrierFailure.Kind.CLOSED) {
      return new KafkaException(failure.message());
    }
    if (failure.kind() == BarrierFailure.Kind.ROLLBACK_NOT_RECONCILED) {
      return new OwnershipAmbiguousException(Reason.ROLLBACK_NOT_RECONCILED, failure.topic(), failure.epoch(),
          failure.message());
    }
    return new OwnershipAmbiguousException(Reason.CUTOVER_BARRIER_TIMEOUT, failure.topic(), failure.epoch(),
        failure.message());
  }

  /** Fails a send that found no room at the cutover barrier of {@code epoch} within {@code max.block.ms}. */
  Future<RecordMetadata> bufferExhausted(long epoch, BufferExhaustedException error, ProducerRecord<?, ?> record,
      Callback callback) {
    metrics.refusedBufferExhausted();
    listeners.refused(ClientMetrics.CUTOVER_BUFFER_EXHAUSTED, record.topic(), epoch, error.getMessage());
    return fail(error, record, callback);
  }

  /** Completes a send that was not made: the callback receives the error, the future fails. */
  Future<RecordMetadata> fail(KafkaException error, ProducerRecord<?, ?> record, Callback callback) {
    notifyFailed(error, record, callback);
    return CompletableFuture.failedFuture(error);
  }

  /** Tells the callback of a send that was not made. */
  void notifyFailed(Exception error, ProducerRecord<?, ?> record, Callback callback) {
    if (callback != null) {
      RecordMetadata metadata = new RecordMetadata(
          new TopicPartition(record.topic(), record.partition() == null ? RecordMetadata.UNKNOWN_PARTITION
              : record.partition()), -1, -1, RecordBatch.NO_TIMESTAMP, -1, -1);
      try {
        callback.onCompletion(metadata, error);
      } catch (RuntimeException e) {
        log.error("[{}] Error executing user-provided callback on a record that was not sent", clientId, e);
      }
    }
  }

  /** The most recent refusal of each reason that occurred, newest first. */
  List<RecentRefusal> recent() {
    List<RecentRefusal> recent = new ArrayList<>();
    last.values().forEach(ref -> {
      RecentRefusal r = ref.get();
      if (r != null) {
        recent.add(r);
      }
    });
    recent.sort((a, b) -> b.at().compareTo(a.at()));
    return recent;
  }

  private static boolean due(AtomicLong lastLogged) {
    long now = System.nanoTime();
    long previous = lastLogged.get();
    return now - previous >= LOG_INTERVAL_NANOS && lastLogged.compareAndSet(previous, now);
  }
}
