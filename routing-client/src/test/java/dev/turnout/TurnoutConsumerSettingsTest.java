package dev.turnout;

import static dev.turnout.TurnoutSettingsTest.parse;
import static dev.turnout.TurnoutSettingsTest.valid;
import static dev.turnout.TurnoutSettingsTest.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.turnout.internal.consumer.OffsetTranslation;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The consumer settings ({@code turnout.consumer.*}). */
class TurnoutConsumerSettingsTest {

  private static ConfigException rejected(Map<String, Object> config) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(config).consumerOptions());
    assertThat(e).as("expected a ConfigException for %s", config).isNotNull();
    return e;
  }

  @Test
  void defaults() {
    TurnoutSettings.ConsumerOptions options = parse(valid()).consumerOptions();
    assertThat(options.validation()).isFalse();
    assertThat(options.translation()).isEqualTo(OffsetTranslation.TIMESTAMP);
    assertThat(options.mm2SourceAlias()).isNull();
    assertThat(options.boundaryTimeoutMillis()).isEqualTo(TurnoutConfig.DEFAULT_CONSUMER_BOUNDARY_TIMEOUT_MS);
    assertThat(options.rewind()).isFalse();
    assertThat(options.dedupeWindow()).isEqualTo(TurnoutConfig.DEFAULT_CONSUMER_DEDUPE_WINDOW).isEqualTo(100_000);
  }

  @Test
  void theDedupeWindowTakesZeroToDisableAndRejectsNegativeOrHugeValuesNamingTheKey() {
    assertThat(parse(with(valid(), "turnout.consumer.dedupe.window", "0")).consumerOptions().dedupeWindow()).isZero();
    assertThat(parse(with(valid(), "turnout.consumer.dedupe.window", "2500")).consumerOptions().dedupeWindow())
        .isEqualTo(2500);
    assertThat(rejected(with(valid(), "turnout.consumer.dedupe.window", "-1")))
        .hasMessageContaining("turnout.consumer.dedupe.window").hasMessageContaining("from 0 to 10000000");
    assertThat(rejected(with(valid(), "turnout.consumer.dedupe.window", "10000001")))
        .hasMessageContaining("turnout.consumer.dedupe.window");
    assertThat(rejected(with(valid(), "turnout.consumer.dedupe.window", "many")))
        .hasMessageContaining("turnout.consumer.dedupe.window");
  }

  @Test
  void everyKeyIsReadCaseInsensitivelyWhereItNamesAChoice() {
    TurnoutSettings.ConsumerOptions options = parse(with(valid(), "turnout.consumer.role", "Validation",
        "turnout.consumer.offset.translation", " MirrorMaker2 ", "turnout.consumer.offset.translation.mm2.source.alias",
        "dc1", "turnout.consumer.boundary.timeout.ms", "2500", "turnout.consumer.unverified", "REWIND")).consumerOptions();
    assertThat(options.validation()).isTrue();
    assertThat(options.translation()).isEqualTo(OffsetTranslation.MIRRORMAKER2);
    assertThat(options.mm2SourceAlias()).isEqualTo("dc1");
    assertThat(options.boundaryTimeoutMillis()).isEqualTo(2500);
    assertThat(options.rewind()).isTrue();
    assertThat(parse(with(valid(), "turnout.consumer.offset.translation", "identity")).consumerOptions().translation())
        .isEqualTo(OffsetTranslation.IDENTITY);
  }

  @Test
  void theProducerAcceptsTheConsumerKeysSoThatOneConfigurationCanServeBoth() {
    assertThat(parse(with(valid(), "turnout.consumer.role", "validation")).clusters).containsExactly("onprem", "cloud");
  }

  @Test
  void anUnknownRole() {
    assertThat(rejected(with(valid(), "turnout.consumer.role", "observer"))).hasMessageContaining("turnout.consumer.role")
        .hasMessageContaining("production or validation");
  }

  @Test
  void anUnknownTranslation() {
    assertThat(rejected(with(valid(), "turnout.consumer.offset.translation", "mm2")))
        .hasMessageContaining("turnout.consumer.offset.translation").hasMessageContaining("identity, mirrormaker2, timestamp");
  }

  @Test
  void anUnknownUnverifiedPolicy() {
    assertThat(rejected(with(valid(), "turnout.consumer.unverified", "skip")))
        .hasMessageContaining("turnout.consumer.unverified").hasMessageContaining("fail or rewind");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "soon"})
  void anInvalidBoundaryTimeout(String value) {
    assertThat(rejected(with(valid(), "turnout.consumer.boundary.timeout.ms", value)))
        .hasMessageContaining("turnout.consumer.boundary.timeout.ms");
  }

  @ParameterizedTest
  @ValueSource(strings = {"group.id", "enable.auto.commit", "group.protocol"})
  void groupSettingsCannotDifferPerCluster(String key) {
    assertThat(rejected(with(valid(), "turnout.cluster.cloud." + key, "x")))
        .hasMessageContaining("turnout.cluster.cloud." + key).hasMessageContaining("same on every cluster");
  }
}
