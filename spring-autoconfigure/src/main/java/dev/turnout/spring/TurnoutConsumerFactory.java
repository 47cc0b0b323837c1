package dev.turnout.spring;

import dev.turnout.TurnoutConfig;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Deserializer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * A spring-kafka {@code ConsumerFactory} whose consumers are {@code dev.turnout.RoutingConsumer}s, so that
 * {@code @KafkaListener} containers read each topic from the cluster the authority map names. It needs the
 * routing consumer on the classpath; it is found by name, with the constructor shaped like
 * {@code KafkaConsumer(Map, Deserializer, Deserializer)}, when the factory is created.
 *
 * <p>Post-processors apply as in {@link DefaultKafkaConsumerFactory}; {@code ConsumerFactory.Listener}s are
 * not called for routing consumers.
 */
public class TurnoutConsumerFactory<K, V> extends DefaultKafkaConsumerFactory<K, V> {

  /** The class name of the routing consumer. */
  public static final String ROUTING_CONSUMER = "dev.turnout.RoutingConsumer";

  private final Constructor<?> constructor;

  /**
   * @param configs a routing consumer configuration ({@code turnout.clusters}, {@code turnout.cluster.<alias>.*},
   *     an authority source, and ordinary consumer settings)
   * @throws IllegalStateException when the routing consumer is not on the classpath
   */
  public TurnoutConsumerFactory(Map<String, Object> configs) {
    super(configs);
    if (configs.get(TurnoutConfig.CLUSTERS) == null) {
      throw new IllegalArgumentException("A TurnoutConsumerFactory needs a routing consumer configuration: "
          + TurnoutConfig.CLUSTERS + " is missing");
    }
    this.constructor = routingConsumerConstructor(getClass().getClassLoader());
  }

  static Constructor<?> routingConsumerConstructor(ClassLoader classLoader) {
    try {
      return Class.forName(ROUTING_CONSUMER, false, classLoader)
          .getConstructor(Map.class, Deserializer.class, Deserializer.class);
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      throw new IllegalStateException("Turnout's consumer factory needs " + ROUTING_CONSUMER + " with a public "
          + "(Map, Deserializer, Deserializer) constructor on the classpath; upgrade turnout-routing-client, or "
          + "define a ConsumerFactory bean of your own (" + e + ")", e);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  protected Consumer<K, V> createRawConsumer(Map<String, Object> configProps) {
    Deserializer<K> keyDeserializer = getKeyDeserializer();
    Deserializer<V> valueDeserializer = getValueDeserializer();
    try {
      return (Consumer<K, V>) constructor.newInstance(configProps, keyDeserializer, valueDeserializer);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new KafkaException("Failed to create a routing consumer", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new KafkaException("Failed to create a routing consumer", e);
    }
  }
}
