package dev.turnout;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The Kafka consumer settings the routing consumer itself acts on, read through {@link ConsumerConfig}'s own
 * definitions: each value is parsed and validated as {@code KafkaConsumer} would ({@code enable.auto.commit=yes}
 * is a {@link org.apache.kafka.common.config.ConfigException} naming the key, not {@code false}), and an absent
 * key takes Kafka's default.
 *
 * @param group the group id on every cluster ({@code null} without one; a validation consumer's is suffixed)
 * @param autoCommit whether the consumer commits the consumed positions itself (never without a group)
 * @param autoCommitInterval {@code auto.commit.interval.ms}
 * @param patternRefresh {@code metadata.max.age.ms}: how often a pattern subscription is matched again
 * @param apiTimeout {@code default.api.timeout.ms}
 */
record ConsumerKafkaSettings(String group, boolean autoCommit, Duration autoCommitInterval, Duration patternRefresh,
    Duration apiTimeout) {

  private static final ConfigDef DEFINITIONS = ConsumerConfig.configDef();

  /** Reads the settings shared by every cluster ({@link TurnoutSettings#base}). */
  static ConsumerKafkaSettings parse(Map<String, Object> base, boolean validation) {
    String configured = (String) value(base, ConsumerConfig.GROUP_ID_CONFIG);
    String group = configured == null || configured.isBlank() ? null
        : validation ? configured + TurnoutConfig.VALIDATION_GROUP_SUFFIX : configured;
    boolean autoCommit = (Boolean) value(base, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
    return new ConsumerKafkaSettings(group, group != null && autoCommit,
        millis(base, ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG), millis(base, ConsumerConfig.METADATA_MAX_AGE_CONFIG),
        millis(base, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG));
  }

  private static Duration millis(Map<String, Object> base, String key) {
    return Duration.ofMillis(((Number) value(base, key)).longValue());
  }

  private static Object value(Map<String, Object> base, String key) {
    ConfigDef.ConfigKey definition = DEFINITIONS.configKeys().get(key);
    Object raw = base.get(key);
    Object parsed = raw == null ? definition.defaultValue : ConfigDef.parseType(key, raw, definition.type);
    if (definition.validator != null) {
      definition.validator.ensureValid(key, parsed);
    }
    return parsed;
  }
}
