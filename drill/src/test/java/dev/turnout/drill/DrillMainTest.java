package dev.turnout.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options that stop the drill before it starts anything: exit code 2 and a message saying why. */
class DrillMainTest {

  @TempDir
  Path dir;

  private final DrillCli cli = new DrillCli();

  @Test
  void anExternalClusterWithoutBootstrapServersIsNamedAndItsSecretsAreNotPrinted() throws Exception {
    Path source = dir.resolve("source.properties");
    Files.writeString(source, "security.protocol=SASL_SSL\nsasl.jaas.config=secret-value\n");
    assertThat(cli.run("--source-config", source.toString(), "--target-bootstrap", "b:9092"))
        .isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("the source cluster needs --source-bootstrap or bootstrap.servers in "
        + "--source-config").doesNotContain("secret-value");
  }

  @Test
  void theEmbeddedMirrorMakersLagDoesNotApplyToExternalClusters() {
    assertThat(cli.run("--source-bootstrap", "a:9092", "--target-bootstrap", "b:9092", "--replication-lag-ms", "100"))
        .isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("--replication-lag-ms adds lag to the embedded MirrorMaker 2");
  }

  @Test
  void theSettingsSectionRedactsSecretsOfExternalClusters() throws Exception {
    Path source = dir.resolve("source.properties");
    Files.writeString(source, "bootstrap.servers=a:9092\nsecurity.protocol=SASL_SSL\nsasl.jaas.config=secret-value\n"
        + "ssl.truststore.password=changeit\nssl.keystore.key=PEM-KEY\n");
    DrillMain main = new DrillMain();
    new picocli.CommandLine(main).parseArgs("--source-config", source.toString(), "--target-bootstrap", "b:9092",
        "--topic", "rehearsal");
    java.util.Map<String, String> settings = main.options().describe();
    assertThat(settings.get("source cluster")).isEqualTo("a:9092, sasl.jaas.config=[redacted], "
        + "security.protocol=SASL_SSL, ssl.keystore.key=[redacted], ssl.truststore.password=[redacted]");
    assertThat(settings.get("target cluster")).isEqualTo("b:9092");
    assertThat(settings.get("topic")).isEqualTo("rehearsal (control topic rehearsal-authority, status topic "
        + "rehearsal-status)");
    assertThat(settings.toString()).doesNotContain("secret-value", "changeit", "PEM-KEY");
  }

  @Test
  void aTopicNameKafkaWouldRefuseIsRefused() {
    assertThat(cli.run("--topic", "orders/eu")).isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("--topic must be 1 to 200 of [A-Za-z0-9._-], got 'orders/eu'");
  }

  @Test
  void aMissingClusterSettingsFileIsNamed() {
    assertThat(cli.run("--source-bootstrap", "a:9092", "--target-bootstrap", "b:9092", "--target-config",
        dir.resolve("nope.properties").toString())).isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("cannot read client settings file", "nope.properties");
  }

  @Test
  void aMalformedPlanLineIsNamedWithItsLine() throws Exception {
    Path plan = dir.resolve("plan.txt");
    Files.writeString(plan, "MIRROR\nWRITE_PROMOTION ten\n");
    assertThat(cli.run("--plan", plan.toString())).isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("plan.txt line 2", "WRITE_PROMOTION <n>%");
  }

  @Test
  void anUnknownReconcileModeAndATooShortDurationAreRefused() {
    assertThat(cli.run("--reconcile", "sometimes")).isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("--reconcile must be manual, auto or none, got 'sometimes'");
    assertThat(cli.run("--duration", "3")).isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("--duration must give each of the plan's 7 steps at least 1 s");
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    assertThat(cli.run("--colour", "blue")).isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("--colour");
  }

  @Test
  void versionNamesTheDrillAndItsVersionOrADevelopmentBuild() {
    assertThat(cli.run("--version")).isZero();
    assertThat(cli.printed()).startsWith("turnout-drill ").containsAnyOf("(development build)", "0.");
  }
}
