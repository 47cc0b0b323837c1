package dev.turnout.internal.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

/** The principal a configuration authenticates as: never a secret. */
class PrincipalsTest {

  private static final String SECRET = "s3cr3t-Pa55";

  @Test
  void plaintextIsAnonymous() {
    assertThat(Principals.of(Map.of())).isEqualTo("ANONYMOUS");
    assertThat(Principals.of(Map.of("security.protocol", "PLAINTEXT", "sasl.jaas.config",
        "x required username=\"alice\" password=\"" + SECRET + "\";"))).isEqualTo("ANONYMOUS");
  }

  @Test
  void saslGivesTheUsernameOfTheJaasConfigurationAndNothingElse() {
    String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"" + SECRET
        + "\" username=\"alice\";";

    String principal = Principals.of(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", new Password(jaas)));

    assertThat(principal).isEqualTo("User:alice").doesNotContain(SECRET).doesNotContain("PlainLoginModule");
  }

  @Test
  void aPasswordFieldThatLooksLikeAUsernameIsNotTaken() {
    String jaas = "x required password=\"username=\\\"" + SECRET + "\\\"\" username=\"bob\";";

    assertThat(Principals.of(Map.of("security.protocol", "sasl_plaintext", "sasl.jaas.config", jaas)))
        .isEqualTo("User:bob");
  }

  @Test
  void textInsideAQuotedPasswordIsNeverTakenForTheUsername() {
    String jaas = "x required password=\"" + SECRET + " username=\" username=\"carol\";";

    assertThat(Principals.of(Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", jaas)))
        .isEqualTo("User:carol");
    assertThat(Principals.of(Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config",
        "x required username=dave password=\"" + SECRET + "\";"))).isEqualTo("User:dave");
  }

  @Test
  void saslWithoutAUsernameGivesTheMechanism() {
    assertThat(Principals.of(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "OAUTHBEARER",
        "sasl.jaas.config", "x required clientSecret=\"" + SECRET + "\";"))).isEqualTo("SASL/OAUTHBEARER");
    assertThat(Principals.of(Map.of("security.protocol", "SASL_PLAINTEXT"))).isEqualTo("SASL/GSSAPI");
  }

  @Test
  void sslWithoutAKeystoreIsAnonymousAndAnUnreadableKeystoreIsNamedByItsFile() {
    assertThat(Principals.of(Map.of("security.protocol", "SSL", "ssl.truststore.password", SECRET)))
        .isEqualTo("ANONYMOUS");
    assertThat(Principals.of(Map.of("security.protocol", "SSL", "ssl.keystore.location", "/no/such/client.p12",
        "ssl.keystore.password", SECRET))).isEqualTo("SSL:client.p12");
  }
}
