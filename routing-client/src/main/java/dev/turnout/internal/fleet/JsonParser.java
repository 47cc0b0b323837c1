package dev.turnout.internal.fleet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser (RFC 8259): one value, optionally surrounded by whitespace, nothing else. Objects become
 * unmodifiable {@code Map<String, Object>}s in document order (a duplicate key is an error), arrays
 * unmodifiable {@code List}s, numbers {@code Long} (integers within the long range) or {@code Double},
 * strings {@code String}, literals {@code Boolean} or {@code null}. Anything else (a trailing comma, a
 * single-quoted string, a leading zero, an unescaped control character, a lone surrogate escape, nesting
 * deeper than {@value #MAX_DEPTH}) fails with a {@link JsonException} giving the position.
 */
public final class JsonParser {

  /** The deepest nesting of objects and arrays accepted. */
  public static final int MAX_DEPTH = 64;

  private final String text;
  private int pos;
  private int depth;

  private JsonParser(String text) {
    this.text = text;
  }

  /**
   * Parses {@code text}.
   *
   * @throws JsonException when it is not exactly one JSON value
   */
  public static Object parse(String text) {
    JsonParser parser = new JsonParser(text);
    parser.skipWhitespace();
    Object value = parser.value();
    parser.skipWhitespace();
    if (parser.pos != text.length()) {
      throw parser.error("unexpected '" + text.charAt(parser.pos) + "' after the value");
    }
    return value;
  }

  private Object value() {
    if (pos >= text.length()) {
      throw error("unexpected end of input, expected a value");
    }
    char c = text.charAt(pos);
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected '" + c + "', expected a value");
      }
    };
  }

  private Map<String, Object> object() {
    enter();
    pos++;
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      depth--;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a string key");
      }
      int keyAt = pos;
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object value = value();
      if (map.containsKey(key)) {
        throw new JsonException("duplicate key \"" + key + "\"", keyAt);
      }
      map.put(key, value);
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == '}') {
        depth--;
        return Collections.unmodifiableMap(map);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}' in an object");
      }
    }
  }

  private List<Object> array() {
    enter();
    pos++;
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      depth--;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      skipWhitespace();
      list.add(value());
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == ']') {
        depth--;
        return Collections.unmodifiableList(list);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']' in an array");
      }
    }
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
  }

  private String string() {
    pos++; // the opening quote
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return out.toString();
      }
      if (c < 0x20) {
        throw error("unescaped control character in a string");
      }
      if (c != '\\') {
        out.append(c);
        pos++;
        continue;
      }
      pos++;
      char e = peek();
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          char unit = unicodeEscape();
          if (Character.isHighSurrogate(unit)) {
            if (!text.startsWith("\\u", pos + 1)) {
              throw error("a high surrogate escape must be followed by a low surrogate escape");
            }
            pos += 2;
            char low = unicodeEscape();
            if (!Character.isLowSurrogate(low)) {
              throw error("a high surrogate escape must be followed by a low surrogate escape");
            }
            out.append(unit).append(low);
          } else if (Character.isLowSurrogate(unit)) {
            throw error("a low surrogate escape without a high surrogate");
          } else {
            out.append(unit);
          }
        }
        default -> throw error("invalid escape '\\" + e + "'");
      }
      pos++;
    }
  }

  /** Reads the four hex digits after {@code \}{@code u} at {@code pos}; leaves {@code pos} on the last one. */
  private char unicodeEscape() {
    if (pos + 4 >= text.length()) {
      throw error("incomplete \\u escape");
    }
    int value = 0;
    for (int i = 1; i <= 4; i++) {
      int digit = Character.digit(text.charAt(pos + i), 16);
      if (digit < 0) {
        pos += i;
        throw error("invalid hex digit in a \\u escape");
      }
      value = value * 16 + digit;
    }
    pos += 4;
    return (char) value;
  }

  private Number number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
      if (isDigit(peek())) {
        throw error("leading zero in a number");
      }
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw error("expected a digit");
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!isDigit(peek())) {
        throw error("expected a digit after the decimal point");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("expected a digit in the exponent");
      }
      digits();
    }
    String literal = text.substring(start, pos);
    if (integral) {
      try {
        return Long.parseLong(literal);
      } catch (NumberFormatException e) {
        // beyond the long range: a double
      }
    }
    return Double.parseDouble(literal);
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) {
      throw error("unexpected '" + text.charAt(pos) + "', expected a value");
    }
    pos += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  /** The character at {@code pos}, or {@code '\0'} at the end (never valid where a character is expected). */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private JsonException error(String problem) {
    return new JsonException(problem, pos);
  }
}
