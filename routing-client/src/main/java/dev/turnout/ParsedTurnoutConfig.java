package dev.turnout;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code turnout.*} keys of a client configuration, parsed and validated by {@link TurnoutConfigDef}.
 * Every failure is a {@link TurnoutConfigException} naming its key.
 */
final class ParsedTurnoutConfig extends AbstractConfig {

  private ParsedTurnoutConfig(Map<String, Object> values) {
    super(TurnoutConfigDef.DEFINITION, values, false);
  }

  /**
   * @param turnoutKeys the defined {@code turnout.*} keys of a configuration, with their raw values (a
   *     {@code Path} file, a collection of aliases, an {@code AuthoritySource} instance are accepted)
   */
  static ParsedTurnoutConfig parse(Map<String, Object> turnoutKeys) {
    Map<String, Object> values = new HashMap<>();
    turnoutKeys.forEach((key, value) -> {
      if (value != null) {
        values.put(key, normalize(TurnoutConfigDef.DEFINITION.configKeys().get(key).type, key, value));
      }
    });
    for (ConfigKey key : TurnoutConfigDef.DEFINITION.configKeys().values()) {
      Object value = values.get(key.name);
      if (value == null) {
        if (!key.hasDefault()) {
          throw TurnoutConfigException.invalid(key.name, null, "required: " + key.documentation);
        }
        continue;
      }
      try {
        Object parsed = ConfigDef.parseType(key.name, value, key.type);
        if (key.validator != null) {
          key.validator.ensureValid(key.name, parsed);
        }
      } catch (TurnoutConfigException e) {
        throw e;
      } catch (ConfigException e) {
        throw TurnoutConfigException.invalid(key.name, value, key.validator instanceof TurnoutConfigDef.Bounded b
            ? "must be " + b.expected() : expected(key.type));
      }
    }
    return new ParsedTurnoutConfig(values);
  }

  private static Object normalize(Type type, String key, Object value) {
    if (key.equals(TurnoutConfig.CLUSTERS)) {
      if (value instanceof Collection<?> c) {
        return c.stream().map(String::valueOf).toList();
      }
      // as String.split: trailing empty aliases ("a,b,") are dropped, inner ones ("a,,b") are not
      return value.toString().replaceAll("[\\s,]+$", "");
    }
    if (value instanceof Path p) {
      return p.toString();
    }
    if (value instanceof dev.turnout.source.AuthoritySource s) {
      return s.getClass();
    }
    if (type == Type.INT && (value instanceof Long || value instanceof Short || value instanceof Byte)) {
      long n = ((Number) value).longValue();
      return n == (int) n ? (Object) (int) n : value;
    }
    return value;
  }

  private static String expected(Type type) {
    return switch (type) {
      case BOOLEAN -> "must be true or false";
      case CLASS -> "must name a class that can be loaded, implementing "
          + dev.turnout.source.AuthoritySource.class.getName() + " with a public no-argument constructor";
      default -> "must be a " + type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** The declared cluster aliases, trimmed, in order. */
  List<String> clusters() {
    return getList(TurnoutConfig.CLUSTERS).stream().map(String::trim).toList();
  }
}
