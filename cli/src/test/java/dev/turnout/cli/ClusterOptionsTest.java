package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterOptionsTest {

  private static final String SECRET = "jaas-Pa55w0rd-5e1f";

  @TempDir
  Path dir;

  @Test
  void aRejectedClientConfigIsAUsageErrorThatNeverShowsTheFilesSecrets() {
    Path config = Cli.write(dir, "client.properties", "bootstrap.servers=localhost:1", "security.protocol=BOGUS",
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" "
            + "password=\"" + SECRET + "\";");

    Cli result = Cli.run("status", "--topic", "t", "--command-config", config.toString());

    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).startsWith("error: ").doesNotContain(SECRET);
    assertThat(result.out()).doesNotContain(SECRET);
  }

  @Test
  void aConnectionOptionIsRequired() {
    Cli result = Cli.run("publish", "a.properties", "--topic", "t");

    assertThat(result.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("--bootstrap-server").contains("--command-config");
  }

  @Test
  void aConfigFileWithoutBootstrapServersSaysWhatToAdd() {
    Path config = Cli.write(dir, "client.properties", "security.protocol=PLAINTEXT");

    Cli result = Cli.run("status", "--topic", "t", "--cluster-config", config.toString());

    assertThat(result.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("has no bootstrap.servers: add it, or pass --bootstrap-server");
  }
}
