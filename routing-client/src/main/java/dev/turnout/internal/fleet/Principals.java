package dev.turnout.internal.fleet;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.types.Password;

/**
 * The principal a Kafka client configuration authenticates as, derived from the configuration alone, for the
 * status record. Never returns a secret: of {@code sasl.jaas.config} only the {@code username="..."} value is
 * read; of an SSL keystore only the subject of its first certificate.
 *
 * <ul>
 *   <li>{@code PLAINTEXT} (the default), or {@code SSL} without a keystore: {@code ANONYMOUS};
 *   <li>{@code SSL} with a keystore: {@code User:<subject of its first certificate>}, or
 *       {@code SSL:<keystore file name>} when the keystore cannot be read;
 *   <li>{@code SASL_PLAINTEXT}/{@code SASL_SSL}: {@code User:<username>} when the JAAS configuration names a
 *       {@code username}, else {@code SASL/<mechanism>} (the user is not in the configuration, e.g. Kerberos
 *       or OAuth).
 * </ul>
 */
public final class Principals {

  /** The principal of an unauthenticated connection. */
  public static final String ANONYMOUS = "ANONYMOUS";

  private Principals() {}

  /** The principal {@code config} (a Kafka client configuration) authenticates as. */
  public static String of(Map<String, ?> config) {
    String protocol = text(config.get("security.protocol"));
    protocol = protocol == null ? "PLAINTEXT" : protocol.trim().toUpperCase(Locale.ROOT);
    if (protocol.startsWith("SASL")) {
      String user = username(text(config.get("sasl.jaas.config")));
      if (user != null) {
        return "User:" + user;
      }
      String mechanism = text(config.get("sasl.mechanism"));
      return "SASL/" + (mechanism == null ? "GSSAPI" : mechanism.trim());
    }
    if (protocol.equals("SSL")) {
      String keystore = text(config.get("ssl.keystore.location"));
      if (keystore == null || keystore.isBlank()) {
        return ANONYMOUS;
      }
      String subject = subject(keystore.trim(), text(config.get("ssl.keystore.type")),
          text(config.get("ssl.keystore.password")));
      return subject != null ? "User:" + subject : "SSL:" + Path.of(keystore.trim()).getFileName();
    }
    return ANONYMOUS;
  }

  /**
   * The {@code username} option of a JAAS configuration, or {@code null}; nothing else of it is kept. Quoted
   * values are skipped whole, so text inside another option's value (a password) is never taken for it.
   */
  static String username(String jaas) {
    if (jaas == null) {
      return null;
    }
    String previousWord = null;
    boolean afterEquals = false;
    int i = 0;
    while (i < jaas.length()) {
      char c = jaas.charAt(i);
      if (c == '"') {
        int end = i + 1;
        StringBuilder value = new StringBuilder();
        while (end < jaas.length() && jaas.charAt(end) != '"') {
          if (jaas.charAt(end) == '\\' && end + 1 < jaas.length()) {
            end++;
          }
          value.append(jaas.charAt(end++));
        }
        if (afterEquals && "username".equals(previousWord)) {
          return value.toString();
        }
        previousWord = null;
        afterEquals = false;
        i = end + 1;
      } else if (c == '=') {
        afterEquals = previousWord != null;
        i++;
      } else if (Character.isWhitespace(c) || c == ';') {
        i++;
      } else {
        int end = i;
        while (end < jaas.length() && !Character.isWhitespace(jaas.charAt(end)) && "=;\"".indexOf(jaas.charAt(end)) < 0) {
          end++;
        }
        String word = jaas.substring(i, end);
        if (afterEquals && "username".equals(previousWord)) {
          return word;
        }
        previousWord = afterEquals ? null : word;
        afterEquals = false;
        i = end;
      }
    }
    return null;
  }

  /** The subject of the keystore's first certificate, or {@code null} when it cannot be read. */
  private static String subject(String location, String type, String password) {
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      KeyStore store = KeyStore.getInstance(type == null || type.isBlank() ? "JKS" : type.trim());
      store.load(in, password == null ? null : password.toCharArray());
      for (String alias : Collections.list(store.aliases())) {
        Certificate certificate = store.getCertificate(alias);
        if (certificate instanceof X509Certificate x509) {
          return x509.getSubjectX500Principal().getName();
        }
      }
      return null;
    } catch (Exception | LinkageError e) {
      return null;
    }
  }

  private static String text(Object value) {
    if (value == null) {
      return null;
    }
    return value instanceof Password p ? p.value() : value.toString();
  }
}
