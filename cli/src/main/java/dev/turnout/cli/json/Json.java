package dev.turnout.cli.json;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON of the CLI: the {@code --json} output of every command (a minimal writer for maps in their iteration
 * order, lists, strings, numbers, booleans and {@code null}; anything else is written as its {@code toString()}
 * string) and a reader for the JSON the gate reads (Kafka Connect's REST answers).
 */
public final class Json {

  private Json() {}

  /** An ordered JSON object to fill: {@code Json.object().with("epoch", 7)}. */
  public static Obj object() {
    return new Obj();
  }

  /** An insertion-ordered map with a fluent {@link #with}. */
  public static final class Obj extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;

    public Obj with(String key, Object value) {
      put(key, value);
      return this;
    }
  }

  /** The JSON text of {@code value}, on one line. */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  /** A JSON string literal of {@code s}. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2);
    string(out, s);
    return out.toString();
  }

  /**
   * The value of a JSON text: objects as {@code LinkedHashMap<String, Object>}, arrays as {@code List}, numbers as
   * {@code Long} or {@code Double}.
   *
   * @throws IllegalArgumentException with the position when the text is not one JSON value
   */
  public static Object parse(String text) {
    return JsonReader.parse(text);
  }

  private static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      out.append(value);
    } else if (value instanceof Number n) {
      double d = n.doubleValue();
      out.append(Double.isFinite(d) ? n.toString() : "null");
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(out, String.valueOf(e.getKey()));
        out.append(':');
        append(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof Collection<?> list) {
      out.append('[');
      boolean first = true;
      for (Object item : list) {
        if (!first) {
          out.append(',');
        }
        first = false;
        append(out, item);
      }
      out.append(']');
    } else {
      string(out, value.toString());
    }
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
