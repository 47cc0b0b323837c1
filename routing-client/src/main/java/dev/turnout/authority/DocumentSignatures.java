package dev.turnout.authority;

import dev.turnout.authority.DocumentProblem.Kind;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Ed25519 signatures of authority documents: a signed document carries {@value #KEY_ID} (which key signed it)
 * and {@value #VALUE} (the base64 signature) beside its content, and a client configured with trusted keys
 * installs only documents signed by one of them.
 *
 * <p>What is signed is the {@linkplain #canonicalForm canonical form} of the content: every key but the
 * {@code signature.*} keys, keys and values trimmed, sorted by key, each as {@code key=value} and a newline,
 * in UTF-8. So the order of the keys, the whitespace around them, comments and the signature keys themselves
 * do not change what is signed. A key is identified by its {@linkplain #keyId key id}, the first 16 hex
 * characters of the SHA-256 of its X.509 (SubjectPublicKeyInfo) encoding.
 *
 * <pre>{@code
 * KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
 * Map<String, String> signed = DocumentSignatures.sign(document, pair.getPrivate());
 * DocumentSignatures.verify(signed, List.of(pair.getPublic()));  // the key id of the signer
 * }</pre>
 *
 * <p>Keys are read with {@link #publicKey(String)} and {@link #privateKey(String)} from PEM
 * ({@code -----BEGIN PUBLIC KEY-----}, X.509; {@code -----BEGIN PRIVATE KEY-----}, PKCS#8) or bare base64 of
 * the same encodings. Nothing here performs I/O.
 */
public final class DocumentSignatures {

  /** The document key naming the key that signed it: its {@linkplain #keyId key id}. */
  public static final String KEY_ID = "signature.key-id";
  /** The document key holding the base64 Ed25519 signature of the {@linkplain #canonicalForm canonical form}. */
  public static final String VALUE = "signature.value";
  /** The prefix of the signature keys, which the canonical form leaves out. */
  public static final String PREFIX = "signature.";
  /** The signature algorithm (and the algorithm of every key), available in the JDK since 15. */
  public static final String ALGORITHM = "Ed25519";

  private static final int SIGNATURE_BYTES = 64;
  private static final int KEY_ID_CHARS = 16;
  private static final String PUBLIC_PEM = "PUBLIC KEY";
  private static final String PRIVATE_PEM = "PRIVATE KEY";

  private DocumentSignatures() {}

  /** The key id and key of a verified signature. */
  public record Verified(String keyId, PublicKey key) {

    public Verified {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * What is signed: every key of {@code document} except the {@code signature.*} keys, keys and values trimmed
   * (a {@code null} value as empty), sorted by key ({@link String} natural order), each as {@code key=value}
   * followed by {@code \n}. In the rare key or value holding a backslash, a line break or (in keys) {@code =},
   * those are escaped as {@code \\}, {@code \n}, {@code \r} and {@code \=}, so that two different documents
   * never share a canonical form. Sign and verify its UTF-8 bytes.
   *
   * @throws IllegalArgumentException when a key is {@code null} or two keys are the same once trimmed (which
   *     one counts would be ambiguous)
   */
  public static String canonicalForm(Map<String, String> document) {
    StringBuilder text = new StringBuilder();
    content(document).forEach((key, value) -> text.append(escape(key, true)).append('=')
        .append(escape(value, false)).append('\n'));
    return text.toString();
  }

  /**
   * The key id of an Ed25519 public key: the first 16 lower-case hex characters of the SHA-256 of its X.509
   * (SubjectPublicKeyInfo) encoding. Names the key in documents, logs and errors instead of the key itself.
   *
   * @throws IllegalArgumentException when {@code key} is not an Ed25519 key
   */
  public static String keyId(PublicKey key) {
    requireEd25519(key, "public");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest).substring(0, KEY_ID_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JDK", e);
    }
  }

  /**
   * The document signed with {@code key}: a new map with the content of {@code document} (any previous
   * signature keys replaced) and {@value #KEY_ID} and {@value #VALUE} set. Ed25519 signatures are
   * deterministic: signing the same content with the same key gives the same document.
   *
   * @throws IllegalArgumentException when {@code key} is not an Ed25519 private key, or for a document that
   *     has no canonical form ({@link #canonicalForm})
   */
  public static Map<String, String> sign(Map<String, String> document, PrivateKey key) {
    requireEd25519(key, "private");
    PublicKey publicKey = publicKeyOf(key);
    String canonical = canonicalForm(document);
    byte[] signature;
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key);
      signer.update(canonical.getBytes(StandardCharsets.UTF_8));
      signature = signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this " + ALGORITHM + " private key: " + e.getMessage(), e);
    }
    if (!matches(publicKey, canonical, signature)) {
      throw new IllegalStateException("the public key derived from the private key does not verify its own "
          + "signature; this JDK's " + ALGORITHM + " provider is not supported for signing");
    }
    Map<String, String> signed = new LinkedHashMap<>();
    document.forEach((k, v) -> {
      if (!isSignatureKey(k)) {
        signed.put(k, v);
      }
    });
    signed.put(KEY_ID, keyId(publicKey));
    signed.put(VALUE, Base64.getEncoder().encodeToString(signature));
    return signed;
  }

  /**
   * Checks that {@code document} carries a valid signature by one of {@code trusted}.
   *
   * @return the key id and key of the signer
   * @throws InvalidAuthorityDocumentException with one problem otherwise: {@link Kind#UNSIGNED} (no
   *     {@value #VALUE}), {@link Kind#UNKNOWN_SIGNING_KEY} (signed by a key not trusted) or
   *     {@link Kind#BAD_SIGNATURE} (altered after signing, the signature of another document, or a malformed
   *     signature), each saying which key and what to do
   * @throws IllegalArgumentException when {@code trusted} is empty or holds a key that is not Ed25519
   */
  public static Verified verify(Map<String, String> document, Collection<PublicKey> trusted) {
    Map<String, PublicKey> byId = trustedById(trusted);
    String value = signatureKey(document, VALUE);
    String keyId = signatureKey(document, KEY_ID);
    if (value == null) {
      throw rejected(Kind.UNSIGNED, (keyId == null ? "the document is not signed"
          : "the document names " + KEY_ID + " " + keyId + " but has no " + VALUE) + ", and only documents signed "
          + "by a trusted key " + byId.keySet() + " are installed: sign it with one of them (" + KEY_ID + " and "
          + VALUE + ")");
    }
    if (keyId == null) {
      throw rejected(Kind.BAD_SIGNATURE, "the document has " + VALUE + " but no " + KEY_ID + " naming the key "
          + "that signed it: sign it again (both keys are written by signing)");
    }
    PublicKey key = byId.get(keyId.toLowerCase(Locale.ROOT));
    if (key == null) {
      throw rejected(Kind.UNKNOWN_SIGNING_KEY, "the document is signed by key " + keyId + ", which is not among "
          + "the trusted keys " + byId.keySet() + ": sign it with a trusted key, or add that key's public key to "
          + "the trusted keys");
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      signature = null;
    }
    if (signature == null || signature.length != SIGNATURE_BYTES) {
      throw rejected(Kind.BAD_SIGNATURE, VALUE + " is not the base64 of a " + SIGNATURE_BYTES + "-byte "
          + ALGORITHM + " signature: sign the document again with key " + keyId);
    }
    String canonical;
    try {
      canonical = canonicalForm(document);
    } catch (IllegalArgumentException e) {
      throw rejected(Kind.BAD_SIGNATURE, "the signed content is ambiguous: " + e.getMessage());
    }
    if (!matches(key, canonical, signature)) {
      throw rejected(Kind.BAD_SIGNATURE, "the signature by key " + keyId + " does not match the document: it "
          + "was changed after signing, or the signature belongs to another document. Check the content and sign "
          + "it again with key " + keyId);
    }
    return new Verified(keyId(key), key);
  }

  /**
   * An Ed25519 public key from PEM ({@code -----BEGIN PUBLIC KEY-----}) or bare base64 of its X.509
   * (SubjectPublicKeyInfo) encoding.
   *
   * @throws IllegalArgumentException saying why the text is not such a key (never quoting it)
   */
  public static PublicKey publicKey(String text) {
    byte[] encoded = decodePem(text, PUBLIC_PEM);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("not an X.509 " + ALGORITHM + " public key (" + e.getMessage() + ")", e);
    }
  }

  /**
   * An Ed25519 private key from PEM ({@code -----BEGIN PRIVATE KEY-----}) or bare base64 of its PKCS#8
   * encoding.
   *
   * @throws IllegalArgumentException saying why the text is not such a key (never quoting it)
   */
  public static PrivateKey privateKey(String text) {
    byte[] encoded = decodePem(text, PRIVATE_PEM);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(encoded));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("not a PKCS#8 " + ALGORITHM + " private key (" + e.getMessage() + ")", e);
    }
  }

  /** Whether {@code key} is one of the signature keys ({@code signature.*}, trimmed) that are not content. */
  static boolean isSignatureKey(String key) {
    return key != null && key.trim().startsWith(PREFIX);
  }

  /** The content of a document: keys and values trimmed, signature keys left out, sorted. */
  private static SortedMap<String, String> content(Map<String, String> document) {
    SortedMap<String, String> content = new TreeMap<>();
    document.forEach((k, v) -> {
      if (k == null) {
        throw new IllegalArgumentException("the document has a null key");
      }
      if (isSignatureKey(k)) {
        return;
      }
      String key = k.trim();
      if (content.put(key, v == null ? "" : v.trim()) != null) {
        throw new IllegalArgumentException("two keys are '" + key + "' once trimmed; keep one");
      }
    });
    return content;
  }

  private static String escape(String text, boolean key) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String escaped = switch (c) {
        case '\\' -> "\\\\";
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        case '=' -> key ? "\\=" : null;
        default -> null;
      };
      if (escaped != null && out == null) {
        out = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      if (out != null) {
        if (escaped != null) {
          out.append(escaped);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }

  private static Map<String, PublicKey> trustedById(Collection<PublicKey> trusted) {
    if (trusted.isEmpty()) {
      throw new IllegalArgumentException("no trusted key: verifying needs at least one " + ALGORITHM
          + " public key");
    }
    Map<String, PublicKey> byId = new LinkedHashMap<>();
    for (PublicKey key : trusted) {
      byId.put(keyId(key), key);
    }
    return byId;
  }

  private static boolean matches(PublicKey key, String canonical, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(canonical.getBytes(StandardCharsets.UTF_8));
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * The public key of an Ed25519 private key: the JDK's key pair generator derives it from the private key's
   * 32 bytes, handed to it as its randomness.
   */
  private static PublicKey publicKeyOf(PrivateKey key) {
    byte[] seed = ((EdECPrivateKey) key).getBytes()
        .orElseThrow(() -> new IllegalArgumentException("the private key does not expose its bytes (a hardware "
            + "or non-extractable key): sign with an extractable " + ALGORITHM + " key"));
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
      generator.initialize(NamedParameterSpec.ED25519, new FixedBytes(seed));
      return generator.generateKeyPair().getPublic();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the " + ALGORITHM + " public key: " + e.getMessage(), e);
    }
  }

  private static void requireEd25519(java.security.Key key, String what) {
    Objects.requireNonNull(key, what + " key");
    boolean ed25519 = key instanceof EdECKey ed && ed.getParams().getName().equalsIgnoreCase(ALGORITHM)
        && (what.equals("public") ? key instanceof PublicKey : key instanceof EdECPrivateKey);
    if (!ed25519) {
      throw new IllegalArgumentException("expected an " + ALGORITHM + " " + what + " key, got a "
          + key.getAlgorithm() + " key");
    }
  }

  /** PEM with the given label, or bare base64; whitespace ignored. */
  private static byte[] decodePem(String text, String label) {
    Objects.requireNonNull(text, "key text");
    String body = text.strip();
    if (body.startsWith("-----BEGIN ")) {
      int headerEnd = body.indexOf("-----", "-----BEGIN ".length());
      String found = headerEnd < 0 ? "" : body.substring("-----BEGIN ".length(), headerEnd);
      if (!found.equals(label)) {
        throw new IllegalArgumentException("expected PEM '-----BEGIN " + label + "-----', found '-----BEGIN "
            + found + "-----'" + (found.equals(PRIVATE_PEM) ? ": this is a private key; only public keys are "
            + "trusted, and a private key must stay with the signer" : ""));
      }
      String footer = "-----END " + label + "-----";
      int end = body.indexOf(footer);
      if (end < 0) {
        throw new IllegalArgumentException("PEM without its line '" + footer + "'");
      }
      body = body.substring(headerEnd + "-----".length(), end);
    }
    try {
      return Base64.getDecoder().decode(body.replaceAll("\\s+", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("neither PEM nor base64 (" + e.getMessage() + ")", e);
    }
  }

  /** The trimmed value of a signature key, whose key is trimmed too (as every key), or {@code null}. */
  private static String signatureKey(Map<String, String> document, String name) {
    for (Map.Entry<String, String> e : document.entrySet()) {
      String value = e.getValue();
      if (e.getKey() != null && e.getKey().trim().equals(name) && value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return null;
  }

  private static InvalidAuthorityDocumentException rejected(Kind kind, String detail) {
    return new InvalidAuthorityDocumentException(List.of(new DocumentProblem(kind, detail)));
  }

  /** Randomness that hands out fixed bytes: makes the key pair generator derive the pair of a known private key. */
  private static final class FixedBytes extends SecureRandom {

    private static final long serialVersionUID = 1L;
    private final byte[] bytes;

    FixedBytes(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    @Override
    public void nextBytes(byte[] out) {
      if (out.length != bytes.length) {
        throw new IllegalStateException("expected a request for " + bytes.length + " bytes, got " + out.length);
      }
      System.arraycopy(bytes, 0, out, 0, out.length);
    }
  }
}
