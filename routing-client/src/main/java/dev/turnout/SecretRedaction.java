package dev.turnout;

import dev.turnout.internal.cluster.Redaction;
import java.util.Map;

/**
 * The masking Turnout applies to client configuration before it is logged or shown (SASL JAAS configuration,
 * SSL and SASL passwords, keys, tokens, credentials, basic-auth user info), for tools that display a
 * configuration, such as a monitoring endpoint.
 */
public final class SecretRedaction {

  /** What a masked value is replaced with. */
  public static final String MASK = Redaction.MASK;

  private SecretRedaction() {}

  /** Whether the value of a configuration key must never be shown. */
  public static boolean isSecret(String key) {
    return Redaction.isSecret(key);
  }

  /** A sorted copy of a configuration with every secret value replaced by {@link #MASK}. */
  public static Map<String, String> redact(Map<String, ?> config) {
    return Redaction.redact(config);
  }
}
