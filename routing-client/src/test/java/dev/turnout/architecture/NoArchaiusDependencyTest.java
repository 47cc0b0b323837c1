package dev.turnout.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Archaius source is the separate artifact {@code turnout-archaius}: nothing of Archaius may reach the routing
 * client's dependencies. The test classpath holds every dependency of the module, in every scope, so a class of
 * Archaius or of the commons-configuration 1.x it needs found here means one of them brings it in.
 */
class NoArchaiusDependencyTest {

  @Test
  void noClassOfArchaiusIsOnTheClasspath() {
    List<String> found = List.of("com.netflix.config.ConfigurationManager",
            "org.apache.commons.configuration.AbstractConfiguration").stream()
        .filter(NoArchaiusDependencyTest::loadable).toList();

    assertThat(found).as("classes of Archaius on the routing client's classpath: remove the dependency that brings "
        + "them (see ./mvnw dependency:tree -pl routing-client); Archaius belongs in turnout-archaius").isEmpty();
  }

  private static boolean loadable(String name) {
    try {
      Class.forName(name, false, NoArchaiusDependencyTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
