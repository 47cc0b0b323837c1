package dev.turnout.internal.cluster;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Masks secrets (SASL JAAS configuration, SSL and SASL passwords, keys, tokens, basic-auth user info) in client configuration
 * before it is logged or shown.
 */
public final class Redaction {

  /** What a masked value is replaced with. */
  public static final String MASK = "[hidden]";

  private Redaction() {}

  /** Whether the value of a configuration key must never be shown. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
        || k.endsWith(".key") || k.contains("credential") || k.contains("keystore.key")
        || k.contains("private") || k.contains("apikey") || k.contains("api.key") || k.contains("user.info");
  }

  /** A sorted copy of a configuration with every secret value masked. */
  public static Map<String, String> redact(Map<String, ?> config) {
    Map<String, String> out = new TreeMap<>();
    config.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : String.valueOf(v)));
    return out;
  }
}
