package dev.turnout.internal.source;

import dev.turnout.authority.DocumentSignatures;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import java.security.PublicKey;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signature requirement of a refresher: with trusted keys, a document read is installed only when it
 * carries a valid signature by one of them ({@link DocumentSignatures#verify}); without, signatures are not
 * checked. The check runs before the document is parsed, so an unsigned or forged document is rejected for
 * that alone.
 */
final class SignatureCheck {

  private static final Logger log = LoggerFactory.getLogger(SignatureCheck.class);

  private final List<PublicKey> trusted;
  private final String owner;

  /**
   * @param trusted Ed25519 public keys; empty: signatures are not required
   * @throws IllegalArgumentException when a key is not an Ed25519 public key
   */
  SignatureCheck(Collection<PublicKey> trusted, String owner) {
    this.trusted = List.copyOf(trusted);
    this.owner = owner;
    if (!this.trusted.isEmpty()) {
      log.info("[{}] Authority documents are installed only when signed by a trusted key: {}", owner,
          this.trusted.stream().map(DocumentSignatures::keyId).toList());
    }
  }

  /**
   * Checks the signature of a document read, when signatures are required.
   *
   * @throws InvalidAuthorityDocumentException with {@code UNSIGNED}, {@code UNKNOWN_SIGNING_KEY} or
   *     {@code BAD_SIGNATURE} when the document is not signed by a trusted key
   */
  void check(Map<String, String> document) {
    if (trusted.isEmpty()) {
      return;
    }
    DocumentSignatures.Verified verified = DocumentSignatures.verify(document, trusted);
    log.debug("[{}] The authority document read is signed by trusted key {}", owner, verified.keyId());
  }
}
