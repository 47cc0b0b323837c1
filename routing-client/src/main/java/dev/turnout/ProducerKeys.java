package dev.turnout;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * The Kafka producer settings Turnout itself reads ({@code client.id}, {@code transactional.id},
 * {@code max.block.ms}, the serializer classes), parsed and validated with {@link ProducerConfig}'s own
 * definitions, as {@code KafkaProducer} does. The serializers are optional here: they may be given to the
 * constructor as instances. The other settings are left to each cluster's {@code KafkaProducer}.
 */
final class ProducerKeys extends AbstractConfig {

  private static final List<String> KEYS = List.of(ProducerConfig.CLIENT_ID_CONFIG,
      ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.MAX_BLOCK_MS_CONFIG,
      ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
  private static final ConfigDef DEFINITION = define();

  private ProducerKeys(Map<String, Object> config) {
    super(DEFINITION, config, false);
  }

  /** Parses the keys of {@code config} (the settings outside {@code turnout.*}) that Turnout reads. */
  static ProducerKeys parse(Map<String, Object> config) {
    Map<String, Object> own = new java.util.HashMap<>();
    for (String key : KEYS) {
      if (config.get(key) != null) {
        own.put(key, config.get(key));
      }
    }
    return new ProducerKeys(own);
  }

  private static ConfigDef define() {
    Map<String, ConfigKey> producer = ProducerConfig.configDef().configKeys();
    ConfigDef def = new ConfigDef();
    for (String name : KEYS) {
      ConfigKey key = producer.get(name);
      Object defaultValue = key.hasDefault() ? key.defaultValue : null;
      def.define(name, key.type, defaultValue, key.validator, key.importance, key.documentation);
    }
    return def;
  }

  /** {@code client.id}, or {@code null} when unset or blank. */
  String clientId() {
    String id = getString(ProducerConfig.CLIENT_ID_CONFIG);
    return id == null || id.isBlank() ? null : id;
  }

  /** {@code transactional.id}, or {@code null}. */
  String transactionalId() {
    return getString(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
  }

  long maxBlockMillis() {
    return getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG);
  }

  /** {@code key.serializer}, or {@code null} when unset. */
  Class<?> keySerializer() {
    return getClass(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
  }

  /** {@code value.serializer}, or {@code null} when unset. */
  Class<?> valueSerializer() {
    return getClass(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
  }
}
