package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.TurnoutConfig;
import dev.turnout.spring.TurnoutConsumerFactory;
import dev.turnout.spring.TurnoutProducerFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.ProducerFactory;

/** {@code turnout.authority.cache-file}: the last-known-good cache of every routing client. */
class AuthorityCacheFileTest {

  private static final String[] TURNOUT = {
      "spring.kafka.producer.key-serializer=" + StringSerializer.class.getName(),
      "spring.kafka.producer.value-serializer=" + StringSerializer.class.getName(),
      "turnout.clusters.onprem.bootstrap-servers=old-1:9092",
      "turnout.clusters.cloud.bootstrap-servers=new:9092",
  };

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TurnoutAutoConfiguration.class, KafkaAutoConfiguration.class));

  @TempDir
  Path dir;

  @Test
  void theCacheFileReachesEveryClientAndTheProducerWritesIt() {
    Path cache = dir.resolve("authority.cache");
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.epoch=7", "turnout.authority.source=onprem",
        "turnout.authority.target=cloud", "turnout.authority.rule.orders.topics=orders",
        "turnout.authority.rule.orders.state=MIRROR", "turnout.authority.cache-file=" + cache).run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(TurnoutProducerFactory.class).getConfigurationProperties())
              .containsEntry(TurnoutConfig.AUTHORITY_CACHE_FILE, cache.toString());
          assertThat(context.getBean(TurnoutConsumerFactory.class).getConfigurationProperties())
              .containsEntry(TurnoutConfig.AUTHORITY_CACHE_FILE, cache.toString());
          try (var producer = context.getBean(ProducerFactory.class).createProducer()) {
            assertThat(Files.readString(cache, StandardCharsets.UTF_8)).contains("\nepoch=7\n",
                "rule.orders.state=MIRROR");
          }
        });
  }

  @Test
  void withoutTheCacheFileTheClientsHaveNoCache() {
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.epoch=1", "turnout.authority.source=onprem",
        "turnout.authority.target=cloud", "turnout.authority.rule.orders.topics=orders",
        "turnout.authority.rule.orders.state=MIRROR").run(context ->
        assertThat(context.getBean(TurnoutProducerFactory.class).getConfigurationProperties())
            .doesNotContainKey(TurnoutConfig.AUTHORITY_CACHE_FILE));
  }

  @Test
  void theAuthorityFileItselfIsNotACache() throws Exception {
    Path file = dir.resolve("authority.properties");
    Files.writeString(file, "epoch=5\nsource=onprem\ntarget=cloud\nrule.o.topics=orders\nrule.o.state=MIRROR\n");
    runner.withPropertyValues(TURNOUT).withPropertyValues("turnout.authority.file=" + file,
        "turnout.authority.cache-file=" + file).run(context ->
        assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("turnout.authority.cache-file")
            .hasMessageContaining("it is turnout.authority.file itself"));
  }
}
