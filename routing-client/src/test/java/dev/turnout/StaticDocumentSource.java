package dev.turnout;

import dev.turnout.source.AuthoritySource;
import java.util.Map;

/**
 * Test helper: a source configured by class name ({@code turnout.authority.source}), whose instances all read
 * the document set with {@link #set}.
 */
public final class StaticDocumentSource implements AuthoritySource {

  private static volatile Map<String, String> document = Map.of();

  public StaticDocumentSource() {}

  static void set(Map<String, String> next) {
    document = Map.copyOf(next);
  }

  @Override
  public Map<String, String> read() {
    return document;
  }

  @Override
  public String description() {
    return "static test source";
  }
}
