package dev.turnout.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The jar that is published names its module, so module-path users get a stable name. */
class PublishedJarIT {

  @Test
  void theJarNamesItsModule() throws IOException {
    List<Path> jars;
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      jars = files.filter(p -> p.getFileName().toString().matches("turnout-routing-client-.*(?<!-sources|-javadoc)\\.jar"))
          .toList();
    }
    assertThat(jars).as("the packaged jar").hasSize(1);
    try (JarFile jar = new JarFile(jars.get(0).toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name")).isEqualTo("dev.turnout.client");
      assertThat(jar.getEntry("dev/turnout/RoutingProducer.class")).isNotNull();
    }
  }
}
