package dev.turnout;

import dev.turnout.authority.DocumentSignatures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the keys trusted to sign authority documents ({@link TurnoutConfig#AUTHORITY_TRUSTED_KEYS}) from their
 * configuration entries, exactly as the routing clients do: for an {@link AuthorityMonitor} or a tool that must
 * agree with the clients. Each entry is an Ed25519 public key as base64 of its X.509 encoding, or the path of
 * a file holding it in PEM ({@code -----BEGIN PUBLIC KEY-----}) or base64. Errors name the entry by its
 * position and never show key material.
 */
public final class TrustedKeys {

  /** The documentation of {@link TurnoutConfig#AUTHORITY_TRUSTED_KEYS}. */
  static final String DOCUMENTATION = "Ed25519 public keys trusted to sign authority documents, comma-separated: "
      + "each the base64 of an X.509 key or the path of a PEM file. When set, a document is installed only if "
      + "signed by one of them; unset or empty: signatures are not required.";

  private TrustedKeys() {}

  /**
   * The public keys of the entries, without duplicates, in their order.
   *
   * @param entries the value of {@link TurnoutConfig#AUTHORITY_TRUSTED_KEYS}, as strings; {@code null} or
   *     empty: no key (signatures are not required)
   * @throws TurnoutConfigException for {@link TurnoutConfig#AUTHORITY_TRUSTED_KEYS}, naming the first entry
   *     (1-based) that is blank, an unreadable file, or not an Ed25519 public key
   */
  public static List<PublicKey> read(Collection<?> entries) {
    if (entries == null) {
      return List.of();
    }
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    int position = 0;
    for (Object entry : entries) {
      position++;
      PublicKey key = key(position, entry == null ? "" : entry.toString().trim());
      keys.putIfAbsent(DocumentSignatures.keyId(key), key);
    }
    return List.copyOf(keys.values());
  }

  private static PublicKey key(int position, String entry) {
    String which = "entry " + position;
    if (entry.isEmpty()) {
      throw invalid(which + " is empty: each entry is the base64 X.509 encoding of an Ed25519 public key or the "
          + "path of a PEM file; remove the empty entry");
    }
    Path file = file(entry);
    if (file != null) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw invalid(which + ": cannot read the file " + file.toAbsolutePath() + " (" + e.getClass().getSimpleName()
            + "): make it readable, or give the key itself");
      }
      try {
        return DocumentSignatures.publicKey(text);
      } catch (IllegalArgumentException e) {
        throw invalid(which + ": the file " + file.toAbsolutePath() + " does not hold an Ed25519 public key: "
            + e.getMessage() + ". Give the public key file written with the key pair (PEM '-----BEGIN PUBLIC "
            + "KEY-----')");
      }
    }
    try {
      return DocumentSignatures.publicKey(entry);
    } catch (IllegalArgumentException e) {
      throw invalid(which + " is neither the path of an existing file nor an Ed25519 public key: "
          + e.getMessage() + ". Give the base64 of the key's X.509 encoding or the path of its PEM file");
    }
  }

  /** The entry as the path of an existing regular file, or {@code null}. */
  private static Path file(String entry) {
    if (entry.startsWith("-----BEGIN")) {
      return null;
    }
    try {
      Path path = Path.of(entry);
      return Files.isRegularFile(path) ? path : null;
    } catch (InvalidPathException | SecurityException e) {
      return null;
    }
  }

  private static TurnoutConfigException invalid(String reason) {
    return TurnoutConfigException.invalid(TurnoutConfig.AUTHORITY_TRUSTED_KEYS, null, reason);
  }
}
