package dev.turnout.spring.autoconfigure;

import dev.turnout.AuthorityMonitor;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.actuate.TurnoutHealthIndicator;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The health indicator {@code turnout} (OUT_OF_SERVICE while routing fails closed), when Turnout is active
 * and {@code management.health.turnout.enabled} is not false.
 */
@AutoConfiguration(after = TurnoutAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(TurnoutClients.class)
public final class TurnoutHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "turnoutHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("turnout")
  TurnoutHealthIndicator turnoutHealthIndicator(
      @Qualifier(TurnoutAutoConfiguration.MONITOR_BEAN) AuthorityMonitor monitor, TurnoutClients clients) {
    return new TurnoutHealthIndicator(monitor, clients);
  }
}
