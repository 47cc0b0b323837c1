package dev.turnout.internal.producer;

import org.apache.kafka.common.KafkaException;

/**
 * Thrown by {@code topic()} of the record a cluster's interceptor substitutes for one that an interceptor
 * rewrote to a topic the cluster must not receive ({@link RewriteGuard}); it comes out of the client's
 * {@code send}, and the routing producer turns it into a refusal. Carries the reason as its message.
 */
public final class RewriteRefusedException extends KafkaException {

  private static final long serialVersionUID = 1L;
  private final String topic;

  RewriteRefusedException(String topic, String message) {
    super(message);
    this.topic = topic;
  }

  /** The rewritten topic. */
  public String rewrittenTopic() {
    return topic;
  }

  /** A record that the client cannot send: its {@code topic()} throws this refusal. */
  static org.apache.kafka.clients.producer.ProducerRecord<Object, Object> refusedRecord(
      org.apache.kafka.clients.producer.ProducerRecord<Object, Object> rewritten, String message) {
    RewriteRefusedException refusal = new RewriteRefusedException(rewritten.topic(), message);
    return new org.apache.kafka.clients.producer.ProducerRecord<>(rewritten.topic(), rewritten.partition(),
        rewritten.timestamp(), rewritten.key(), rewritten.value(), rewritten.headers()) {
      @Override
      public String topic() {
        throw refusal;
      }
    };
  }
}
