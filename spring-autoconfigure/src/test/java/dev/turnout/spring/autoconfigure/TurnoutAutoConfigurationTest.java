package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.AuthorityMonitor;
import dev.turnout.RoutingConsumer;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
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
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
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
      AuthorityMonitor monitor = context.getBean(TurnoutAutoConfiguration.MONITOR_BEAN, AuthorityMonitor.class);
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
    onprem.setExpectedClusterId("onprem-id");
    properties.getClusters().put("onprem", onprem);
    KafkaProperties kafka = new KafkaProperties();
    kafka.setBootstrapServers(List.of("x:1"));
    kafka.getConsumer().setGroupId("g");
    Map<String, Object> config = TurnoutClientConfigs.consumer(kafka, properties, new FileAuthoritySource(dir),
        getClass().getClassLoader());
    assertThat(config).containsEntry("group.id", "g").doesNotContainKey("bootstrap.servers")
        .containsEntry("turnout.cluster.onprem.fetch.min.bytes", "5")
        .doesNotContainKey("turnout.cluster.onprem.linger.ms")
        .doesNotContainKey("turnout.cluster.onprem.expected.cluster.id")
        .doesNotContainKey(TurnoutConfig.CUTOVER_BARRIER).doesNotContainKey(TurnoutConfig.BREAKER_ENABLED);
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
  void turnoutSuppliesTheConsumerFactoryOfListenerContainers() {
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
  void routingConsumersAreCreatedWithTheirGroupAndListedWhileOpen() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("spring.kafka.consumer.group-id=g",
        "spring.kafka.consumer.key-deserializer=" + StringDeserializer.class.getName(),
        "spring.kafka.consumer.value-deserializer=" + StringDeserializer.class.getName()).run(context -> {
          TurnoutClients clients = context.getBean(TurnoutClients.class);
          ConsumerFactory<?, ?> factory = context.getBean(ConsumerFactory.class);
          assertThat(clients.consumers()).isEmpty();
          try (var consumer = factory.createConsumer()) {
            assertThat(consumer).isInstanceOf(RoutingConsumer.class);
            assertThat(clients.consumers()).singleElement().satisfies(open -> {
              assertThat(open.consumer()).isSameAs(consumer);
              assertThat(open.groupId()).isEqualTo("g");
            });
          }
          assertThat(clients.consumers()).isEmpty();
          // A listener's own properties override the factory's: here the validation role, with its derived group.
          java.util.Properties validation = new java.util.Properties();
          validation.put(TurnoutConfig.CONSUMER_ROLE, "validation");
          try (var consumer = factory.createConsumer("g", null, null, validation)) {
            assertThat(clients.consumers()).singleElement()
                .satisfies(open -> assertThat(open.groupId()).isEqualTo("g" + TurnoutConfig.VALIDATION_GROUP_SUFFIX));
          }
        });
  }

  @Test
  void theTypedSettingsBecomeTheRoutingClientsKeys() {
    runner.withPropertyValues(TURNOUT).withPropertyValues(
        "turnout.clusters.onprem.expected-cluster-id=onprem-cluster-id",
        "turnout.cutover.barrier=drained",
        "turnout.cutover.max-pause=5s",
        "turnout.cutover.buffer-size=4MB",
        "turnout.breaker.enabled=false",
        "turnout.breaker.failure-rate-threshold=25",
        "turnout.breaker.window-size=40",
        "turnout.breaker.minimum-calls=8",
        "turnout.breaker.open-wait=2s",
        "turnout.breaker.half-open-calls=3",
        "turnout.consumer.role=validation",
        "turnout.consumer.offset-translation=mirrormaker2",
        "turnout.consumer.offset-translation-mm2-source-alias=dc1",
        "turnout.consumer.boundary-timeout=45s",
        "turnout.consumer.unverified=rewind").run(context -> {
          assertThat(context).hasNotFailed();
          Map<String, Object> producer = context.getBean(TurnoutProducerFactory.class).getConfigurationProperties();
          assertThat(producer).containsEntry("turnout.cluster.onprem.expected.cluster.id", "onprem-cluster-id")
              .doesNotContainKey("turnout.cluster.cloud.expected.cluster.id")
              .containsEntry(TurnoutConfig.CUTOVER_BARRIER, "drained")
              .containsEntry(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 5_000L)
              .containsEntry(TurnoutConfig.CUTOVER_BUFFER_BYTES, 4L * 1024 * 1024)
              .containsEntry(TurnoutConfig.BREAKER_ENABLED, false)
              .containsEntry(TurnoutConfig.BREAKER_FAILURE_RATE_THRESHOLD, 25)
              .containsEntry(TurnoutConfig.BREAKER_WINDOW_SIZE, 40)
              .containsEntry(TurnoutConfig.BREAKER_MINIMUM_CALLS, 8)
              .containsEntry(TurnoutConfig.BREAKER_OPEN_WAIT_MS, 2_000L)
              .containsEntry(TurnoutConfig.BREAKER_HALF_OPEN_CALLS, 3)
              .doesNotContainKey(TurnoutConfig.CONSUMER_ROLE);
          Map<String, Object> consumer = context.getBean(TurnoutConsumerFactory.class).getConfigurationProperties();
          assertThat(consumer).containsEntry(TurnoutConfig.CONSUMER_ROLE, "validation")
              .containsEntry(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, "mirrormaker2")
              .containsEntry(TurnoutConfig.CONSUMER_MM2_SOURCE_ALIAS, "dc1")
              .containsEntry(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, 45_000L)
              .containsEntry(TurnoutConfig.CONSUMER_UNVERIFIED, "rewind")
              .doesNotContainKey(TurnoutConfig.CUTOVER_BARRIER);
          // The routing clients accept them: one of each is created (no broker is contacted before the first send).
          try (var p = context.getBean(ProducerFactory.class).createProducer()) {
            assertThat(context.getBean(TurnoutClients.class).producers()).hasSize(1);
          }
        });
  }

  @Test
  void theDefaultsAreTheRoutingClientsDefaults() {
    runner.withPropertyValues(TURNOUT).run(context -> {
      Map<String, Object> producer = context.getBean(TurnoutProducerFactory.class).getConfigurationProperties();
      assertThat(producer).containsEntry(TurnoutConfig.CUTOVER_BARRIER, TurnoutConfig.DEFAULT_CUTOVER_BARRIER)
          .containsEntry(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, TurnoutConfig.DEFAULT_CUTOVER_MAX_PAUSE_MS)
          .containsEntry(TurnoutConfig.CUTOVER_BUFFER_BYTES, TurnoutConfig.DEFAULT_CUTOVER_BUFFER_BYTES)
          .containsEntry(TurnoutConfig.BREAKER_ENABLED, TurnoutConfig.DEFAULT_BREAKER_ENABLED)
          .containsEntry(TurnoutConfig.BREAKER_FAILURE_RATE_THRESHOLD, TurnoutConfig.DEFAULT_BREAKER_FAILURE_RATE_THRESHOLD)
          .containsEntry(TurnoutConfig.BREAKER_WINDOW_SIZE, TurnoutConfig.DEFAULT_BREAKER_WINDOW_SIZE)
          .containsEntry(TurnoutConfig.BREAKER_MINIMUM_CALLS, TurnoutConfig.DEFAULT_BREAKER_MINIMUM_CALLS)
          .containsEntry(TurnoutConfig.BREAKER_OPEN_WAIT_MS, TurnoutConfig.DEFAULT_BREAKER_OPEN_WAIT_MS)
          .containsEntry(TurnoutConfig.BREAKER_HALF_OPEN_CALLS, TurnoutConfig.DEFAULT_BREAKER_HALF_OPEN_CALLS);
      Map<String, Object> consumer = context.getBean(TurnoutConsumerFactory.class).getConfigurationProperties();
      assertThat(consumer).containsEntry(TurnoutConfig.CONSUMER_ROLE, TurnoutConfig.CONSUMER_ROLE_PRODUCTION)
          .containsEntry(TurnoutConfig.CONSUMER_OFFSET_TRANSLATION, TurnoutConfig.DEFAULT_CONSUMER_OFFSET_TRANSLATION)
          .containsEntry(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, TurnoutConfig.DEFAULT_CONSUMER_BOUNDARY_TIMEOUT_MS)
          .containsEntry(TurnoutConfig.CONSUMER_UNVERIFIED, TurnoutConfig.CONSUMER_UNVERIFIED_FAIL)
          .doesNotContainKey(TurnoutConfig.CONSUMER_MM2_SOURCE_ALIAS);
    });
  }

  @Test
  void invalidTypedSettingsStopTheApplicationNamingTheProperty() {
    String[][] cases = {
        {"turnout.cutover.barrier=eventually", "turnout.cutover.barrier"},
        {"turnout.cutover.max-pause=0s", "turnout.cutover.max-pause"},
        {"turnout.cutover.buffer-size=0B", "turnout.cutover.buffer-size"},
        {"turnout.breaker.failure-rate-threshold=0", "turnout.breaker.failure-rate-threshold"},
        {"turnout.breaker.failure-rate-threshold=101", "turnout.breaker.failure-rate-threshold"},
        {"turnout.breaker.window-size=0", "turnout.breaker.window-size"},
        {"turnout.breaker.minimum-calls=-1", "turnout.breaker.minimum-calls"},
        {"turnout.breaker.open-wait=-1s", "turnout.breaker.open-wait"},
        {"turnout.breaker.half-open-calls=0", "turnout.breaker.half-open-calls"},
        {"turnout.clusters.onprem.expected-cluster-id= ", "turnout.clusters.onprem.expected-cluster-id"},
        {"turnout.clusters.onprem.properties.expected.cluster.id=x", "turnout.clusters.onprem.expected-cluster-id"},
        {"turnout.consumer.role=shadow", "turnout.consumer.role"},
        {"turnout.consumer.unverified=skip", "turnout.consumer.unverified"},
        {"turnout.consumer.boundary-timeout=0ms", "turnout.consumer.boundary-timeout"},
    };
    runner.withPropertyValues(TURNOUT).run(context -> assertThat(context).hasNotFailed());
    for (String[] c : cases) {
      runner.withPropertyValues(TURNOUT).withPropertyValues(c[0]).run(context -> {
        assertThat(context).as(c[0]).hasFailed();
        assertThat(context.getStartupFailure()).as(c[0]).hasStackTraceContaining(c[1]);
      });
    }
  }

  @Test
  void mirrorMaker2TranslationNeedsTheMirrorClientOnTheClasspath() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.consumer.offset-translation=mirrormaker2")
        .withClassLoader(new FilteredClassLoader("org.apache.kafka.connect.mirror")).run(context ->
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("turnout.consumer.offset-translation")
                .hasMessageContaining("connect-mirror-client"));
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
          .doesNotHaveBean(AuthorityMonitor.class).doesNotHaveBean(TurnoutEndpoint.class)
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
      AuthorityMonitor monitor = context.getBean(TurnoutAutoConfiguration.MONITOR_BEAN, AuthorityMonitor.class);
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
      assertThat(context.getBean(TurnoutAutoConfiguration.MONITOR_BEAN, AuthorityMonitor.class).map().epoch())
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
  void turnoutSettingsUnderSpringKafkaPropertiesAreAnErrorNamingTheTypedProperty() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("spring.kafka.properties.turnout.authority.file=/x")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("spring.kafka.properties.turnout.authority.file")
            .hasMessageContaining("use turnout.authority.file"));
    runner.withPropertyValues(TURNOUT).withPropertyValues("spring.kafka.properties.turnout.cluster.cloud.acks=0")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("turnout.clusters.<alias>.*"));
    runner.withPropertyValues(TURNOUT)
        .withPropertyValues("spring.kafka.producer.properties.turnout.cutover.barrier=drained")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("spring.kafka.producer.properties.turnout.cutover.barrier")
            .hasMessageContaining("use turnout.cutover.barrier"));
    runner.withPropertyValues(TURNOUT)
        .withPropertyValues("spring.kafka.consumer.properties.turnout.consumer.offset.translation=mirrormaker2")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("spring.kafka.consumer.properties.turnout.consumer.offset.translation")
            .hasMessageContaining("use turnout.consumer.offset-translation"));
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
    // Startup failures about the cluster that carries the secret, and about another setting.
    for (String bad : new String[] {"turnout.clusters.onprem.properties.expected.cluster.id=x",
        "turnout.clusters.onprem.expected-cluster-id= ", "turnout.breaker.window-size=0"}) {
      runner.withPropertyValues(TURNOUT).withPropertyValues(bad).run(context -> {
        assertThat(context).as(bad).hasFailed();
        java.io.StringWriter trace = new java.io.StringWriter();
        context.getStartupFailure().printStackTrace(new java.io.PrintWriter(trace));
        assertThat(trace.toString()).as(bad).contains("turnout.").doesNotContain("topsecret");
      });
    }
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
