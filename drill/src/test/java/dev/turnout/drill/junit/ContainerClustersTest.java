package dev.turnout.drill.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;

/** Without a Docker engine, the Testcontainers clusters skip the drill's test class with the reason. */
class ContainerClustersTest {

  @TurnoutDrill(clusters = ContainerClusters.class)
  static final class OnContainers {}

  @BeforeEach
  void withoutDocker() {
    assumeFalse(DockerClientFactory.instance().isDockerAvailable(), "a Docker engine answers here");
  }

  @Test
  void theProviderAbortsSayingWhyAndWhatElseToRun() {
    assertThatThrownBy(() -> new ContainerClusters().clusters()).isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("No Docker engine answers").hasMessageContaining(DrillClusters.SOURCE_BOOTSTRAP);
  }

  @Test
  void theProviderSaysWhyItsClustersCannotStartHere() {
    assertThat(new ContainerClusters().unavailable()).hasValueSatisfying(
        why -> assertThat(why).contains("No Docker engine answers", "skipped"));
  }

  @Test
  void theExtensionPassesTheAbortOnSoTheClassIsSkippedNotFailed() {
    TurnoutDrill annotation = OnContainers.class.getAnnotation(TurnoutDrill.class);

    assertThatThrownBy(() -> DrillExtension.open(annotation)).isExactlyInstanceOf(TestAbortedException.class);
  }
}
