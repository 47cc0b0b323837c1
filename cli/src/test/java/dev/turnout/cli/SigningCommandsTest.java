package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.DocumentSignatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningCommandsTest {

  @TempDir
  Path dir;

  @Test
  void keygenSignAndValidateWithTrustedKeysRoundTrip() throws Exception {
    String prefix = dir.resolve("ops").toString();
    Cli keygen = Cli.run("keygen", "--out", prefix);
    assertThat(keygen.status()).as(keygen.toString()).isEqualTo(ExitCodes.OK);
    String keyId = DocumentSignatures.keyId(DocumentSignatures.publicKey(Files.readString(Path.of(prefix + ".pub.pem"))));
    assertThat(keygen.out()).contains("key id " + keyId);
    assertThat(Files.readString(Path.of(prefix + ".pem"))).startsWith("-----BEGIN PRIVATE KEY-----");

    Path document = Cli.write(dir, "a.properties", ValidateCommandTest.VALID);
    Path signed = dir.resolve("signed.properties");
    Cli sign = Cli.run("sign", document.toString(), "--key", prefix + ".pem", "--out", signed.toString());
    assertThat(sign.status()).as(sign.toString()).isEqualTo(ExitCodes.OK);

    List<String> lines = Files.readAllLines(signed);
    assertThat(lines).isSorted().contains("signature.key-id=" + keyId, "epoch=3");
    Cli valid = Cli.run("validate", "--trusted-keys", prefix + ".pub.pem", signed.toString());
    assertThat(valid.status()).as(valid.toString()).isEqualTo(ExitCodes.OK);
    assertThat(valid.out()).contains("signature by key " + keyId + " verified");

    Files.writeString(signed, Files.readString(signed).replace("0-999", "0-998").replace("1000-9999", "999-9999"));
    Cli altered = Cli.run("validate", "--trusted-keys", prefix + ".pub.pem", signed.toString());
    assertThat(altered.status()).isEqualTo(ExitCodes.RED);
    assertThat(altered.out()).contains("BAD_SIGNATURE");

    Cli unsigned = Cli.run("validate", "--trusted-keys", prefix + ".pub.pem", document.toString());
    assertThat(unsigned.status()).isEqualTo(ExitCodes.RED);
    assertThat(unsigned.out()).contains("UNSIGNED");
  }

  @Test
  void keygenRefusesToOverwrite() throws Exception {
    String prefix = dir.resolve("ops").toString();
    Files.writeString(Path.of(prefix + ".pub.pem"), "keep me");

    Cli result = Cli.run("keygen", "--out", prefix, "--json");

    assertThat(result.status()).isEqualTo(ExitCodes.RED);
    assertThat(result.err()).contains("ops.pub.pem exists already");
    assertThat(Files.readString(Path.of(prefix + ".pub.pem"))).isEqualTo("keep me");
    assertThat(Files.exists(Path.of(prefix + ".pem"))).isFalse();
  }

  @Test
  void keygenJsonParses() {
    Cli result = Cli.run("keygen", "--out", dir.resolve("k").toString(), "--json");

    assertThat(result.json().get("keyId").asText()).hasSize(16);
  }

  @Test
  void signWithoutOutWritesTheSignedDocumentToStandardOutput() {
    Cli.run("keygen", "--out", dir.resolve("k").toString());
    Path document = Cli.write(dir, "a.properties", ValidateCommandTest.VALID);

    Cli result = Cli.run("sign", document.toString(), "--key", dir.resolve("k.pem").toString());

    assertThat(result.status()).isEqualTo(ExitCodes.OK);
    assertThat(result.out()).contains("signature.value=").contains("rule.orders.state=WRITE_PROMOTION");
  }

  @Test
  void aKeyThatIsNotAPrivateKeyIsAUsageErrorWithoutItsContent() throws Exception {
    Cli.run("keygen", "--out", dir.resolve("k").toString());
    Path document = Cli.write(dir, "a.properties", ValidateCommandTest.VALID);

    Cli result = Cli.run("sign", document.toString(), "--key", dir.resolve("k.pub.pem").toString());

    assertThat(result.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("k.pub.pem is expected PEM").contains("PRIVATE KEY")
        .doesNotContain(Files.readString(dir.resolve("k.pub.pem")).lines().skip(1).findFirst().orElseThrow());
  }
}
