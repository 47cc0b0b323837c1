package dev.turnout.source;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the authority document from a properties file (UTF-8). Replace the file atomically (write a
 * temporary file, then rename it over the old one) so that a refresh never sees half a document; a torn
 * read is rejected and retried at the next refresh.
 */
public final class FileAuthoritySource implements AuthoritySource {

  private final Path path;
  private byte[] lastBytes;
  private Map<String, String> lastDocument;

  public FileAuthoritySource(Path path) {
    this.path = path;
  }

  /** The file read. */
  public Path path() {
    return path;
  }

  @Override
  public synchronized Map<String, String> read() throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    if (lastBytes != null && Arrays.equals(bytes, lastBytes)) {
      return lastDocument;
    }
    Properties properties = new Properties();
    properties.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
    Map<String, String> document = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      document.put(name, properties.getProperty(name));
    }
    lastBytes = bytes;
    lastDocument = Map.copyOf(document);
    return lastDocument;
  }

  @Override
  public String description() {
    return "file " + path.toAbsolutePath();
  }

  @Override
  public String toString() {
    return description();
  }
}
