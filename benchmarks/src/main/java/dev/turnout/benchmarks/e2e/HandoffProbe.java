package dev.turnout.benchmarks.e2e;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * A producer interceptor ({@code interceptor.classes}) that records, for each record of the cutover benchmark,
 * the moment it is handed to a cluster's client, which cluster (the origin in its {@code turnout.route}
 * header), the epoch it was routed by, and its {@code turnout.id}. Interceptors run inside each cluster's
 * KafkaProducer: a record that waited at a cutover barrier is seen when the barrier released it. Records are
 * identified by the sequence number in the first 8 bytes of their value. State is static: one cutover benchmark
 * runs at a time, between {@link #arm(int)} and {@link #disarm()}.
 */
public final class HandoffProbe implements ProducerInterceptor<Object, Object> {

  /** What the probe recorded, per record. */
  static final class Recording {
    final AtomicLongArray handoff;
    final AtomicLongArray routedEpoch;
    final AtomicLongArray idSequence;
    final AtomicReferenceArray<String> handedTo;
    final AtomicLongArray idInstance = new AtomicLongArray(1);

    Recording(int capacity) {
      handoff = new AtomicLongArray(capacity);
      routedEpoch = new AtomicLongArray(capacity);
      idSequence = new AtomicLongArray(capacity);
      handedTo = new AtomicReferenceArray<>(capacity);
    }
  }

  private static final AtomicReference<Recording> CURRENT = new AtomicReference<>();

  /** Starts recording records with sequence numbers below {@code capacity}. */
  static Recording arm(int capacity) {
    Recording recording = new Recording(capacity);
    if (!CURRENT.compareAndSet(null, recording)) {
      throw new IllegalStateException("another cutover benchmark is recording");
    }
    return recording;
  }

  /** Stops recording. */
  static void disarm() {
    CURRENT.set(null);
  }

  @Override
  public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
    long now = System.nanoTime();
    Recording recording = CURRENT.get();
    if (recording == null || !(record.value() instanceof byte[] value) || value.length < Long.BYTES) {
      return record;
    }
    long seq = ByteBuffer.wrap(value).getLong();
    Header route = record.headers().lastHeader(ProvenanceHeaders.ROUTE);
    Header id = record.headers().lastHeader(ProvenanceHeaders.ID);
    ProvenanceHeaders.RouteStamp stamp = route == null ? null : ProvenanceHeaders.parseRoute(route.value());
    if (seq < 0 || seq >= recording.handoff.length() || stamp == null || id == null
        || id.value().length != ProvenanceHeaders.ID_LENGTH) {
      return record;
    }
    int i = (int) seq;
    recording.routedEpoch.set(i, stamp.epoch());
    recording.idSequence.set(i, RecordIds.sequenceOf(id.value()));
    recording.idInstance.set(0, RecordIds.instanceOf(id.value()));
    recording.handedTo.set(i, stamp.origin());
    recording.handoff.set(i, now);
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
