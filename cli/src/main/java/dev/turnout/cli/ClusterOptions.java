package dev.turnout.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * How a command connects to a cluster, like Kafka's own tools: {@code --bootstrap-server}, and/or
 * {@code --command-config} (alias {@code --cluster-config}), a Kafka client properties file holding
 * {@code bootstrap.servers} and the security settings. At least one is required. The file's values are passed to
 * the Kafka clients and never printed: output and errors name the file and the bootstrap servers only.
 */
final class ClusterOptions {

  @ArgGroup(exclusive = false, multiplicity = "1")
  Connection connection;

  /** The two options; picocli requires at least one of them. */
  static final class Connection {
    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
        description = "The cluster's bootstrap servers (overrides bootstrap.servers of the config file).")
    String bootstrapServer;

    @Option(names = {"--command-config", "--cluster-config"}, paramLabel = "FILE",
        description = "Kafka client properties (bootstrap.servers, security.protocol, sasl.*, ssl.*); "
            + "never printed.")
    Path configFile;
  }

  /** The Kafka client settings: the file's, with {@code --bootstrap-server} over its {@code bootstrap.servers}. */
  Map<String, Object> clientConfig() {
    Map<String, Object> config = new HashMap<>();
    if (connection.configFile != null) {
      config.putAll(load(connection.configFile));
    }
    if (connection.bootstrapServer != null) {
      config.put("bootstrap.servers", connection.bootstrapServer);
    }
    if (config.get("bootstrap.servers") == null) {
      throw new IllegalArgumentException(connection.configFile + " has no bootstrap.servers: add it, or pass "
          + "--bootstrap-server");
    }
    return config;
  }

  /** How output names the cluster: its bootstrap servers (never a secret). */
  String description() {
    return String.valueOf(clientConfig().get("bootstrap.servers"));
  }

  /** The properties of a Kafka client config file; errors name the file, never its content. */
  static Map<String, Object> load(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the client config file " + file + " ("
          + e.getClass().getSimpleName() + ")", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the client config file " + file + " is not properties text", e);
    }
    Map<String, Object> config = new HashMap<>();
    properties.stringPropertyNames().forEach(k -> config.put(k, properties.getProperty(k)));
    return config;
  }
}
