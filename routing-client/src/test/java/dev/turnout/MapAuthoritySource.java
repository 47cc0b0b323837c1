package dev.turnout;

import dev.turnout.source.AuthoritySource;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Test helper: an authority document held in memory, replaced with {@link #set(String)}. */
final class MapAuthoritySource implements AuthoritySource {

  private volatile Map<String, String> document;

  MapAuthoritySource(String properties) {
    set(properties);
  }

  /** Replaces the document (properties text); the next refresh reads it. */
  void set(String properties) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(properties));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> doc = new TreeMap<>();
    p.forEach((k, v) -> doc.put(k.toString(), v.toString()));
    document = doc;
  }

  @Override
  public Map<String, String> read() {
    return document;
  }

  @Override
  public String description() {
    return "in-memory test document";
  }
}
