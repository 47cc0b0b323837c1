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

  /** Every key of Kafka type PASSWORD in the client definitions, also those no name rule would have caught. */
  @ParameterizedTest
  @ValueSource(strings = {
      "ssl.keystore.certificate.chain",
      "ssl.truststore.certificates",
      "sasl.oauthbearer.assertion.private.key.passphrase",
      "main.consumer.ssl.keystore.key",
      "turnout.cluster.onprem.sasl.jaas.config",
      "producer.override.ssl.truststore.certificates"})
  void keysOfKafkaTypePasswordAreSecretAlsoUnderAPrefix(String key) {
    assertThat(Redaction.isSecret(key)).as(key).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"password", "some.plugin.password", "db.Password", "bearer.auth.client.secret"})
  void knownSecretKeysOutsideKafkasDefinitionsAreSecret(String key) {
    assertThat(Redaction.isSecret(key)).as(key).isTrue();
  }

  /**
   * Keys that merely contain words such as token, secret, key or credential are not secrets: authority
   * document rules named after a service, and Kafka settings that are locations, URLs or algorithms.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "rule.token-service.topics",
      "rule.tokens.state",
      "rule.secrets.topic-prefix",
      "rule.api-keys.slice.canary.owner",
      "rule.credential-store.topics",
      "rule.private-orders.topics",
      "rule.user.info.topics",
      "sasl.oauthbearer.token.endpoint.url",
      "sasl.oauthbearer.jwks.endpoint.url",
      "ssl.keymanager.algorithm",
      "password.rotation.days"})
  void keysThatMerelyContainASecretWordAreShown(String key) {
    assertThat(Redaction.isSecret(key)).as(key).isFalse();
  }

  @Test
  void anAuthorityDocumentIsShownWholeWhateverItsRulesAreNamed() {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("epoch", "4");
    document.put("rule.token-service.topics", "tokens");
    document.put("rule.token-service.state", "MIRROR");
    document.put("rule.secrets.topic-prefix", "secrets.");

    assertThat(Redaction.redact(document)).containsEntry("rule.token-service.topics", "tokens")
        .containsEntry("rule.token-service.state", "MIRROR").containsEntry("rule.secrets.topic-prefix", "secrets.")
        .doesNotContainValue(Redaction.MASK);
  }

  @Test
  void credentialsInUrlsAreMaskedInEveryValue() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("schema.registry.url", "https://svc:pa55@registry-1:8081,http://other:s3cr3t@registry-2:8081/path");
    config.put("authority.endpoint", "https://token-only@authority.internal/doc");
    config.put("plain.url", "https://registry:8081");
    config.put("contact", "ops@example.com");

    Map<String, String> redacted = Redaction.redact(config);

    assertThat(redacted)
        .containsEntry("schema.registry.url", "https://[hidden]@registry-1:8081,http://[hidden]@registry-2:8081/path")
        .containsEntry("authority.endpoint", "https://[hidden]@authority.internal/doc")
        .containsEntry("plain.url", "https://registry:8081")
        .containsEntry("contact", "ops@example.com");
    assertThat(redacted.toString()).doesNotContain("pa55", "s3cr3t", "token-only");
  }

  @Test
  void shownMasksASecretKeyOrTheCredentialsOfAUrl() {
    assertThat(Redaction.shown("ssl.key.password", "k")).isEqualTo(Redaction.MASK);
    assertThat(Redaction.shown("url", "jdbc:postgresql://u:p@db/x")).isEqualTo("jdbc:postgresql://[hidden]@db/x");
    assertThat(Redaction.shown("acks", null)).isEqualTo("null");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sasl.jaas.config", "ssl.key.password"})
  void theKnownKeysAreSecretWhateverTheirCase(String key) {
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
