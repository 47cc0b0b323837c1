package dev.turnout.cli;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.DocumentSignatures;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One document checked as a client would check it: parsed against the cluster aliases (a client's
 * {@code turnout.clusters}, or the aliases the document names) and, with trusted keys, its signature verified.
 * Unlike a client, which reports a signature problem alone, every problem is listed.
 *
 * @param map the parsed map, {@code null} when the document is invalid
 * @param problems every problem found; empty when valid
 * @param signedBy the key id of a verified signature, or of the signature the document names without trusted
 *     keys to check it; {@code null} when unsigned
 * @param signatureVerified whether the signature was checked against trusted keys and holds
 */
record DocumentCheck(AuthorityMap map, List<DocumentProblem> problems, String signedBy, boolean signatureVerified) {

  static DocumentCheck of(Map<String, String> document, List<String> clusters, List<PublicKey> trustedKeys) {
    List<DocumentProblem> problems = new ArrayList<>();
    String signedBy = document.get(DocumentSignatures.KEY_ID);
    boolean verified = false;
    if (!trustedKeys.isEmpty()) {
      try {
        signedBy = DocumentSignatures.verify(document, trustedKeys).keyId();
        verified = true;
      } catch (InvalidAuthorityDocumentException e) {
        problems.addAll(e.problems());
      }
    }
    AuthorityMap map = null;
    try {
      map = Documents.parse(document, clusters);
    } catch (InvalidAuthorityDocumentException e) {
      problems.addAll(e.problems());
    }
    return new DocumentCheck(problems.isEmpty() ? map : null, List.copyOf(problems), signedBy, verified);
  }

  boolean valid() {
    return problems.isEmpty();
  }
}
