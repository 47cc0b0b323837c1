package dev.turnout.internal.cluster;

/**
 * What one cluster's producer client reports about its records and its cluster, through
 * {@link ClientEventsInterceptor}. Implementations must be thread-safe, quick, and must not throw: they run
 * inside {@code send} and on the client's I/O thread. Completions are not reported here: a Turnout client
 * learns of them from the callback it passes with each record, which costs the I/O thread less than an
 * interceptor reading the record's headers back.
 */
public interface ClientEvents {

  /** A record for {@code topic} is being sent (inside {@code send}, before the record is partitioned). */
  void sending(String topic);

  /** The client's metadata now comes from the cluster with this id. */
  void clusterId(String clusterId);

  /**
   * The record the client goes on to send, given the record as the caller's interceptors left it (called
   * inside {@code send}, after them). The default reports its topic to {@link #sending(String)} and returns it.
   * An implementation may return a record whose {@code topic()} throws, to stop a record the client must not
   * send: {@code KafkaProducer} then throws that exception out of {@code send} before touching the record.
   */
  default org.apache.kafka.clients.producer.ProducerRecord<Object, Object> intercept(
      org.apache.kafka.clients.producer.ProducerRecord<Object, Object> record) {
    sending(record.topic());
    return record;
  }
}
