package dev.turnout.internal.cluster;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Masks secrets in client configuration before it is logged or shown. A value is secret when its key is of
 * Kafka type {@code PASSWORD} in the producer, consumer or admin client definitions (SASL JAAS configuration,
 * SSL passwords and keys, OAuth client secrets...), also under a prefix such as
 * {@code listener.name.sasl_ssl.plain.} or {@code schema.registry.}; or one of the known secret keys of
 * serializers and other plugins ({@code *.password}, {@code basic.auth.user.info}, {@code bearer.auth.token}).
 * Credentials embedded in URLs ({@code scheme://user:pass@host}) are masked in every value. Keys are never
 * judged by words they merely contain: a setting or document rule named after {@code token} or {@code key}
 * is shown.
 */
public final class Redaction {

  /** What a masked value is replaced with. */
  public static final String MASK = "[hidden]";

  /** Keys of type PASSWORD in Kafka's client definitions. */
  private static final Set<String> PASSWORD_KEYS = passwordKeys();

  /** Secret keys outside Kafka's client definitions (Confluent serializers' schema registry credentials). */
  private static final Set<String> KNOWN_SECRET_KEYS = Set.of("basic.auth.user.info", "bearer.auth.token",
      "bearer.auth.client.secret");

  /** The user information of a URL: {@code scheme://user:pass@}. */
  private static final Pattern URL_CREDENTIALS = Pattern.compile("\\b([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s,;]+@");

  private Redaction() {}

  private static Set<String> passwordKeys() {
    Set<String> keys = new HashSet<>();
    for (ConfigDef def : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
        AdminClientConfig.configDef())) {
      def.configKeys().values().stream().filter(k -> k.type == ConfigDef.Type.PASSWORD).forEach(k -> keys.add(k.name));
    }
    return Set.copyOf(keys);
  }

  /**
   * Whether the value of a configuration key must never be shown: the key, or its part after any prefix
   * ending with a dot, is a Kafka {@code PASSWORD} key or a known secret key, or it ends with
   * {@code .password}.
   */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.equals("password") || k.endsWith(".password")) {
      return true;
    }
    for (int start = 0; start >= 0; start = nextPart(k, start)) {
      String part = k.substring(start);
      if (PASSWORD_KEYS.contains(part) || KNOWN_SECRET_KEYS.contains(part)) {
        return true;
      }
    }
    return false;
  }

  private static int nextPart(String key, int start) {
    int dot = key.indexOf('.', start);
    return dot < 0 ? -1 : dot + 1;
  }

  /** A value as it may be shown: {@link #MASK} for a secret key, else the text with URL credentials masked. */
  public static String shown(String key, Object value) {
    return isSecret(key) ? MASK : maskUrlCredentials(String.valueOf(value));
  }

  /** The text with the user information of every URL in it masked: {@code https://[hidden]@host}. */
  public static String maskUrlCredentials(String text) {
    return text.indexOf('@') < 0 ? text : URL_CREDENTIALS.matcher(text).replaceAll("$1" + MASK + "@");
  }

  /** A sorted copy of a configuration with every secret value masked. */
  public static Map<String, String> redact(Map<String, ?> config) {
    Map<String, String> out = new TreeMap<>();
    config.forEach((k, v) -> out.put(k, shown(k, v)));
    return out;
  }
}
