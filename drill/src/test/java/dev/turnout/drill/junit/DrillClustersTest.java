package dev.turnout.drill.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.MigrationState;
import dev.turnout.drill.check.Finding;
import dev.turnout.drill.load.SendOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The external-cluster settings, the provider path of the extension, the builder's checks and the result. */
class DrillClustersTest {

  @TempDir
  Path dir;

  @Test
  void noSettingMeansEmbeddedClusters() {
    assertThat(ExternalSettings.read(k -> null, k -> null)).isEmpty();
  }

  @Test
  void aSystemPropertyWinsOverItsEnvironmentVariableAndTheFilesGiveTheOtherSettings() throws Exception {
    Path file = dir.resolve("target.properties");
    Files.writeString(file, "security.protocol=SASL_SSL\nsasl.jaas.config=secret-jaas\nbootstrap.servers=file:9\n");
    Map<String, String> properties = Map.of(DrillClusters.SOURCE_BOOTSTRAP, "prop:1",
        DrillClusters.TARGET_CONFIG, file.toString());
    Map<String, String> env = Map.of("TURNOUT_DRILL_SOURCE_BOOTSTRAP", "env:1",
        "TURNOUT_DRILL_TARGET_BOOTSTRAP", "env:2");

    ExternalSettings s = ExternalSettings.read(properties::get, env::get).orElseThrow();

    assertThat(s.source()).containsExactly(Map.entry("bootstrap.servers", "prop:1"));
    assertThat(s.target()).containsEntry("bootstrap.servers", "env:2").containsEntry("security.protocol", "SASL_SSL");
    assertThat(s.toString()).doesNotContain("secret-jaas");
    DrillClusters clusters = DrillClusters.external(s.source(), s.target());
    assertThat(clusters.routingConfig("c")).containsEntry("turnout.cluster.target.sasl.jaas.config", "secret-jaas")
        .containsEntry("turnout.authority.topic", DrillClusters.CONTROL_TOPIC)
        .containsEntry("turnout.authority.topic.cluster", DrillClusters.SOURCE)
        .containsEntry("turnout.status.topic.cluster", DrillClusters.TARGET);
    assertThat(clusters.toString()).doesNotContain("secret-jaas").contains("external");
  }

  @Test
  void oneClusterWithoutBootstrapServersIsAClearError() {
    Map<String, String> properties = Map.of(DrillClusters.SOURCE_BOOTSTRAP, "prop:1");
    assertThatThrownBy(() -> ExternalSettings.read(properties::get, k -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the target cluster has no bootstrap servers")
        .hasMessageContaining(DrillClusters.TARGET_BOOTSTRAP);
    assertThatThrownBy(() -> ExternalSettings.read(Map.of(DrillClusters.SOURCE_CONFIG, "/nonexistent.properties",
        DrillClusters.SOURCE_BOOTSTRAP, "a:1", DrillClusters.TARGET_BOOTSTRAP, "b:1")::get, k -> null))
        .hasMessageContaining("Cannot read the source cluster's settings file /nonexistent.properties");
    assertThatThrownBy(() -> DrillClusters.external(Map.of(), Map.of("bootstrap.servers", "b:1")))
        .hasMessageContaining("The source cluster's settings have no bootstrap.servers");
  }

  /** The test's own clusters, without I/O. */
  public static final class Provided implements DrillClustersProvider {
    @Override
    public DrillClusters clusters() {
      return DrillClusters.external(Map.of("bootstrap.servers", "mine:1"), Map.of("bootstrap.servers", "mine:2"));
    }
  }

  @TurnoutDrill(clusters = Provided.class)
  static final class Annotated {}

  @Test
  void theAnnotationsProviderSuppliesTheClusters() {
    DrillClusters clusters = DrillExtension.open(Annotated.class.getAnnotation(TurnoutDrill.class));
    assertThat(clusters.embedded()).isFalse();
    assertThat(clusters.sourceBootstrap()).isEqualTo("mine:1");
    assertThat(clusters.targetBootstrap()).isEqualTo("mine:2");
  }

  @Test
  void aDrillMissingItsPartsSaysWhich() {
    DrillClusters clusters = new Provided().clusters();
    assertThatThrownBy(() -> Drill.on(clusters).topic("t", 1).run()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("missing: producer consumer");
    assertThatThrownBy(() -> Drill.on(clusters).step(MigrationState.WRITE_PROMOTION, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WRITE_PROMOTION takes 1% to 100%");
    assertThatThrownBy(() -> Drill.on(clusters).topic("t", 0)).hasMessageContaining("at least one partition");
  }

  @Test
  void theAssertionNamesEachBrokenInvariantWithItsExamplesAndTheUsersErrors() {
    Finding held = new Finding("held one", 10, 0, List.of());
    Finding broken = new Finding("broken one", 10, 2, List.of("k#1 was lost", "k#2 was lost"));
    SendOutcome ack = new SendOutcome("k", 1, 0, false, 0, 10, "source", 0, 5, null);
    SendOutcome refused = new SendOutcome("k", 2, 0, false, 0, 10, null, -1, -1, "ROLLBACK_NOT_RECONCILED");
    DrillResult result = new DrillResult("orders", "drill of topic 'orders'", 1000, List.of(held, broken), List.of(),
        List.of(ack, refused), List.of(), List.of("consumer 0: your handler failed on orders-0@3: boom"), List.of());

    assertThat(result.allHeld()).isFalse();
    assertThat(result.broken()).containsExactly("broken one");
    assertThat(result.failed()).containsExactly(Map.entry("ROLLBACK_NOT_RECONCILED", 1L));
    assertThatThrownBy(result::assertAllHeld).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("Drill of topic 'orders': 1 invariant(s) broken: broken one; your code threw 1 time(s)")
        .hasMessageContaining("BROKEN broken one: 2 violation(s) among 10, e.g. k#1 was lost; k#2 was lost")
        .hasMessageContaining("error: consumer 0: your handler failed on orders-0@3: boom")
        .hasMessageNotContaining("held one");

    DrillResult sound = new DrillResult("orders", "d", 1000, List.of(held), List.of(), List.of(ack), List.of(),
        List.of(), List.of());
    sound.assertAllHeld();
    assertThat(sound.toString()).startsWith("ALL INVARIANTS HELD");
  }
}
