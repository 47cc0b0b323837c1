package dev.turnout.cluster;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

/**
 * What one cluster's producer client reports about its records and its cluster, through
 * {@link ClientEventsInterceptor}. Implementations must be thread-safe, quick, and must not throw: they run
 * inside {@code send} and on the client's I/O thread.
 */
public interface ClientEvents {

  /** A record for {@code topic} is being sent (inside {@code send}, before the record is partitioned). */
  void sending(String topic);

  /**
   * A record completed: acknowledged when {@code exception} is {@code null}, otherwise failed (also for
   * errors raised inside {@code send}).
   *
   * @param metadata topic, partition (-1 if unknown), offset and timestamp
   * @param headers the record's headers
   */
  void completed(RecordMetadata metadata, Exception exception, Headers headers);

  /** The client's metadata now comes from the cluster with this id. */
  void clusterId(String clusterId);
}
