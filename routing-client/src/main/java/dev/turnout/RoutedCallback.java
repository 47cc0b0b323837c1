package dev.turnout;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A send {@link Callback} that also learns which cluster took the record. Pass it to
 * {@link RoutingProducer#send(org.apache.kafka.clients.producer.ProducerRecord, Callback)} like any callback; it
 * is called once per send, on the same thread and in the same order as a plain callback would be, including for
 * sends released from a cutover barrier and sends inside transactions:
 *
 * <pre>{@code
 * producer.send(record, (RoutedCallback) (metadata, error) ->
 *     log.info("order {} written to {}", orderId, metadata)); // cloud:orders-3@1042
 * }</pre>
 *
 * <p>Only callers that use it pay for it: one {@link RoutedMetadata} per completed send and one small adapter
 * per send. A plain {@code Callback} costs nothing more than before.
 */
@FunctionalInterface
public interface RoutedCallback extends Callback {

  /**
   * Called when the send completed or failed.
   *
   * @param metadata the metadata and the cluster; {@code null} only when Kafka's client reported none
   * @param exception the error, or {@code null} on success
   */
  void onCompletion(RoutedMetadata metadata, Exception exception);

  /**
   * Called by a client that does not know the cluster (a send refused before it reached any cluster's client,
   * or a plain {@code KafkaProducer}): {@link RoutedMetadata#cluster()} is then {@code null}.
   */
  @Override
  default void onCompletion(RecordMetadata metadata, Exception exception) {
    onCompletion(metadata == null ? null : new RoutedMetadata(metadata, null), exception);
  }

}
