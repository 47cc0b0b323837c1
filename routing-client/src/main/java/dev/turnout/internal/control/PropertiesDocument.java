package dev.turnout.internal.control;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The text form of an authority document: properties text in UTF-8 ({@code key=value} lines, {@code #}
 * comments), as in the authority file and in the records of a control topic.
 */
public final class PropertiesDocument {

  private PropertiesDocument() {}

  /**
   * The flat document the text holds (an immutable map).
   *
   * @throws IOException when the text is not properties text (for example a malformed {@code \\u} escape)
   */
  public static Map<String, String> parse(byte[] utf8) throws IOException {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(new String(utf8, StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      throw new IOException("not properties text: " + e.getMessage(), e);
    }
    Map<String, String> document = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      document.put(name, properties.getProperty(name));
    }
    return Map.copyOf(document);
  }
}
