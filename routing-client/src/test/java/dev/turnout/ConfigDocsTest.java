package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.junit.jupiter.api.Test;

/**
 * The key tables in docs/ are checked against {@link TurnoutConfigDef}: every key is documented on its page,
 * no undefined {@code turnout.*} key is documented, and every documented default is the defined one (for the
 * Kafka producer settings the tables mention, {@code ProducerConfig}'s).
 */
class ConfigDocsTest {

  private static final Path DOCS = Path.of("../docs");
  /** A table row whose first cell is a backticked key. */
  private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)`(?: \\(Kafka\\))? \\|(.*)$", Pattern.MULTILINE);

  /** The rows of a page's key tables: key to the remaining cells. */
  private static Map<String, List<String>> rows(String page) throws IOException {
    String text = Files.readString(DOCS.resolve(page), StandardCharsets.UTF_8);
    Map<String, List<String>> rows = new LinkedHashMap<>();
    Matcher m = ROW.matcher(text);
    while (m.find()) {
      List<String> cells = new ArrayList<>();
      for (String cell : m.group(2).split("(?<!\\\\)\\|")) {
        cells.add(cell.trim());
      }
      rows.put(m.group(1), cells);
    }
    return rows;
  }

  private static List<String> keysOf(String... groups) {
    List<String> keys = new ArrayList<>();
    for (ConfigKey key : TurnoutConfigDef.DEFINITION.configKeys().values()) {
      if (List.of(groups).contains(key.group)) {
        keys.add(key.name);
      }
    }
    return keys;
  }

  /** The default as the client tables show it: (required), numbers bare, other values in backticks. */
  static String rendered(ConfigKey key) {
    if (!key.hasDefault()) {
      return "(required)";
    }
    if (key.defaultValue == null) {
      return null;
    }
    return key.defaultValue instanceof Number ? key.defaultValue.toString() : "`" + key.defaultValue + "`";
  }

  private static void checkClientTables(String page, List<String> mustDocument) throws IOException {
    Map<String, List<String>> rows = rows(page);
    for (String key : mustDocument) {
      assertThat(rows).as("%s documents %s", page, key).containsKey(key);
    }
    rows.forEach((key, cells) -> {
      ConfigKey kafka = org.apache.kafka.clients.producer.ProducerConfig.configDef().configKeys().get(key);
      if (kafka != null) {
        assertThat(cells.get(0)).as("default of the Kafka setting %s in %s", key, page).isEqualTo(rendered(kafka));
      }
      if (!key.startsWith("turnout.") || key.contains("<")) {
        return;
      }
      ConfigKey defined = TurnoutConfigDef.DEFINITION.configKeys().get(key);
      assertThat(defined).as("%s documents %s, which is not a Turnout setting", page, key).isNotNull();
      String expected = rendered(defined);
      if (expected != null) {
        assertThat(cells.get(0)).as("default of %s in %s", key, page).isEqualTo(expected);
      } else {
        assertThat(cells.get(0)).as("default of %s in %s: unset, described in words", key, page)
            .doesNotStartWith("`").doesNotMatch("\\d+");
      }
    });
  }

  @Test
  void theProducerPageDocumentsEveryKeyButTheConsumersWithItsDefault() throws IOException {
    checkClientTables("producer.md", keysOf(TurnoutConfigDef.GROUP_CLUSTERS, TurnoutConfigDef.GROUP_AUTHORITY,
        TurnoutConfigDef.GROUP_CUTOVER, TurnoutConfigDef.GROUP_BREAKER));
  }

  @Test
  void theConsumersPageDocumentsTheConsumerKeysWithTheirDefaults() throws IOException {
    checkClientTables("consumers.md", keysOf(TurnoutConfigDef.GROUP_CONSUMER));
  }

  @Test
  void theCutoverPageDocumentsTheCutoverAndBreakerKeysWithTheirDefaults() throws IOException {
    checkClientTables("cutover.md", keysOf(TurnoutConfigDef.GROUP_CUTOVER, TurnoutConfigDef.GROUP_BREAKER));
  }

  @Test
  void theControlPlanePageDocumentsTheStatusKeysWithTheirDefaults() throws IOException {
    checkClientTables("control-plane.md", keysOf(TurnoutConfigDef.GROUP_STATUS));
  }

  @Test
  void everyKeyBelongsToADocumentedGroup() {
    assertThat(keysOf(TurnoutConfigDef.GROUP_CLUSTERS, TurnoutConfigDef.GROUP_AUTHORITY, TurnoutConfigDef.GROUP_CUTOVER,
        TurnoutConfigDef.GROUP_BREAKER, TurnoutConfigDef.GROUP_CONSUMER, TurnoutConfigDef.GROUP_STATUS))
        .containsExactlyInAnyOrderElementsOf(TurnoutConfigDef.DEFINITION.names());
  }

  /**
   * The Spring page's table maps each typed property to a client key, with the default in Spring's notation
   * (durations such as {@code 30s}, sizes such as {@code 32MB}).
   */
  @Test
  void theSpringPageMapsEveryCutoverBreakerAndConsumerKeyWithItsDefault() throws IOException {
    String text = Files.readString(DOCS.resolve("spring-boot.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("^\\| `(turnout\\.[^`]+)` \\| `(turnout\\.[^`]+)` \\| ([^|]*) \\|$",
        Pattern.MULTILINE)
        .matcher(text);
    Map<String, String> defaults = new LinkedHashMap<>();
    while (m.find()) {
      if (!m.group(2).contains("<alias>")) {
        assertThat(TurnoutConfigDef.DEFINITION.configKeys()).as("spring-boot.md maps %s", m.group(2))
            .containsKey(m.group(2));
        defaults.put(m.group(2), m.group(3));
      }
    }
    for (String key : keysOf(TurnoutConfigDef.GROUP_CUTOVER, TurnoutConfigDef.GROUP_BREAKER,
        TurnoutConfigDef.GROUP_CONSUMER)) {
      assertThat(defaults).as("spring-boot.md maps %s", key).containsKey(key);
      ConfigKey defined = TurnoutConfigDef.DEFINITION.configKeys().get(key);
      if (defined.defaultValue == null) {
        assertThat(defaults.get(key)).as("default of %s", key).doesNotStartWith("`");
      } else {
        assertThat(springValue(defaults.get(key), key)).as("default of %s in spring-boot.md", key)
            .isEqualTo(defined.defaultValue.toString());
      }
    }
  }

  /** A Spring default cell ({@code `30s`}, {@code `32MB`}, {@code `true`}) in the client's notation. */
  private static String springValue(String cell, String key) {
    String value = cell.replace("`", "");
    Matcher duration = Pattern.compile("(\\d+)(ms|s|m)").matcher(value);
    if (key.endsWith(".ms") && duration.matches()) {
      long n = Long.parseLong(duration.group(1));
      return Long.toString(switch (duration.group(2)) {
        case "ms" -> n;
        case "s" -> n * 1000;
        default -> n * 60_000;
      });
    }
    Matcher size = Pattern.compile("(\\d+)(B|KB|MB)").matcher(value);
    if (key.endsWith(".bytes") && size.matches()) {
      long n = Long.parseLong(size.group(1));
      return Long.toString(switch (size.group(2)) {
        case "B" -> n;
        case "KB" -> n * 1024;
        default -> n * 1024 * 1024;
      });
    }
    return value;
  }

  @Test
  void theRenderingOfDefaults() {
    ConfigDef def = new ConfigDef().define("a", ConfigDef.Type.LONG, 5L, ConfigDef.Importance.LOW, "")
        .define("b", ConfigDef.Type.STRING, "x", ConfigDef.Importance.LOW, "")
        .define("c", ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.LOW, "")
        .define("d", ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW, "");
    assertThat(rendered(def.configKeys().get("a"))).isEqualTo("5");
    assertThat(rendered(def.configKeys().get("b"))).isEqualTo("`x`");
    assertThat(rendered(def.configKeys().get("c"))).isEqualTo("(required)");
    assertThat(rendered(def.configKeys().get("d"))).isNull();
  }
}
