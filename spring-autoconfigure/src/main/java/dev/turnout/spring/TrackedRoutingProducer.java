package dev.turnout.spring;

import dev.turnout.RoutingProducer;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;

/** A {@link RoutingProducer} that is listed in a {@link TurnoutClients} registry while it is open. */
final class TrackedRoutingProducer<K, V> extends RoutingProducer<K, V> {

  private final TurnoutClients registry;

  TrackedRoutingProducer(Map<String, Object> configs, Serializer<K> keySerializer, Serializer<V> valueSerializer,
      TurnoutClients registry) {
    super(configs, keySerializer, valueSerializer);
    this.registry = registry;
    registry.added(this);
  }

  @Override
  public void close(Duration timeout) {
    try {
      registry.closing(this);
    } finally {
      super.close(timeout);
    }
  }
}
