package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The property reference in docs/spring-boot.md is rendered from the generated configuration metadata: this
 * test fails when the page is out of date. Run it with {@code -Dturnout.docs.update=true} to rewrite the
 * section between the markers.
 */
class PropertyReferenceTest {

  static final String START = "<!-- properties:start (generated from spring-configuration-metadata.json) -->";
  static final String END = "<!-- properties:end -->";

  private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");
  private static final Path PAGE = Path.of("../docs/spring-boot.md");

  @Test
  void theDocsListEveryPropertyOfTheMetadataAsRendered() throws Exception {
    String rendered = render(Files.readString(METADATA, StandardCharsets.UTF_8));
    assertThat(rendered).contains("`turnout.enabled`", "`turnout.clusters`", "`turnout.authority.rule`",
        "`turnout.authority.max-staleness`", "`management.health.turnout.enabled`");
    String page = Files.readString(PAGE, StandardCharsets.UTF_8);
    int start = page.indexOf(START);
    int end = page.indexOf(END);
    assertThat(start).as("docs/spring-boot.md has the marker %s", START).isNotNegative();
    assertThat(end).as("docs/spring-boot.md has the marker %s", END).isGreaterThan(start);
    String expected = page.substring(0, start + START.length()) + "\n" + rendered + page.substring(end);
    if (Boolean.getBoolean("turnout.docs.update")) {
      Files.writeString(PAGE, expected, StandardCharsets.UTF_8);
      page = expected;
    }
    assertThat(page).as("docs/spring-boot.md is out of date with the configuration metadata: run "
        + "./mvnw -pl spring-autoconfigure -am verify -Dtest=PropertyReferenceTest -Dturnout.docs.update=true "
        + "-Dsurefire.failIfNoSpecifiedTests=false -DskipITs").isEqualTo(expected);
  }

  /** A Markdown table of the Turnout properties of the metadata, sorted by name. */
  static String render(String metadataJson) {
    Map<?, ?> metadata = JsonMapper.builder().build().readValue(metadataJson, Map.class);
    List<Map<?, ?>> properties = new ArrayList<>();
    for (Object p : (List<?>) metadata.get("properties")) {
      Map<?, ?> property = (Map<?, ?>) p;
      String name = (String) property.get("name");
      if (name.startsWith("turnout.") || name.contains(".turnout.")) {
        properties.add(property);
      }
    }
    properties.sort((a, b) -> ((String) a.get("name")).compareTo((String) b.get("name")));
    StringBuilder out = new StringBuilder("| property | type | default | description |\n|---|---|---|---|\n");
    for (Map<?, ?> p : properties) {
      Object defaultValue = p.get("defaultValue");
      out.append("| `").append(p.get("name")).append("` | ").append(type((String) p.get("type"))).append(" | ")
          .append(defaultValue == null ? "" : "`" + defaultValue + "`").append(" | ")
          .append(cell((String) p.get("description"))).append(" |\n");
    }
    return out.toString();
  }

  private static String type(String type) {
    if (type == null) {
      return "";
    }
    return "`" + type.replaceAll("[a-z][a-z0-9_]*\\.", "").replace('$', '.').replace("TurnoutProperties.", "")
        .replace(",", ", ") + "`";
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
  }
}
