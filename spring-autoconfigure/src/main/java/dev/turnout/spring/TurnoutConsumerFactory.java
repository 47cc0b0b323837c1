package dev.turnout.spring;

import dev.turnout.RoutingConsumer;
import dev.turnout.TurnoutConfig;
import dev.turnout.status.TurnoutListener;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ConsumerPostProcessor;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * A spring-kafka {@code ConsumerFactory} whose consumers are {@link RoutingConsumer}s, so that
 * {@code @KafkaListener} containers read each topic from the cluster the authority map names and move between
 * clusters at a verified boundary (docs/consumers.md). The configuration is a {@code RoutingConsumer}
 * configuration ({@link TurnoutConfig}); properties a listener passes (for example
 * {@code @KafkaListener(properties = "turnout.consumer.role=validation")}) override it for that listener's
 * consumers.
 *
 * <p>Post-processors and {@code ConsumerFactory.Listener}s (such as Spring Boot's, which binds Micrometer's
 * Kafka client meters) apply as in {@link DefaultKafkaConsumerFactory}. Open consumers are listed in a
 * {@link TurnoutClients} registry for the actuator endpoint, health and meters.
 */
public class TurnoutConsumerFactory<K, V> extends DefaultKafkaConsumerFactory<K, V> {

  private final TurnoutClients registry;
  private String beanName = "turnoutConsumerFactory";
  private boolean configureDeserializers = true;

  /**
   * @param configs a routing consumer configuration ({@code turnout.clusters}, {@code turnout.cluster.<alias>.*},
   *     an authority source, and ordinary consumer settings)
   * @param registry lists the consumers while they are open
   */
  public TurnoutConsumerFactory(Map<String, Object> configs, TurnoutClients registry) {
    super(requireTurnout(configs));
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  private static Map<String, Object> requireTurnout(Map<String, Object> configs) {
    if (configs.get(TurnoutConfig.CLUSTERS) == null) {
      throw new IllegalArgumentException("A TurnoutConsumerFactory needs a routing consumer configuration: "
          + TurnoutConfig.CLUSTERS + " is missing");
    }
    return configs;
  }

  /** The registry the consumers of this factory are listed in while open. */
  public TurnoutClients registry() {
    return registry;
  }

  @Override
  public void setBeanName(String name) {
    super.setBeanName(name);
    this.beanName = name;
  }

  /**
   * Creates a routing consumer and applies the post-processors, as {@link DefaultKafkaConsumerFactory} does for
   * its own consumers.
   */
  @Override
  protected Consumer<K, V> createKafkaConsumer(Map<String, Object> configProps) {
    checkBootstrap(configProps);
    Consumer<K, V> consumer = createRawConsumer(configProps);
    for (ConsumerPostProcessor<K, V> postProcessor : getPostProcessors()) {
      consumer = postProcessor.apply(consumer);
    }
    return consumer;
  }

  /**
   * Creates a {@link RoutingConsumer} (instead of a {@code KafkaConsumer}) with the factory's deserializers,
   * configured with the consumer configuration unless {@link #setConfigureDeserializers} turned that off (as
   * {@link DefaultKafkaConsumerFactory} does), and reports it to the factory's listeners.
   */
  @Override
  protected Consumer<K, V> createRawConsumer(Map<String, Object> configProps) {
    Deserializer<K> keyDeserializer = getKeyDeserializer();
    Deserializer<V> valueDeserializer = getValueDeserializer();
    if (configureDeserializers) {
      if (keyDeserializer != null) {
        keyDeserializer.configure(configProps, true);
      }
      if (valueDeserializer != null) {
        valueDeserializer.configure(configProps, false);
      }
    }
    RoutingConsumer<K, V> consumer = new RoutingConsumer<>(configProps, keyDeserializer, valueDeserializer);
    registry.add(consumer, groupId(configProps));
    reportToListeners(consumer);
    return consumer;
  }

  /**
   * Reports the consumer to the factory's {@link ConsumerFactory.Listener}s (for example the one that binds
   * Micrometer's Kafka client meters) as spring-kafka reports its own consumers: added now, removed once closed.
   */
  private void reportToListeners(RoutingConsumer<K, V> consumer) {
    List<ConsumerFactory.Listener<K, V>> listeners = List.copyOf(getListeners());
    if (listeners.isEmpty()) {
      return;
    }
    String listenerId = beanName + "." + consumer.status().clientId();
    listeners.forEach(listener -> listener.consumerAdded(listenerId, consumer));
    consumer.addListener(new TurnoutListener() {
      @Override
      public void onClosed(String clientId) {
        listeners.forEach(listener -> listener.consumerRemoved(listenerId, consumer));
      }
    });
  }

  @Override
  public void setConfigureDeserializers(boolean configureDeserializers) {
    super.setConfigureDeserializers(configureDeserializers);
    this.configureDeserializers = configureDeserializers;
  }

  /**
   * The group a routing consumer with this configuration uses: {@code group.id}, with
   * {@value TurnoutConfig#VALIDATION_GROUP_SUFFIX} for the validation role; {@code null} without a group.
   */
  static String groupId(Map<String, Object> config) {
    Object group = config.get(ConsumerConfig.GROUP_ID_CONFIG);
    if (group == null || group.toString().isBlank()) {
      return null;
    }
    Object role = config.get(TurnoutConfig.CONSUMER_ROLE);
    boolean validation = role != null
        && role.toString().trim().equalsIgnoreCase(TurnoutConfig.CONSUMER_ROLE_VALIDATION);
    return validation ? group + TurnoutConfig.VALIDATION_GROUP_SUFFIX : group.toString();
  }
}
