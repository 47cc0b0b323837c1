package dev.turnout.benchmarks.e2e;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * A producer interceptor ({@code interceptor.classes}) that records when a send routed by each epoch is first
 * handed to a cluster's client. Interceptors run inside each cluster's KafkaProducer and see the routed copy
 * with its {@code turnout.route} header, so this observes what was actually routed, not what the map says.
 * State is static: one flip benchmark runs at a time.
 */
public final class EpochProbe implements ProducerInterceptor<Object, Object> {

  private static final Map<Long, Long> FIRST_SEEN = new ConcurrentHashMap<>();

  /** Forgets every epoch seen. */
  static void reset() {
    FIRST_SEEN.clear();
  }

  /** {@link System#nanoTime()} when a send routed by {@code epoch} was first seen, or {@code null}. */
  static Long firstSeen(long epoch) {
    return FIRST_SEEN.get(epoch);
  }

  @Override
  public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
    Header route = record.headers().lastHeader(ProvenanceHeaders.ROUTE);
    if (route != null) {
      ProvenanceHeaders.RouteStamp stamp = ProvenanceHeaders.parseRoute(route.value());
      if (stamp != null && !FIRST_SEEN.containsKey(stamp.epoch())) {
        FIRST_SEEN.putIfAbsent(stamp.epoch(), System.nanoTime());
      }
    }
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
