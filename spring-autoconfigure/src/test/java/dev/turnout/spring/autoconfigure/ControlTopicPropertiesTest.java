package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.TurnoutConfig;
import dev.turnout.source.AuthoritySource;
import dev.turnout.source.KafkaTopicAuthoritySource;
import dev.turnout.spring.TurnoutProducerFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code turnout.authority.topic}: the Kafka control topic as the shared authority source. No broker involved. */
class ControlTopicPropertiesTest {

  private static final String PASSWORD = "control-plane-secret";
  private static final String[] TURNOUT = {
      "spring.kafka.producer.key-serializer=" + StringSerializer.class.getName(),
      "spring.kafka.producer.value-serializer=" + StringSerializer.class.getName(),
      "turnout.clusters.onprem.bootstrap-servers=localhost:1",
      "turnout.clusters.onprem.properties.default.api.timeout.ms=200",
      "turnout.clusters.cloud.bootstrap-servers=localhost:2",
      "turnout.authority.topic=turnout-authority",
  };

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TurnoutAutoConfiguration.class, KafkaAutoConfiguration.class));

  @Test
  void theTopicOnAnAliasIsTheSourceOfEveryClientAndTheMonitor() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.topic-cluster=onprem").run(context -> {
      assertThat(context).hasNotFailed();
      AuthoritySource source = context.getBean(AuthoritySource.class);
      assertThat(source).isInstanceOf(KafkaTopicAuthoritySource.class);
      assertThat(source.description()).isEqualTo("topic turnout-authority of cluster onprem");
      assertThat(context.getBean(TurnoutProducerFactory.class).getConfigurationProperties()
          .get(TurnoutConfig.AUTHORITY_SOURCE)).isInstanceOf(SharedAuthoritySource.class);
    });
  }

  @Test
  void theClusterIsAnAliasOrItsOwnBootstrapServersNotBothNorNeither() {
    runner.withPropertyValues(TURNOUT).run(context -> assertThat(context).getFailure()
        .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("turnout.authority.topic-cluster").hasMessageContaining("[onprem, cloud]"));
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.topic-cluster=onprem",
        "turnout.authority.topic-bootstrap-servers=control:9092").run(context -> assertThat(context).getFailure()
        .rootCause().hasMessageContaining("set only one of turnout.authority.topic-cluster"));
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.topic-cluster=elsewhere")
        .run(context -> assertThat(context).getFailure().rootCause()
            .hasMessageContaining("cluster 'elsewhere' is not declared in turnout.clusters"));
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.topic-cluster=onprem",
        "turnout.authority.file=/etc/turnout/authority.properties").run(context -> assertThat(context).getFailure()
        .rootCause().hasMessageContaining("Use one source"));
  }

  @Test
  void aClusterOfItsOwnNeverShowsItsSecrets() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.topic-bootstrap-servers=localhost:3",
        "turnout.authority.topic-properties.default.api.timeout.ms=200",
        "turnout.authority.topic-properties.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
            + "required username=\"u\" password=\"" + PASSWORD + "\";").run(context -> {
              assertThat(context).hasNotFailed();
              AuthoritySource source = context.getBean(AuthoritySource.class);
              assertThat(source.description()).isEqualTo("topic turnout-authority of cluster localhost:3")
                  .doesNotContain(PASSWORD);
            });
  }

  @Test
  void theSharedSourceForwardsChangeNotifications() {
    AtomicInteger registered = new AtomicInteger();
    AuthoritySource delegate = new AuthoritySource() {
      @Override
      public java.util.Map<String, String> read() {
        return java.util.Map.of("epoch", "1");
      }

      @Override
      public void onChange(Runnable changed) {
        registered.incrementAndGet();
        changed.run();
      }

      @Override
      public String description() {
        return "test";
      }
    };
    AtomicInteger called = new AtomicInteger();
    new SharedAuthoritySource(delegate).onChange(called::incrementAndGet);
    assertThat(registered).hasValue(1);
    assertThat(called).hasValue(1);
  }
}
