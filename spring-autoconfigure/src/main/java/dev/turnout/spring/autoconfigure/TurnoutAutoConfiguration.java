package dev.turnout.spring.autoconfigure;

import dev.turnout.AuthorityMonitor;
import dev.turnout.RoutingProducer;
import dev.turnout.source.AuthoritySource;
import dev.turnout.source.FileAuthoritySource;
import dev.turnout.source.KafkaTopicAuthoritySource;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.TurnoutConsumerFactory;
import dev.turnout.spring.TurnoutProducerFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Routes spring-kafka through Turnout: supplies the {@link ProducerFactory} (a {@link TurnoutProducerFactory})
 * before Spring Boot's Kafka autoconfiguration, so that the {@code KafkaTemplate} and
 * {@code KafkaTransactionManager} Spring Boot builds on it send every record to the owner cluster; and the
 * {@link ConsumerFactory} of {@code @KafkaListener} containers ({@link TurnoutConsumerFactory}), whose
 * routing consumers read each topic from the cluster the map names.
 *
 * <p>Active unless {@code turnout.enabled=false}; with it off, nothing here is defined and Spring Boot's Kafka
 * autoconfiguration applies unchanged. A {@code ProducerFactory}, {@code ConsumerFactory} or
 * {@link AuthoritySource} bean of the application replaces the one defined here.
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@ConditionalOnClass({KafkaTemplate.class, KafkaProperties.class, RoutingProducer.class})
@ConditionalOnBooleanProperty(name = "turnout.enabled", matchIfMissing = true)
@EnableConfigurationProperties({TurnoutProperties.class, KafkaProperties.class})
public final class TurnoutAutoConfiguration {

  private static final Logger log = LoggerFactory.getLogger(TurnoutAutoConfiguration.class);

  /** The bean name of the {@link AuthorityMonitor}, which reads the authority source for the endpoint, health and meters. */
  public static final String MONITOR_BEAN = "turnoutAuthorityMonitor";

  /**
   * The authority source: the Kafka control topic of {@code turnout.authority.topic}, the file of
   * {@code turnout.authority.file}, or else the document held in the Spring Environment under
   * {@code turnout.authority.*}.
   */
  @Bean
  @ConditionalOnMissingBean(AuthoritySource.class)
  AuthoritySource turnoutAuthoritySource(TurnoutProperties properties, Environment environment, KafkaProperties kafka) {
    TurnoutProperties.Authority authority = properties.getAuthority();
    if (authority.getTopic() != null) {
      if (authority.getFile() != null || authority.holdsDocument()) {
        throw new InvalidConfigurationPropertyValueException("turnout.authority.topic", authority.getTopic(),
            "the authority document is also set by turnout.authority.file or in the Environment (epoch, source, "
                + "target, rule.*). Use one source.");
      }
      return ControlTopicSource.create(kafka, properties);
    }
    if (authority.getFile() != null) {
      if (authority.holdsDocument()) {
        throw new InvalidConfigurationPropertyValueException("turnout.authority.file", authority.getFile(),
            "the authority document is also set in the Environment (turnout.authority.epoch, .source, .target or "
                + ".rule.*). Use one source: remove turnout.authority.file or the document keys.");
      }
      return new FileAuthoritySource(authority.getFile());
    }
    if (!authority.holdsDocument()) {
      log.warn("Turnout has no authority document: neither turnout.authority.file nor turnout.authority.epoch/"
          + "rule.* is set, and no AuthoritySource bean is defined. Every write is refused until one is set.");
    }
    return new EnvironmentAuthoritySource(environment);
  }

  /** The registry of open Turnout clients, read by the actuator endpoint, health indicator and meters. */
  @Bean
  @ConditionalOnMissingBean
  TurnoutClients turnoutClients() {
    return new TurnoutClients();
  }

  /**
   * A monitor of the same source as the clients, so that the endpoint and health show the authority state
   * before any client exists.
   */
  @Bean(name = MONITOR_BEAN, initMethod = "start", destroyMethod = "close")
  AuthorityMonitor turnoutAuthorityMonitor(TurnoutProperties properties, AuthoritySource source) {
    TurnoutProperties.Authority authority = properties.getAuthority();
    boolean ours = source instanceof EnvironmentAuthoritySource || source instanceof FileAuthoritySource
        || source instanceof KafkaTopicAuthoritySource;
    if (!ours && (authority.getFile() != null || authority.holdsDocument() || authority.getTopic() != null)) {
      throw new InvalidConfigurationPropertyValueException("turnout.authority",
          authority.getFile() != null ? authority.getFile() : "document keys",
          "an AuthoritySource bean (" + source.description() + ") is defined, so turnout.authority.file and the "
              + "document keys (epoch, source, target, rule.*) are not read. Remove them or the bean.");
    }
    List<String> aliases = List.copyOf(properties.getClusters().keySet());
    long refresh = TurnoutClientConfigs.positiveMillis("turnout.authority.refresh-interval",
        authority.getRefreshInterval());
    long staleness = TurnoutClientConfigs.positiveMillis("turnout.authority.max-staleness",
        authority.getMaxStaleness());
    if (staleness <= refresh) {
      throw new InvalidConfigurationPropertyValueException("turnout.authority.max-staleness",
          authority.getMaxStaleness(), "must be longer than turnout.authority.refresh-interval ("
              + authority.getRefreshInterval() + ").");
    }
    return new AuthorityMonitor(new SharedAuthoritySource(source), aliases, Duration.ofMillis(refresh),
        Duration.ofMillis(staleness), TurnoutClientConfigs.trustedKeys(authority));
  }

  /**
   * The producer factory: {@code spring.kafka.producer.*} (and {@code spring.kafka.properties.*}) for every
   * cluster, each cluster's {@code turnout.clusters.<alias>.*} on top; transactions from
   * {@code spring.kafka.producer.transaction-id-prefix}; Spring Boot's producer factory customizers applied.
   */
  @Bean
  @ConditionalOnMissingBean(ProducerFactory.class)
  TurnoutProducerFactory<Object, Object> kafkaProducerFactory(KafkaProperties kafka, TurnoutProperties properties,
      AuthoritySource source, TurnoutClients clients,
      ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
    Map<String, Object> configs = TurnoutClientConfigs.producer(kafka, properties, new SharedAuthoritySource(source));
    TurnoutProducerFactory<Object, Object> factory = new TurnoutProducerFactory<>(configs, clients);
    String transactionIdPrefix = kafka.getProducer().getTransactionIdPrefix();
    if (transactionIdPrefix != null) {
      factory.setTransactionIdPrefix(transactionIdPrefix);
    }
    customizers.orderedStream().forEach(customizer -> customizer.customize(factory));
    log.info("Turnout routes the Kafka producers of this application between clusters {} with authority from {}",
        properties.getClusters().keySet(), source.description());
    return factory;
  }

  /**
   * The consumer factory of {@code @KafkaListener} containers: {@code spring.kafka.consumer.*} for every
   * cluster, each cluster's {@code turnout.clusters.<alias>.*} on top, and {@code turnout.consumer.*}; Spring
   * Boot's consumer factory customizers applied.
   */
  @Bean
  @ConditionalOnMissingBean(ConsumerFactory.class)
  TurnoutConsumerFactory<Object, Object> kafkaConsumerFactory(KafkaProperties kafka, TurnoutProperties properties,
      AuthoritySource source, TurnoutClients clients,
      ObjectProvider<DefaultKafkaConsumerFactoryCustomizer> customizers, ResourceLoader resourceLoader) {
    Map<String, Object> configs = TurnoutClientConfigs.consumer(kafka, properties, new SharedAuthoritySource(source),
        resourceLoader.getClassLoader());
    TurnoutConsumerFactory<Object, Object> factory = new TurnoutConsumerFactory<>(configs, clients);
    customizers.orderedStream().forEach(customizer -> customizer.customize(factory));
    return factory;
  }
}
