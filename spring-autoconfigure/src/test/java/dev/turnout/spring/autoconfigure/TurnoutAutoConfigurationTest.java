package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.source.AuthorityRefresher;
import dev.turnout.source.AuthoritySource;
import dev.turnout.source.FileAuthoritySource;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.TurnoutConsumerFactory;
import dev.turnout.spring.TurnoutProducerFactory;
import dev.turnout.spring.actuate.TurnoutEndpoint;
import dev.turnout.spring.actuate.TurnoutHealthIndicator;
import dev.turnout.spring.actuate.TurnoutMeterBinder;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.transaction.KafkaTransactionManager;

/** Every condition of the autoconfiguration, without brokers (no client connects before its first send). */
class TurnoutAutoConfigurationTest {

  private static final String[] TURNOUT = {
      "spring.kafka.bootstrap-servers=single-cluster:9092",
      "spring.kafka.producer.acks=all",
      "spring.kafka.producer.key-serializer=" + StringSerializer.class.getName(),
      "spring.kafka.producer.value-serializer=" + StringSerializer.class.getName(),
      "spring.kafka.properties.linger.ms=7",
      "turnout.clusters.onprem.bootstrap-servers=old-1:9092,old-2:9092",
      "turnout.clusters.onprem.properties.security.protocol=SASL_SSL",
      "turnout.clusters.onprem.properties.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
          + " required username=\"u\" password=\"topsecret\";",
      "turnout.clusters.onprem.producer.properties.linger.ms=20",
      "turnout.clusters.onprem.consumer.properties.fetch.min.bytes=5",
      "turnout.clusters.cloud.bootstrap-servers=new:9092",
      "turnout.authority.epoch=1",
      "turnout.authority.source=onprem",
      "turnout.authority.target=cloud",
      "turnout.authority.rule.orders.topics=orders",
      "turnout.authority.rule.orders.state=MIRROR",
  };

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TurnoutAutoConfiguration.class, KafkaAutoConfiguration.class,
          TurnoutEndpointAutoConfiguration.class, TurnoutHealthAutoConfiguration.class,
          TurnoutMetricsAutoConfiguration.class));

  @TempDir
  Path dir;

  @Test
  void enabledSuppliesTheProducerFactoryThatKafkaTemplateUses() {
    runner.withPropertyValues(TURNOUT).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(ProducerFactory.class);
      ProducerFactory<?, ?> factory = context.getBean(ProducerFactory.class);
      assertThat(factory).isInstanceOf(TurnoutProducerFactory.class);
      assertThat(context.getBean(KafkaTemplate.class).getProducerFactory()).isSameAs(factory);
      assertThat(context).hasSingleBean(TurnoutClients.class);
      assertThat(context.getBean(AuthoritySource.class)).isInstanceOf(EnvironmentAuthoritySource.class);
      AuthorityRefresher monitor = context.getBean(TurnoutAutoConfiguration.MONITOR_BEAN, AuthorityRefresher.class);
      assertThat(monitor.map()).isNotNull();
      assertThat(monitor.map().epoch()).isEqualTo(1);
      assertThat(context).doesNotHaveBean(KafkaTransactionManager.class);
    });
  }

  @Test
  void clusterConfigsStartFromSpringKafkaAndOverridePerAlias() {
    runner.withPropertyValues(TURNOUT).run(context -> {
      Map<String, Object> config = context.getBean(TurnoutProducerFactory.class).getConfigurationProperties();
      assertThat(config).doesNotContainKey("bootstrap.servers");
      assertThat(config).containsEntry("acks", "all").containsEntry("linger.ms", "7");
      assertThat(config).containsEntry(TurnoutConfig.CLUSTERS, "onprem,cloud");
      assertThat(config).containsEntry("turnout.cluster.onprem.bootstrap.servers", "old-1:9092,old-2:9092")
          .containsEntry("turnout.cluster.onprem.security.protocol", "SASL_SSL")
          .containsEntry("turnout.cluster.onprem.linger.ms", "20")
          .containsEntry("turnout.cluster.cloud.bootstrap.servers", "new:9092")
          .doesNotContainKey("turnout.cluster.onprem.fetch.min.bytes");
      assertThat(config.get(TurnoutConfig.AUTHORITY_SOURCE)).isInstanceOf(AuthoritySource.class);
      assertThat(config).containsEntry(TurnoutConfig.AUTHORITY_REFRESH_MS, 1000L)
          .containsEntry(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 300_000L);
    });
  }

  @Test
  void theConsumerTranslationUsesConsumerOverridesOnly() {
    TurnoutProperties properties = new TurnoutProperties();
    TurnoutProperties.Cluster onprem = new TurnoutProperties.Cluster();
    onprem.setBootstrapServers(java.util.List.of("old:9092"));
    onprem.getProducer().getProperties().put("linger.ms", "20");
    onprem.getConsumer().getProperties().put("fetch.min.bytes", "5");
    properties.getClusters().put("onprem", onprem);
    Map<String, Object> spring = new HashMap<>(Map.of("bootstrap.servers", "x:1", "group.id", "g"));
    Map<String, Object> config = TurnoutClientConfigs.consumer(spring, properties, new FileAuthoritySource(dir));
    assertThat(config).containsEntry("group.id", "g").doesNotContainKey("bootstrap.servers")
        .containsEntry("turnout.cluster.onprem.fetch.min.bytes", "5")
        .doesNotContainKey("turnout.cluster.onprem.linger.ms");
  }

  @Test
  void routingProducersAreCreatedWithTheTranslatedConfigAndListedWhileOpen() {
    runner.withPropertyValues(TURNOUT).run(context -> {
      TurnoutClients clients = context.getBean(TurnoutClients.class);
      ProducerFactory<?, ?> factory = context.getBean(ProducerFactory.class);
      assertThat(clients.producers()).isEmpty();
      try (var producer = factory.createProducer()) {
        assertThat(clients.producers()).singleElement().isInstanceOf(RoutingProducer.class);
        assertThat(clients.producers().get(0).epoch()).isEqualTo(1);
      }
      ((DefaultKafkaProducerFactory<?, ?>) factory).reset();
      assertThat(clients.producers()).isEmpty();
    });
  }

  @Test
  void aTransactionIdPrefixMakesTheFactoryTransactionalForKafkaTransactionManager() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("spring.kafka.producer.transaction-id-prefix=tx-")
        .run(context -> {
          TurnoutProducerFactory<?, ?> factory = context.getBean(TurnoutProducerFactory.class);
          assertThat(factory.getTransactionIdPrefix()).isEqualTo("tx-");
          assertThat(context.getBean(KafkaTransactionManager.class).getProducerFactory()).isSameAs(factory);
        });
  }

  @Test
  void withoutTheRoutingConsumerSpringBootsConsumerFactoryStays() {
    runner.withPropertyValues(TURNOUT).withClassLoader(new FilteredClassLoader(TurnoutConsumerFactory.ROUTING_CONSUMER))
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(ConsumerFactory.class);
          assertThat(context.getBean(ConsumerFactory.class).getClass()).isEqualTo(DefaultKafkaConsumerFactory.class);
          assertThat(context).doesNotHaveBean(TurnoutConsumerFactory.class);
          assertThat(context.getBean(ProducerFactory.class)).isInstanceOf(TurnoutProducerFactory.class);
        });
  }

  @Test
  void aTurnoutConsumerFactoryNeedsTheRoutingConsumer() {
    assumeFalse(ClassUtils.isPresent(TurnoutConsumerFactory.ROUTING_CONSUMER, null), "the routing consumer is present");
    assertThatThrownBy(() -> new TurnoutConsumerFactory<>(Map.of("turnout.clusters", "onprem")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(TurnoutConsumerFactory.ROUTING_CONSUMER);
  }

  @Test
  void withTheRoutingConsumerTurnoutSuppliesTheConsumerFactoryOfListenerContainers() {
    assumeTrue(ClassUtils.isPresent(TurnoutConsumerFactory.ROUTING_CONSUMER, null), "the routing consumer is absent");
    runner.withPropertyValues(TURNOUT).withPropertyValues("spring.kafka.consumer.group-id=g").run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(ConsumerFactory.class);
      ConsumerFactory<?, ?> factory = context.getBean(ConsumerFactory.class);
      assertThat(factory).isInstanceOf(TurnoutConsumerFactory.class);
      assertThat(factory.getConfigurationProperties()).doesNotContainKey("bootstrap.servers")
          .containsEntry("group.id", "g").containsEntry("turnout.clusters", "onprem,cloud")
          .containsEntry("turnout.cluster.onprem.fetch.min.bytes", "5")
          .doesNotContainKey("turnout.cluster.onprem.linger.ms");
    });
    runner.withPropertyValues(TURNOUT).withUserConfiguration(UserConsumerFactory.class).run(context ->
        assertThat(context.getBean(ConsumerFactory.class)).isSameAs(context.getBean("userConsumerFactory")));
  }

  @Test
  void disabledLeavesSpringBootsKafkaAutoconfigurationUntouched() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.enabled=false").run(context -> {
      assertThat(context).hasNotFailed();
      ProducerFactory<?, ?> factory = context.getBean(ProducerFactory.class);
      assertThat(factory.getClass()).isEqualTo(DefaultKafkaProducerFactory.class);
      assertThat(factory.getConfigurationProperties()).containsEntry("bootstrap.servers", java.util.List.of("single-cluster:9092"))
          .doesNotContainKey(TurnoutConfig.CLUSTERS);
      assertThat(context).doesNotHaveBean(TurnoutClients.class).doesNotHaveBean(AuthoritySource.class)
          .doesNotHaveBean(AuthorityRefresher.class).doesNotHaveBean(TurnoutEndpoint.class)
          .doesNotHaveBean(TurnoutHealthIndicator.class).doesNotHaveBean(TurnoutMeterBinder.class);
    });
  }

  @Test
  void withoutTheRoutingClientOnTheClasspathTurnoutBacksOff() {
    runner.withPropertyValues(TURNOUT).withClassLoader(new FilteredClassLoader(RoutingProducer.class)).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(ProducerFactory.class).getClass()).isEqualTo(DefaultKafkaProducerFactory.class);
      assertThat(context).doesNotHaveBean(TurnoutClients.class);
    });
  }

  @Test
  void withoutSpringKafkaNothingIsDefined() {
    runner.withPropertyValues(TURNOUT).withClassLoader(new FilteredClassLoader(KafkaTemplate.class)).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(ProducerFactory.class).doesNotHaveBean(TurnoutClients.class);
    });
  }

  @Test
  void aUserDefinedProducerFactoryBacksTurnoutsOff() {
    runner.withPropertyValues(TURNOUT).withUserConfiguration(UserProducerFactory.class).run(context -> {
      assertThat(context).hasSingleBean(ProducerFactory.class);
      assertThat(context.getBean(ProducerFactory.class)).isSameAs(context.getBean("userFactory"));
      assertThat(context).doesNotHaveBean(TurnoutProducerFactory.class);
    });
  }

  @Test
  void aUserDefinedAuthoritySourceIsUsedByTheClientsAndTheMonitor() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.epoch=", "turnout.authority.source=",
            "turnout.authority.target=", "turnout.authority.rule.orders.topics=", "turnout.authority.rule.orders.state=")
        .withUserConfiguration(UserAuthoritySource.class).run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .isInstanceOf(InvalidConfigurationPropertyValueException.class)
              .hasMessageContaining("an AuthoritySource bean");
        });
    String[] withoutDocument = java.util.Arrays.stream(TURNOUT).filter(p -> !p.startsWith("turnout.authority."))
        .toArray(String[]::new);
    runner.withPropertyValues(withoutDocument).withUserConfiguration(UserAuthoritySource.class).run(context -> {
      assertThat(context).hasNotFailed();
      AuthorityRefresher monitor = context.getBean(TurnoutAutoConfiguration.MONITOR_BEAN, AuthorityRefresher.class);
      assertThat(monitor.source().description()).isEqualTo("user source");
      assertThat(monitor.map().epoch()).isEqualTo(42);
      try (var producer = context.getBean(ProducerFactory.class).createProducer()) {
        assertThat(context.getBean(TurnoutClients.class).producers().get(0).epoch()).isEqualTo(42);
      }
    });
  }

  @Test
  void aFileSourceIsUsedWhenConfigured() throws Exception {
    Path file = dir.resolve("authority.properties");
    Files.writeString(file, "epoch=5\nsource=onprem\ntarget=cloud\nrule.o.topics=orders\nrule.o.state=MIRROR\n");
    String[] withoutDocument = java.util.Arrays.stream(TURNOUT).filter(p -> !p.startsWith("turnout.authority."))
        .toArray(String[]::new);
    runner.withPropertyValues(withoutDocument).withPropertyValues("turnout.authority.file=" + file).run(context -> {
      assertThat(context.getBean(AuthoritySource.class)).isInstanceOf(FileAuthoritySource.class);
      assertThat(context.getBean(TurnoutAutoConfiguration.MONITOR_BEAN, AuthorityRefresher.class).map().epoch())
          .isEqualTo(5);
    });
  }

  @Test
  void aFileAndADocumentInTheEnvironmentIsAnError() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.file=" + dir.resolve("a.properties"))
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("turnout.authority.file").hasMessageContaining("Use one source"));
  }

  @Test
  void noClusterIsAnErrorThatSaysWhatToSet() {
    runner.withPropertyValues("turnout.authority.epoch=1").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
          .hasMessageContaining("turnout.clusters").hasMessageContaining("turnout.enabled=false");
    });
  }

  @Test
  void aClusterWithoutBootstrapServersIsAnError() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.clusters.third.properties.acks=1").run(context ->
        assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("turnout.clusters.third.bootstrap-servers"));
  }

  @Test
  void clustersOrAuthorityUnderSpringKafkaPropertiesAreAnErrorOtherTurnoutSettingsPassThrough() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("spring.kafka.properties.turnout.authority.file=/x")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("spring.kafka.properties.turnout.authority.file"));
    runner.withPropertyValues(TURNOUT).withPropertyValues("spring.kafka.properties.turnout.cluster.cloud.acks=0")
        .run(context -> assertThat(context).hasFailed());
    runner.withPropertyValues(TURNOUT)
        .withPropertyValues("spring.kafka.consumer.properties.turnout.consumer.offset.translation=mirrormaker2")
        .run(context -> assertThat(TurnoutClientConfigs.consumer(
                context.getBean(org.springframework.boot.kafka.autoconfigure.KafkaProperties.class)
                    .buildConsumerProperties(), context.getBean(TurnoutProperties.class),
                context.getBean(AuthoritySource.class)))
            .containsEntry("turnout.consumer.offset.translation", "mirrormaker2"));
  }

  @Test
  void stalenessMustExceedTheRefreshInterval() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.refresh-interval=5s",
        "turnout.authority.max-staleness=5s").run(context ->
        assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("turnout.authority.max-staleness"));
  }

  @Test
  void secretsAreNeitherInTheStartupFailureNorInTheEndpoint() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("management.endpoints.web.exposure.include=turnout")
        .run(context -> {
          assertThat(context).hasSingleBean(TurnoutEndpoint.class);
          String shown = context.getBean(TurnoutEndpoint.class).turnout().toString();
          assertThat(shown).doesNotContain("topsecret").contains("sasl.jaas.config=[hidden]")
              .contains("security.protocol=SASL_SSL").contains("old-1:9092,old-2:9092");
        });
  }

  @Test
  void theEndpointExistsOnlyWhenExposed() {
    runner.withPropertyValues(TURNOUT).run(context -> assertThat(context).doesNotHaveBean(TurnoutEndpoint.class));
    runner.withPropertyValues(TURNOUT).withPropertyValues("management.endpoints.web.exposure.include=turnout")
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.endpoint"))
        .run(context -> assertThat(context).doesNotHaveBean(TurnoutEndpoint.class));
  }

  @Test
  void theHealthIndicatorCanBeTurnedOffAndNeedsTheHealthModule() {
    runner.withPropertyValues(TURNOUT).run(context -> assertThat(context).hasSingleBean(TurnoutHealthIndicator.class));
    runner.withPropertyValues(TURNOUT).withPropertyValues("management.health.turnout.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(TurnoutHealthIndicator.class));
    runner.withPropertyValues(TURNOUT).withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
        .run(context -> assertThat(context).doesNotHaveBean(TurnoutHealthIndicator.class));
  }

  @Test
  void theMeterBinderNeedsMicrometer() {
    runner.withPropertyValues(TURNOUT).run(context -> assertThat(context).hasSingleBean(TurnoutMeterBinder.class));
    runner.withPropertyValues(TURNOUT).withClassLoader(new FilteredClassLoader(MeterBinder.class))
        .run(context -> assertThat(context).doesNotHaveBean(TurnoutMeterBinder.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class UserProducerFactory {
    @Bean
    ProducerFactory<Object, Object> userFactory() {
      return new DefaultKafkaProducerFactory<>(Map.of("bootstrap.servers", "user:9092"));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserConsumerFactory {
    @Bean
    ConsumerFactory<Object, Object> userConsumerFactory() {
      return new DefaultKafkaConsumerFactory<>(Map.of("bootstrap.servers", "user:9092"));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserAuthoritySource {
    @Bean
    AuthoritySource userSource() {
      return new AuthoritySource() {
        @Override
        public Map<String, String> read() {
          return Map.of("epoch", "42", "source", "onprem", "target", "cloud", "rule.o.topics", "orders",
              "rule.o.state", "MIRROR");
        }

        @Override
        public String description() {
          return "user source";
        }
      };
    }
  }
}
