package dev.turnout.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo routes by a copy of the tracked authority document, made fresh at every start. */
class LocalDemoTest {

  private static final String INITIAL = "epoch=1\nsource=onprem\ntarget=cloud\n"
      + "rule.orders.topics=orders\nrule.orders.state=MIRROR\n";

  @Test
  void everyStartRoutesByAFreshCopyOfTheInitialDocumentInTarget(@TempDir Path module) throws Exception {
    Files.writeString(module.resolve("authority.properties"), INITIAL);
    Files.createDirectories(module.resolve("target"));
    // What a flip in an earlier run left behind.
    Files.writeString(module.resolve("target/authority.properties"), INITIAL.replace("epoch=1", "epoch=2")
        .replace("MIRROR", "TARGET_AUTHORITY"));

    Path copy = LocalDemo.freshAuthorityCopy(module);

    assertThat(copy).isEqualTo(module.resolve("target/authority.properties"));
    assertThat(copy).hasContent(INITIAL);
    assertThat(module.resolve("authority.properties")).hasContent(INITIAL);
  }

  @Test
  void createsTheTargetDirectoryOfAFreshCheckout(@TempDir Path module) throws Exception {
    Files.writeString(module.resolve("authority.properties"), INITIAL);

    assertThat(LocalDemo.freshAuthorityCopy(module)).hasContent(INITIAL);
  }

  @Test
  void aMissingInitialDocumentIsReportedWithWhereToRunFrom(@TempDir Path module) {
    assertThatThrownBy(() -> LocalDemo.freshAuthorityCopy(module))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(module.resolve("authority.properties").toAbsolutePath().toString())
        .hasMessageContaining("run the demo from the repository root or from examples/spring-service");
  }
}
