package dev.turnout.internal.cluster;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.ClusterResource;
import org.apache.kafka.common.ClusterResourceListener;
import org.apache.kafka.common.config.ConfigException;

/**
 * Internal: the producer interceptor a Turnout client adds to each cluster's {@code KafkaProducer} (after the
 * caller's own) to learn of every send, with the topic it is finally written to, and of the cluster id. It
 * passes records through unchanged and does nothing on acknowledgements. Its {@link ClientEvents} arrive in
 * the client configuration under {@link #EVENTS}.
 * Public only because Kafka instantiates interceptors by class name.
 */
public final class ClientEventsInterceptor implements ProducerInterceptor<Object, Object>, ClusterResourceListener {

  /** Configuration key holding the {@link ClientEvents} instance. */
  public static final String EVENTS = "turnout.internal.client.events";

  private ClientEvents events;

  @Override
  public void configure(Map<String, ?> configs) {
    Object value = configs.get(EVENTS);
    if (!(value instanceof ClientEvents e)) {
      throw new ConfigException(EVENTS, null, ClientEventsInterceptor.class.getName()
          + " is added by Turnout clients only; do not list it in interceptor.classes");
    }
    this.events = e;
  }

  @Override
  public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
    return events.intercept(record);
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public void onUpdate(ClusterResource clusterResource) {
    String id = clusterResource == null ? null : clusterResource.clusterId();
    if (id != null) {
      events.clusterId(id);
    }
  }

  @Override
  public void close() {}
}
