package dev.turnout.spring.autoconfigure;

import dev.turnout.AuthorityMonitor;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.actuate.TurnoutMeterBinder;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Micrometer meters of Turnout ({@link TurnoutMeterBinder}), when Turnout is active and Micrometer is present. */
@AutoConfiguration(after = TurnoutAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(TurnoutClients.class)
public final class TurnoutMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  TurnoutMeterBinder turnoutMeterBinder(@Qualifier(TurnoutAutoConfiguration.MONITOR_BEAN) AuthorityMonitor monitor,
      TurnoutClients clients, TurnoutProperties properties) {
    return new TurnoutMeterBinder(monitor, clients, List.copyOf(properties.getClusters().keySet()));
  }
}
