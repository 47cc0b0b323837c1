package dev.turnout.drill.junit;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * The external clusters named by system properties or environment variables: each cluster's bootstrap servers and
 * optionally a properties file of its client settings.
 *
 * @param source the source's client settings, {@code bootstrap.servers} included
 * @param target the target's
 */
record ExternalSettings(Map<String, Object> source, Map<String, Object> target) {

  /**
   * Reads the settings; a system property wins over its environment variable ({@code turnout.drill.x.y} is
   * {@code TURNOUT_DRILL_X_Y}). Empty when none is set.
   *
   * @throws IllegalArgumentException when some are set but a cluster's bootstrap servers are missing, or a file
   *     cannot be read
   */
  static Optional<ExternalSettings> read(UnaryOperator<String> properties, UnaryOperator<String> environment) {
    String[] names = {DrillClusters.SOURCE_BOOTSTRAP, DrillClusters.TARGET_BOOTSTRAP, DrillClusters.SOURCE_CONFIG,
        DrillClusters.TARGET_CONFIG};
    Map<String, String> values = new HashMap<>();
    for (String name : names) {
      String value = properties.apply(name);
      if (value == null || value.isBlank()) {
        value = environment.apply(name.toUpperCase(Locale.ROOT).replace('.', '_'));
      }
      if (value != null && !value.isBlank()) {
        values.put(name, value.trim());
      }
    }
    if (values.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ExternalSettings(
        cluster("source", values.get(DrillClusters.SOURCE_BOOTSTRAP), values.get(DrillClusters.SOURCE_CONFIG),
            DrillClusters.SOURCE_BOOTSTRAP),
        cluster("target", values.get(DrillClusters.TARGET_BOOTSTRAP), values.get(DrillClusters.TARGET_CONFIG),
            DrillClusters.TARGET_BOOTSTRAP)));
  }

  private static Map<String, Object> cluster(String alias, String bootstrap, String file, String bootstrapName) {
    Map<String, Object> config = new HashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
        p.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("Cannot read the " + alias + " cluster's settings file " + file + ": "
            + e, e);
      }
      p.stringPropertyNames().forEach(k -> config.put(k, p.getProperty(k)));
    }
    if (bootstrap != null) {
      config.put("bootstrap.servers", bootstrap);
    }
    if (config.get("bootstrap.servers") == null) {
      throw new IllegalArgumentException("External drill clusters: the " + alias + " cluster has no bootstrap "
          + "servers. Set " + bootstrapName + " (or " + bootstrapName.toUpperCase(Locale.ROOT).replace('.', '_')
          + "), or bootstrap.servers in its settings file; set both clusters, or none for embedded clusters");
    }
    return config;
  }

  @Override
  public String toString() {
    return "ExternalSettings[source=" + source.get("bootstrap.servers") + ", target=" + target.get("bootstrap.servers")
        + "]";
  }
}
