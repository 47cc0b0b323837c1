package dev.turnout.spring;

import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.core.ProducerPostProcessor;

/**
 * A spring-kafka {@link ProducerFactory} whose producers are {@link RoutingProducer}s, so that
 * {@code KafkaTemplate}, {@code KafkaTransactionManager} and everything else built on a producer factory
 * route every record to the owner cluster named by the authority map. Caching, transactions
 * ({@code transactionIdPrefix}), listeners and post-processors work as in {@link DefaultKafkaProducerFactory}.
 *
 * <p>The configuration is a {@code RoutingProducer} configuration: {@code turnout.clusters},
 * {@code turnout.cluster.<alias>.*} with each cluster's {@code bootstrap.servers}, an authority source, and
 * ordinary producer settings applied to every cluster. Spring Boot's autoconfiguration builds it from
 * {@code spring.kafka.*} and {@code turnout.*} properties.
 */
public class TurnoutProducerFactory<K, V> extends DefaultKafkaProducerFactory<K, V> {

  private final TurnoutClients registry;

  /**
   * @param configs a {@link RoutingProducer} configuration (see {@link TurnoutConfig})
   * @param registry lists the producers while they are open
   */
  public TurnoutProducerFactory(Map<String, Object> configs, TurnoutClients registry) {
    this(configs, null, null, true, registry);
  }

  /**
   * @param keySerializer supplies key serializers, or {@code null} to use {@code key.serializer}
   * @param valueSerializer supplies value serializers, or {@code null} to use {@code value.serializer}
   * @param configureSerializers whether supplied serializers are configured with the producer configuration
   */
  public TurnoutProducerFactory(Map<String, Object> configs, Supplier<Serializer<K>> keySerializer,
      Supplier<Serializer<V>> valueSerializer, boolean configureSerializers, TurnoutClients registry) {
    super(requireTurnout(configs), keySerializer, valueSerializer, configureSerializers);
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  private static Map<String, Object> requireTurnout(Map<String, Object> configs) {
    if (configs.get(TurnoutConfig.CLUSTERS) == null) {
      throw new IllegalArgumentException("A TurnoutProducerFactory needs a RoutingProducer configuration: "
          + TurnoutConfig.CLUSTERS + " is missing");
    }
    return configs;
  }

  /** The registry the producers of this factory are listed in while open. */
  public TurnoutClients registry() {
    return registry;
  }

  /**
   * Creates a {@link RoutingProducer} (instead of a {@code KafkaProducer}) and applies the post-processors, as
   * {@link DefaultKafkaProducerFactory} does.
   */
  @Override
  protected Producer<K, V> createRawProducer(Map<String, Object> rawConfigs) {
    Serializer<K> keySerializer = serializer(getKeySerializerSupplier(), rawConfigs, true);
    Serializer<V> valueSerializer = serializer(getValueSerializerSupplier(), rawConfigs, false);
    RoutingProducer<K, V> routing = new RoutingProducer<>(rawConfigs, keySerializer, valueSerializer);
    registry.add(routing);
    Producer<K, V> producer = routing;
    for (ProducerPostProcessor<K, V> postProcessor : getPostProcessors()) {
      producer = postProcessor.apply(producer);
    }
    return producer;
  }

  private <T> Serializer<T> serializer(Supplier<Serializer<T>> supplier, Map<String, Object> configs, boolean isKey) {
    Serializer<T> serializer = supplier == null ? null : supplier.get();
    if (serializer != null && isConfigureSerializers()) {
      serializer.configure(configs, isKey);
    }
    return serializer;
  }

  /**
   * A copy with some settings overridden (used by {@code KafkaTemplate}'s configuration overrides); the copy
   * creates routing producers too.
   */
  @Override
  public ProducerFactory<K, V> copyWithConfigurationOverride(Map<String, Object> overrideProperties) {
    Map<String, Object> configs = new HashMap<>(getConfigurationProperties());
    configs.putAll(overrideProperties);
    String prefix = getTransactionIdPrefix();
    if (prefix != null && !overrideProperties.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
      configs.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix);
    }
    TurnoutProducerFactory<K, V> copy = new TurnoutProducerFactory<>(configs, getKeySerializerSupplier(),
        getValueSerializerSupplier(), isConfigureSerializers(), registry);
    copy.setPhysicalCloseTimeout((int) getPhysicalCloseTimeout().getSeconds());
    copy.setProducerPerThread(isProducerPerThread());
    getPostProcessors().forEach(copy::addPostProcessor);
    getListeners().forEach(copy::addListener);
    return copy;
  }
}
