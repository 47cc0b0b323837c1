package dev.turnout.cli;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentSignatures;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/** Reading authority documents (properties text, UTF-8) from files and records, as the clients read them. */
final class Documents {

  private Documents() {}

  /** The keys and values of a document file; an unreadable file is a usage error naming the file. */
  static Map<String, String> read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("cannot read " + file + ": no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The keys and values of a document's properties text, sorted by key. */
  static Map<String, String> parse(String text) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not properties text: " + e.getMessage(), e);
    }
    Map<String, String> document = new TreeMap<>();
    properties.stringPropertyNames().forEach(k -> document.put(k, properties.getProperty(k)));
    return document;
  }

  /**
   * The cluster aliases a document names itself ({@code source}, {@code target}, {@code rule.<name>.source},
   * {@code rule.<name>.target}, slice and null-key owners), for checking a document without a client's
   * {@code turnout.clusters}: a document is then checked against the aliases it uses, so only
   * {@code --clusters} can catch an alias the clients do not declare.
   */
  static List<String> aliasesNamed(Map<String, String> document) {
    Set<String> aliases = new LinkedHashSet<>();
    document.forEach((key, value) -> {
      String k = key.trim();
      boolean alias = k.equals("source") || k.equals("target")
          || k.startsWith("rule.") && (k.endsWith(".source") || k.endsWith(".target") || k.endsWith(".owner")
              || k.endsWith(".null-key-owner"));
      if (alias && value != null && !value.isBlank()) {
        aliases.add(value.trim());
      }
    });
    return new ArrayList<>(aliases);
  }

  /** Parses {@code document} against {@code clusters}, or against the aliases it names when that is null. */
  static AuthorityMap parse(Map<String, String> document, List<String> clusters) {
    return AuthorityMap.parse(document, clusters == null ? aliasesNamed(document) : clusters);
  }

  /** Whether the document carries a signature value. */
  static boolean signed(Map<String, String> document) {
    return document.keySet().stream().anyMatch(k -> k.trim().equals(DocumentSignatures.VALUE));
  }

  /** The document as properties text: {@code key=value} lines sorted by key, as {@code turnout sign} writes it. */
  static String text(Map<String, String> document) {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(document).forEach((k, v) -> text.append(escape(k, true)).append('=').append(escape(v, false))
        .append('\n'));
    return text.toString();
  }

  private static String escape(String s, boolean key) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '=', ':', '#', '!' -> out.append(key || i == 0 && (c == '#' || c == '!') ? "\\" + c : String.valueOf(c));
        case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
