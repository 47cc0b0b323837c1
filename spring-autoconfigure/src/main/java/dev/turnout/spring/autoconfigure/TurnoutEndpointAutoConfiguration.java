package dev.turnout.spring.autoconfigure;

import dev.turnout.AuthorityMonitor;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.TurnoutConsumerFactory;
import dev.turnout.spring.TurnoutProducerFactory;
import dev.turnout.spring.actuate.TurnoutEndpoint;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The actuator endpoint {@code turnout} (read-only), when Turnout is active, the actuator is on the
 * classpath and the endpoint is available (exposed and enabled, e.g.
 * {@code management.endpoints.web.exposure.include=health,turnout}).
 */
@AutoConfiguration(after = TurnoutAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(TurnoutClients.class)
public final class TurnoutEndpointAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  TurnoutEndpoint turnoutEndpoint(@Qualifier(TurnoutAutoConfiguration.MONITOR_BEAN) AuthorityMonitor monitor,
      TurnoutClients clients, ObjectProvider<ProducerFactory<?, ?>> producerFactory,
      ObjectProvider<ConsumerFactory<?, ?>> consumerFactory) {
    Map<String, Object> producers = producerFactory.getIfUnique() instanceof TurnoutProducerFactory<?, ?> turnout
        ? turnout.getConfigurationProperties() : Map.of();
    Map<String, Object> consumers = consumerFactory.getIfUnique() instanceof TurnoutConsumerFactory<?, ?> turnout
        ? turnout.getConfigurationProperties() : Map.of();
    return new TurnoutEndpoint(monitor, clients, producers, consumers);
  }
}
