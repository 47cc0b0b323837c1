package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.AuthorityMonitor;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.DocumentSignatures;
import dev.turnout.spring.TurnoutProducerFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The authority document held in the Spring Environment: it names only the declared aliases, and with
 * {@code turnout.authority.trusted-keys} it is installed only when signed, by the monitor as by the clients.
 */
class SignedAuthorityDocumentTest {

  private static final List<String> CLUSTERS = List.of("onprem", "cloud");
  private static final KeyPair SIGNER = generate();

  private final StandardEnvironment environment = new StandardEnvironment();
  private final Map<String, Object> values = new HashMap<>();

  SignedAuthorityDocumentTest() {
    environment.getPropertySources().addFirst(new MapPropertySource("test", values));
  }

  private static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> doc(long epoch, String... extra) {
    Map<String, String> doc = new LinkedHashMap<>();
    doc.put("epoch", Long.toString(epoch));
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    doc.put("rule.orders.topics", "orders");
    doc.put("rule.orders.state", "MIRROR");
    for (int i = 0; i < extra.length; i += 2) {
      doc.put(extra[i], extra[i + 1]);
    }
    return doc;
  }

  /** Replaces the document held in the Environment. */
  private void hold(Map<String, String> document) {
    values.keySet().removeIf(k -> k.startsWith("turnout.authority."));
    document.forEach((k, v) -> values.put("turnout.authority." + k, v));
  }

  private AuthorityMonitor monitor(List<java.security.PublicKey> trusted) {
    return new AuthorityMonitor(new EnvironmentAuthoritySource(environment), CLUSTERS, Duration.ofMinutes(1),
        Duration.ofMinutes(5), trusted);
  }

  @Test
  void aDocumentInTheEnvironmentNamingAnUndeclaredEndpointIsRejected() {
    try (AuthorityMonitor monitor = monitor(List.of())) {
      hold(doc(1));
      assertThat(monitor.refresh()).isTrue();

      Object[][] hostile = {
          {doc(2, "target", "aws"), DocumentProblem.Kind.UNKNOWN_CLUSTER},
          {doc(3, "rule.orders.target", "aws-broker.example:9092"), DocumentProblem.Kind.UNKNOWN_CLUSTER},
          {doc(4, "cluster.aws.bootstrap-servers", "aws-broker.example:9092"), DocumentProblem.Kind.UNKNOWN_KEY},
      };
      for (Object[] c : hostile) {
        @SuppressWarnings("unchecked")
        Map<String, String> document = (Map<String, String>) c[0];
        hold(document);
        assertThat(monitor.refresh()).as("%s", document).isFalse();
        assertThat(monitor.rejectionProblems()).as("%s", document).extracting(DocumentProblem::kind)
            .containsExactly((DocumentProblem.Kind) c[1]);
        assertThat(monitor.epoch()).as("the map in force stays").isEqualTo(1);
      }
    }
  }

  @Test
  void aSignedDocumentInTheEnvironmentIsInstalledAndAnAlteredOneRejected() {
    Map<String, String> signed = DocumentSignatures.sign(doc(1), SIGNER.getPrivate());
    try (AuthorityMonitor monitor = monitor(List.of(SIGNER.getPublic()))) {
      hold(doc(1));
      assertThat(monitor.refresh()).isFalse();
      assertThat(monitor.rejectionProblems()).extracting(DocumentProblem::kind)
          .containsExactly(DocumentProblem.Kind.UNSIGNED);

      hold(signed);
      values.put("turnout.authority.trusted-keys", "a setting,not a document key");
      assertThat(monitor.refresh()).as("the settings under turnout.authority are not signed content").isTrue();
      assertThat(monitor.epoch()).isEqualTo(1);

      Map<String, String> altered = new LinkedHashMap<>(signed);
      altered.put("epoch", "2");
      altered.put("rule.orders.state", "TARGET_AUTHORITY");
      hold(altered);
      assertThat(monitor.refresh()).isFalse();
      assertThat(monitor.rejectionProblems()).extracting(DocumentProblem::kind)
          .containsExactly(DocumentProblem.Kind.BAD_SIGNATURE);
      assertThat(monitor.epoch()).isEqualTo(1);
    }
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TurnoutAutoConfiguration.class, KafkaAutoConfiguration.class));

  private static String[] properties(String... more) {
    List<String> all = new ArrayList<>(List.of(
        "spring.kafka.producer.key-serializer=" + StringSerializer.class.getName(),
        "spring.kafka.producer.value-serializer=" + StringSerializer.class.getName(),
        "turnout.clusters.onprem.bootstrap-servers=old:9092",
        "turnout.clusters.cloud.bootstrap-servers=new:9092"));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static String[] document(Map<String, String> document) {
    return document.entrySet().stream().map(e -> "turnout.authority." + e.getKey() + "=" + e.getValue())
        .toArray(String[]::new);
  }

  @Test
  void trustedKeysReachTheMonitorAndTheClients() {
    String key = Base64.getEncoder().encodeToString(SIGNER.getPublic().getEncoded());
    runner.withPropertyValues(properties("turnout.authority.trusted-keys=" + key)).withPropertyValues(document(doc(1)))
        .run(context -> {
          assertThat(context).hasNotFailed();
          AuthorityMonitor monitor = context.getBean(TurnoutAutoConfiguration.MONITOR_BEAN, AuthorityMonitor.class);
          assertThat(monitor.map()).as("unsigned").isNull();
          assertThat(monitor.rejectionProblems()).extracting(DocumentProblem::kind)
              .containsExactly(DocumentProblem.Kind.UNSIGNED);
          assertThat(context.getBean(TurnoutProducerFactory.class).getConfigurationProperties())
              .containsEntry(TurnoutConfig.AUTHORITY_TRUSTED_KEYS, List.of(key));
        });
    runner.withPropertyValues(properties("turnout.authority.trusted-keys=" + key))
        .withPropertyValues(document(DocumentSignatures.sign(doc(1), SIGNER.getPrivate()))).run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(TurnoutAutoConfiguration.MONITOR_BEAN, AuthorityMonitor.class).epoch())
              .isEqualTo(1);
        });
    runner.withPropertyValues(properties()).withPropertyValues(document(doc(1))).run(context ->
        assertThat(context.getBean(TurnoutProducerFactory.class).getConfigurationProperties())
            .doesNotContainKey(TurnoutConfig.AUTHORITY_TRUSTED_KEYS));
  }

  @Test
  void anInvalidTrustedKeyStopsTheApplicationNamingThePropertyAndTheEntry() {
    String key = Base64.getEncoder().encodeToString(SIGNER.getPublic().getEncoded());
    runner.withPropertyValues(properties("turnout.authority.trusted-keys=" + key + ",bm90IGEga2V5"))
        .withPropertyValues(document(doc(1))).run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .isInstanceOf(InvalidConfigurationPropertyValueException.class)
              .hasMessageContaining("turnout.authority.trusted-keys")
              .hasMessageContaining("entry 2 is neither the path of an existing file nor an Ed25519 public key")
              .hasMessageNotContaining(key.substring(0, 24));
        });
  }
}
