package dev.turnout.archaius;

import static org.assertj.core.api.Assertions.assertThat;

import com.netflix.config.ConcurrentMapConfiguration;
import dev.turnout.authority.AuthorityMap;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The Archaius example of docs/control-plane.md is a valid document, read through the source as shown. */
class ControlPlaneDocTest {

  @Test
  void theExampleOfTheArchaiusSectionIsAValidDocument() throws Exception {
    String page = Files.readString(Path.of("../docs/control-plane.md"), StandardCharsets.UTF_8);
    String section = page.substring(page.indexOf("\n## Archaius\n"));
    int start = section.indexOf("```properties\n") + "```properties\n".length();
    String example = section.substring(start, section.indexOf("```", start));
    Properties properties = new Properties();
    properties.load(new StringReader(example));
    ConcurrentMapConfiguration config = new ConcurrentMapConfiguration();
    config.loadProperties(properties);

    try (ArchaiusAuthoritySource source = new ArchaiusAuthoritySource(ArchaiusAuthoritySource.DEFAULT_PREFIX, config)) {
      AuthorityMap map = AuthorityMap.parse(source.read(), List.of("onprem", "cloud"));

      assertThat(map.epoch()).isEqualTo(12);
      assertThat(map.document()).containsEntry("key-count", "10").hasSize(10);
    }
    assertThat(page).contains("props.put(\"turnout.authority.source\", \"" + ArchaiusAuthoritySource.class.getName()
        + "\");").contains("<artifactId>turnout-archaius</artifactId>");
  }
}
