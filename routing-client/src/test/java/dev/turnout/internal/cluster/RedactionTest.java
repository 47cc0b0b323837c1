package dev.turnout.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactionTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "sasl.jaas.config",
      "ssl.keystore.password",
      "ssl.key.password",
      "ssl.truststore.password",
      "ssl.keystore.key",
      "sasl.oauthbearer.client.credentials.client.secret",
      "listener.name.sasl_ssl.plain.sasl.jaas.config",
      "SASL.JAAS.CONFIG",
      "Ssl.Key.Password",
      "bearer.auth.token",
      "schema.registry.ssl.keystore.password"})
  void secretKeysAreSecret(String key) {
    assertThat(Redaction.isSecret(key)).as(key).isTrue();
  }

  /**
   * Confluent serializers read {@code basic.auth.user.info} ({@code user:password}) from the producer
   * configuration, which Turnout passes to every cluster's client; its value is a credential.
   */
  @ParameterizedTest
  @ValueSource(strings = {"basic.auth.user.info", "schema.registry.basic.auth.user.info"})
  void basicAuthUserInfoIsSecret(String key) {
    assertThat(Redaction.isSecret(key)).as(key).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "bootstrap.servers",
      "acks",
      "client.id",
      "security.protocol",
      "sasl.mechanism",
      "ssl.truststore.location",
      "ssl.keystore.location",
      "ssl.keystore.type",
      "key.serializer",
      "value.serializer",
      "compression.type",
      "linger.ms",
      "enable.idempotence",
      "ssl.endpoint.identification.algorithm"})
  void ordinarySettingsAreNotSecret(String key) {
    assertThat(Redaction.isSecret(key)).as(key).isFalse();
  }

  @Test
  void redactMasksSecretValuesAndKeepsTheRest() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"s3cr3t\";");
    config.put("ssl.key.password", "k3y-pass");
    config.put("bootstrap.servers", "onprem-1:9093,onprem-2:9093");
    config.put("acks", "all");
    config.put("linger.ms", 5);

    Map<String, String> redacted = Redaction.redact(config);

    assertThat(redacted)
        .containsEntry("sasl.jaas.config", Redaction.MASK)
        .containsEntry("ssl.key.password", Redaction.MASK)
        .containsEntry("bootstrap.servers", "onprem-1:9093,onprem-2:9093")
        .containsEntry("acks", "all")
        .containsEntry("linger.ms", "5")
        .hasSize(5);
    assertThat(redacted.toString()).doesNotContain("s3cr3t").doesNotContain("k3y-pass");
  }

  @Test
  void redactSortsKeysAndDoesNotChangeTheInput() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("ssl.truststore.password", "tp");
    config.put("acks", "1");
    config.put("bootstrap.servers", "b:9092");

    Map<String, String> redacted = Redaction.redact(config);

    assertThat(redacted.keySet()).containsExactly("acks", "bootstrap.servers", "ssl.truststore.password");
    assertThat(config).containsEntry("ssl.truststore.password", "tp");
  }

  @Test
  void redactMasksSecretsEvenWhenTheirValueIsNull() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("ssl.keystore.password", null);
    config.put("acks", null);

    Map<String, String> redacted = Redaction.redact(config);

    assertThat(redacted).containsEntry("ssl.keystore.password", Redaction.MASK).containsEntry("acks", "null");
  }
}
