package dev.turnout.spring;

import dev.turnout.RoutingConsumer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.common.serialization.Deserializer;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * A {@link RoutingConsumer} that is listed in a {@link TurnoutClients} registry while it is open, and reported
 * to the factory's {@link ConsumerFactory.Listener}s (for example the one that binds Micrometer's Kafka client
 * meters) as spring-kafka reports its own consumers.
 */
final class TrackedRoutingConsumer<K, V> extends RoutingConsumer<K, V> {

  private final TurnoutClients registry;
  private final List<ConsumerFactory.Listener<K, V>> listeners;
  private final String listenerId;
  private final AtomicBoolean removed = new AtomicBoolean();

  TrackedRoutingConsumer(Map<String, Object> configs, Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer, String groupId, TurnoutClients registry,
      List<ConsumerFactory.Listener<K, V>> listeners, String factoryName) {
    super(configs, keyDeserializer, valueDeserializer);
    this.registry = registry;
    this.listeners = List.copyOf(listeners);
    this.listenerId = factoryName + "." + TurnoutClients.clientId(metrics());
    registry.added(this, groupId);
    this.listeners.forEach(listener -> listener.consumerAdded(listenerId, this));
  }

  /** Every other {@code close} method of the routing consumer ends here. */
  @Override
  public void close(CloseOptions options) {
    try {
      registry.closing(this);
      super.close(options);
    } finally {
      if (removed.compareAndSet(false, true)) {
        listeners.forEach(listener -> listener.consumerRemoved(listenerId, this));
      }
    }
  }
}
