package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.turnout.authority.DocumentSignatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code turnout.authority.trusted.keys}: entries read as keys, and errors that name the entry, not the key. */
class TrustedKeysTest {

  private static final KeyPair ONE = generate("Ed25519");
  private static final KeyPair TWO = generate("Ed25519");

  @TempDir
  Path dir;

  static KeyPair generate(String algorithm) {
    try {
      return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String base64(java.security.Key key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  static String pem(String label, java.security.Key key) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(key.getEncoded()) + "\n-----END " + label + "-----\n";
  }

  private TurnoutConfigException error(Object entries) {
    TurnoutConfigException e = catchThrowableOfType(TurnoutConfigException.class,
        () -> TrustedKeys.read(entries instanceof String s ? Arrays.asList(s.split(",", -1)) : (List<?>) entries));
    assertThat(e).as("rejected: %s", entries).isNotNull();
    assertThat(e.key()).isEqualTo(TurnoutConfig.AUTHORITY_TRUSTED_KEYS);
    assertThat(e.value()).as("no value is shown").isNull();
    return e;
  }

  @Test
  void entriesAreBase64KeysOrPathsOfPemOrBase64Files() throws Exception {
    Path pemFile = Files.writeString(dir.resolve("two.pem"), pem("PUBLIC KEY", TWO.getPublic()));
    Path bareFile = Files.writeString(dir.resolve("one.pub"), base64(ONE.getPublic()) + "\n");

    assertThat(TrustedKeys.read(List.of(" " + base64(ONE.getPublic()) + " ", pemFile.toString())))
        .containsExactly(ONE.getPublic(), TWO.getPublic());
    assertThat(TrustedKeys.read(List.of(bareFile.toString(), base64(ONE.getPublic()))))
        .as("the same key twice counts once").containsExactly(ONE.getPublic());
    assertThat(TrustedKeys.read(null)).isEmpty();
    assertThat(TrustedKeys.read(List.of())).isEmpty();
  }

  @Test
  void aBlankEntryIsNamedByItsPosition() {
    assertThat(error(base64(ONE.getPublic()) + ", ").reason()).startsWith("entry 2 is empty");
  }

  @Test
  void anEntryThatIsNeitherAFileNorAKeyIsNamedWithoutItsValue() {
    String rsa = base64(generate("RSA").getPublic());
    TurnoutConfigException e = error(List.of(base64(ONE.getPublic()), rsa));

    assertThat(e.reason()).startsWith("entry 2 is neither the path of an existing file nor an Ed25519 public key")
        .contains("Give the base64 of the key's X.509 encoding or the path of its PEM file");
    assertThat(e.getMessage()).doesNotContain(rsa.substring(0, 24)).contains(TurnoutConfig.AUTHORITY_TRUSTED_KEYS);
    assertThat(error(List.of(dir.resolve("missing.pem").toString())).reason())
        .startsWith("entry 1 is neither the path of an existing file");
  }

  @Test
  void aFileThatDoesNotHoldAPublicKeyIsNamedWithItsPathButNotItsContent() throws Exception {
    Path privateFile = Files.writeString(dir.resolve("signer.pem"), pem("PRIVATE KEY", ONE.getPrivate()));
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello");

    TurnoutConfigException e = error(List.of(privateFile.toString()));

    assertThat(e.reason()).startsWith("entry 1: the file " + privateFile.toAbsolutePath()
        + " does not hold an Ed25519 public key").contains("this is a private key");
    assertThat(e.getMessage()).doesNotContain(base64(ONE.getPrivate()).substring(0, 24));
    assertThat(error(List.of(base64(TWO.getPublic()), garbage.toString())).reason()).startsWith("entry 2: the file");
  }

  @Test
  void theClientsRejectAnInvalidEntryAtConstructionAndValidationNamingTheKey() {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", "localhost:1");
    config.put("turnout.cluster.cloud.bootstrap.servers", "localhost:2");
    config.put(TurnoutConfig.AUTHORITY_FILE, dir.resolve("authority.properties").toString());
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());
    config.put(TurnoutConfig.AUTHORITY_TRUSTED_KEYS, base64(ONE.getPublic()) + ",not-a-key");

    for (Runnable construction : List.<Runnable>of(() -> TurnoutConfig.validateProducerConfig(config),
        () -> new RoutingProducer<String, String>(config).close())) {
      TurnoutConfigException e = catchThrowableOfType(TurnoutConfigException.class, construction::run);
      assertThat(e.key()).isEqualTo(TurnoutConfig.AUTHORITY_TRUSTED_KEYS);
      assertThat(e.getMessage()).startsWith("Invalid configuration turnout.authority.trusted.keys: entry 2 is "
          + "neither the path of an existing file nor an Ed25519 public key");
    }
    config.put(TurnoutConfig.AUTHORITY_TRUSTED_KEYS, List.of(base64(ONE.getPublic())));
    TurnoutConfig.validateProducerConfig(config);
    assertThat(DocumentSignatures.keyId(TrustedKeys.read(List.of(base64(ONE.getPublic()))).get(0)))
        .isEqualTo(DocumentSignatures.keyId(ONE.getPublic()));
  }
}
