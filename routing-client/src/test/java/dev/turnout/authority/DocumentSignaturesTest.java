package dev.turnout.authority;

import static dev.turnout.authority.AuthorityDocs.CLUSTERS;
import static dev.turnout.authority.AuthorityDocs.example;
import static dev.turnout.authority.AuthorityDocs.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.turnout.authority.DocumentProblem.Kind;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DocumentSignaturesTest {

  static final KeyPair SIGNER = generate("Ed25519");
  static final KeyPair OTHER = generate("Ed25519");

  static KeyPair generate(String algorithm) {
    try {
      return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DocumentProblem rejection(Map<String, String> document, List<PublicKey> trusted) {
    InvalidAuthorityDocumentException e = catchThrowableOfType(InvalidAuthorityDocumentException.class,
        () -> DocumentSignatures.verify(document, trusted));
    assertThat(e).as("the document is rejected").isNotNull();
    assertThat(e.problems()).hasSize(1);
    return e.problems().get(0);
  }

  @Nested
  class CanonicalForm {

    @Test
    void isTheTrimmedKeysAndValuesSortedByKeyOnePerLine() {
      Map<String, String> doc = new LinkedHashMap<>();
      doc.put("target", "cloud");
      doc.put("epoch", "3");
      doc.put("rule.o.topics", "orders");
      doc.put("rule.o.state", "MIRROR");
      doc.put("source", "onprem");

      assertThat(DocumentSignatures.canonicalForm(doc)).isEqualTo(
          "epoch=3\nrule.o.state=MIRROR\nrule.o.topics=orders\nsource=onprem\ntarget=cloud\n");
    }

    @Test
    void doesNotDependOnOrderWhitespaceOrTheSignatureKeys() {
      Map<String, String> reordered = new TreeMap<>(java.util.Comparator.reverseOrder());
      example().forEach((k, v) -> reordered.put("  " + k + "\t", " " + v + "  "));
      reordered.put(DocumentSignatures.KEY_ID, "0123456789abcdef");
      reordered.put(DocumentSignatures.VALUE, "c2lnbmF0dXJl");

      assertThat(DocumentSignatures.canonicalForm(reordered)).isEqualTo(DocumentSignatures.canonicalForm(example()));
    }

    @Test
    void escapesLineBreaksBackslashesAndEqualsInKeysSoThatNoTwoDocumentsShareIt() {
      Map<String, String> oneKey = Map.of("rule.o.state", "MIRROR\nrule.o.topics=orders");
      Map<String, String> twoKeys = Map.of("rule.o.state", "MIRROR", "rule.o.topics", "orders");
      Map<String, String> keyWithEquals = Map.of("a=b", "c");
      Map<String, String> valueWithEquals = Map.of("a", "b=c");

      assertThat(DocumentSignatures.canonicalForm(oneKey)).isEqualTo("rule.o.state=MIRROR\\nrule.o.topics=orders\n")
          .isNotEqualTo(DocumentSignatures.canonicalForm(twoKeys));
      assertThat(DocumentSignatures.canonicalForm(keyWithEquals)).isEqualTo("a\\=b=c\n")
          .isNotEqualTo(DocumentSignatures.canonicalForm(valueWithEquals));
      assertThat(DocumentSignatures.canonicalForm(Map.of("a", "x\\y\r"))).isEqualTo("a=x\\\\y\n");
      assertThat(DocumentSignatures.canonicalForm(Map.of("a", "x\\ry"))).isEqualTo("a=x\\\\ry\n");
      assertThat(DocumentSignatures.canonicalForm(Map.of("a", "x\ry"))).isEqualTo("a=x\\ry\n");
    }

    @Test
    void twoKeysThatAreTheSameOnceTrimmedHaveNone() {
      Map<String, String> doc = new LinkedHashMap<>();
      doc.put("epoch", "1");
      doc.put("epoch ", "2");

      assertThatThrownBy(() -> DocumentSignatures.canonicalForm(doc)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'epoch'");
    }
  }

  @Nested
  class Keys {

    @Test
    void theKeyIdIsTheStartOfTheSha256OfTheX509Encoding() throws Exception {
      PublicKey key = SIGNER.getPublic();
      String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()))
          .substring(0, 16);

      assertThat(DocumentSignatures.keyId(key)).isEqualTo(expected).matches("[0-9a-f]{16}");
      assertThat(DocumentSignatures.keyId(OTHER.getPublic())).isNotEqualTo(expected);
    }

    @Test
    void keysAreReadFromPemAndFromBareBase64() {
      String publicBase64 = Base64.getEncoder().encodeToString(SIGNER.getPublic().getEncoded());
      String privateBase64 = Base64.getEncoder().encodeToString(SIGNER.getPrivate().getEncoded());
      String publicPem = "-----BEGIN PUBLIC KEY-----\n" + publicBase64 + "\n-----END PUBLIC KEY-----\n";
      String privatePem = "-----BEGIN PRIVATE KEY-----\r\n" + Base64.getMimeEncoder().encodeToString(
          SIGNER.getPrivate().getEncoded()) + "\r\n-----END PRIVATE KEY-----";

      assertThat(DocumentSignatures.publicKey(publicBase64)).isEqualTo(SIGNER.getPublic());
      assertThat(DocumentSignatures.publicKey("  " + publicPem)).isEqualTo(SIGNER.getPublic());
      Map<String, String> signed = DocumentSignatures.sign(example(), DocumentSignatures.privateKey(privatePem));
      assertThat(DocumentSignatures.verify(signed, List.of(SIGNER.getPublic())).keyId())
          .isEqualTo(DocumentSignatures.keyId(SIGNER.getPublic()));
      assertThat(DocumentSignatures.sign(example(), DocumentSignatures.privateKey(privateBase64))).isEqualTo(signed);
    }

    @Test
    void textThatIsNotAnEd25519KeyIsRejectedWithoutQuotingIt() {
      String rsa = Base64.getEncoder().encodeToString(generate("RSA").getPublic().getEncoded());
      String privatePem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getEncoder().encodeToString(SIGNER.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----";

      assertThatThrownBy(() -> DocumentSignatures.publicKey(rsa)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("not an X.509 Ed25519 public key").hasMessageNotContaining(rsa.substring(0, 20));
      assertThatThrownBy(() -> DocumentSignatures.publicKey("not a key!")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("neither PEM nor base64");
      assertThatThrownBy(() -> DocumentSignatures.publicKey(privatePem)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("this is a private key").hasMessageNotContaining(privatePem.substring(30, 60));
      assertThatThrownBy(() -> DocumentSignatures.privateKey(rsa)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("not a PKCS#8 Ed25519 private key");
      assertThatThrownBy(() -> DocumentSignatures.publicKey("-----BEGIN PUBLIC KEY-----\nMCow"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-----END PUBLIC KEY-----");
    }

    @Test
    void otherAlgorithmsAreRefusedForSigningAndTrust() {
      KeyPair ed448 = generate("Ed448");

      assertThatThrownBy(() -> DocumentSignatures.sign(example(), ed448.getPrivate()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected an Ed25519 private key");
      assertThatThrownBy(() -> DocumentSignatures.sign(example(), generate("RSA").getPrivate()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got a RSA key");
      assertThatThrownBy(() -> DocumentSignatures.keyId(ed448.getPublic()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected an Ed25519 public key");
      assertThatThrownBy(() -> DocumentSignatures.verify(example(), List.of()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no trusted key");
    }
  }

  @Nested
  class SignAndVerify {

    @Test
    void aSignedDocumentVerifiesAndNamesItsSigner() {
      Map<String, String> signed = DocumentSignatures.sign(example(), SIGNER.getPrivate());

      assertThat(signed).containsAllEntriesOf(example()).hasSize(example().size() + 2)
          .containsEntry(DocumentSignatures.KEY_ID, DocumentSignatures.keyId(SIGNER.getPublic()));
      assertThat(Base64.getDecoder().decode(signed.get(DocumentSignatures.VALUE))).hasSize(64);
      DocumentSignatures.Verified verified =
          DocumentSignatures.verify(signed, List.of(OTHER.getPublic(), SIGNER.getPublic()));
      assertThat(verified.keyId()).isEqualTo(DocumentSignatures.keyId(SIGNER.getPublic()));
      assertThat(verified.key()).isEqualTo(SIGNER.getPublic());
    }

    @Test
    void signingIsDeterministicAndReplacesAnEarlierSignature() {
      Map<String, String> once = DocumentSignatures.sign(example(), SIGNER.getPrivate());
      Map<String, String> byOther = DocumentSignatures.sign(example(), OTHER.getPrivate());

      assertThat(DocumentSignatures.sign(example(), SIGNER.getPrivate())).isEqualTo(once);
      assertThat(DocumentSignatures.sign(byOther, SIGNER.getPrivate())).isEqualTo(once);
    }

    @Test
    void theSignatureSurvivesReorderingAndWhitespace() {
      Map<String, String> signed = DocumentSignatures.sign(example(), SIGNER.getPrivate());
      Map<String, String> reordered = new TreeMap<>(java.util.Comparator.reverseOrder());
      signed.forEach((k, v) -> reordered.put(" " + k, v + " "));

      assertThat(DocumentSignatures.verify(reordered, List.of(SIGNER.getPublic())).keyId())
          .isEqualTo(DocumentSignatures.keyId(SIGNER.getPublic()));
    }

    @Test
    void anUnsignedDocumentIsUnsigned() {
      DocumentProblem problem = rejection(example(), List.of(SIGNER.getPublic()));

      assertThat(problem.kind()).isEqualTo(Kind.UNSIGNED);
      assertThat(problem.detail()).contains("not signed", DocumentSignatures.keyId(SIGNER.getPublic()),
          "sign it with one of them");
    }

    @Test
    void aKeyIdWithoutSignatureIsUnsignedAndASignatureWithoutKeyIdIsBad() {
      Map<String, String> signed = DocumentSignatures.sign(example(), SIGNER.getPrivate());

      assertThat(rejection(with(signed, DocumentSignatures.VALUE, null), List.of(SIGNER.getPublic())).kind())
          .isEqualTo(Kind.UNSIGNED);
      assertThat(rejection(with(signed, DocumentSignatures.KEY_ID, null), List.of(SIGNER.getPublic())))
          .satisfies(p -> assertThat(p.kind()).isEqualTo(Kind.BAD_SIGNATURE))
          .satisfies(p -> assertThat(p.detail()).contains("no signature.key-id"));
    }

    @Test
    void aDocumentSignedByAKeyNotTrustedIsAnUnknownSigningKey() {
      Map<String, String> signed = DocumentSignatures.sign(example(), OTHER.getPrivate());

      DocumentProblem problem = rejection(signed, List.of(SIGNER.getPublic()));

      assertThat(problem.kind()).isEqualTo(Kind.UNKNOWN_SIGNING_KEY);
      assertThat(problem.detail()).contains("signed by key " + DocumentSignatures.keyId(OTHER.getPublic()),
          "not among the trusted keys [" + DocumentSignatures.keyId(SIGNER.getPublic()) + "]");
    }

    @Test
    void aDocumentAlteredAfterSigningHasABadSignature() {
      Map<String, String> signed = DocumentSignatures.sign(example(), SIGNER.getPrivate());
      Map<String, String> altered = with(signed, "rule.orders.slice.canary.owner", "onprem",
          "rule.orders.slice.rest.owner", "cloud");

      DocumentProblem problem = rejection(altered, List.of(SIGNER.getPublic()));

      assertThat(problem.kind()).isEqualTo(Kind.BAD_SIGNATURE);
      assertThat(problem.detail()).contains("does not match the document", "changed after signing",
          DocumentSignatures.keyId(SIGNER.getPublic()));
      assertThat(rejection(with(signed, "colour", "blue"), List.of(SIGNER.getPublic())).kind())
          .as("an added key").isEqualTo(Kind.BAD_SIGNATURE);
      assertThat(rejection(with(signed, "rule.audit.state", null), List.of(SIGNER.getPublic())).kind())
          .as("a removed key").isEqualTo(Kind.BAD_SIGNATURE);
    }

    @Test
    void theSignatureOfAnotherDocumentIsABadSignature() {
      Map<String, String> other = DocumentSignatures.sign(with(example(), "epoch", "13"), SIGNER.getPrivate());
      Map<String, String> forged = with(example(), DocumentSignatures.KEY_ID, other.get(DocumentSignatures.KEY_ID),
          DocumentSignatures.VALUE, other.get(DocumentSignatures.VALUE));

      assertThat(rejection(forged, List.of(SIGNER.getPublic())).kind()).isEqualTo(Kind.BAD_SIGNATURE);
    }

    @Test
    void aMalformedSignatureIsABadSignature() {
      String keyId = DocumentSignatures.keyId(SIGNER.getPublic());
      for (String value : List.of("not base64!", Base64.getEncoder().encodeToString(new byte[63]))) {
        Map<String, String> doc = with(example(), DocumentSignatures.KEY_ID, keyId, DocumentSignatures.VALUE, value);
        DocumentProblem problem = rejection(doc, List.of(SIGNER.getPublic()));
        assertThat(problem.kind()).as(value).isEqualTo(Kind.BAD_SIGNATURE);
        assertThat(problem.detail()).as(value).contains("not the base64 of a 64-byte Ed25519 signature");
      }
    }
  }

  @Nested
  class Parsing {

    @Test
    void theSignatureKeysAreNotContentOfTheMap() {
      Map<String, String> signed = DocumentSignatures.sign(example(), SIGNER.getPrivate());

      AuthorityMap map = AuthorityMap.parse(signed, CLUSTERS);

      assertThat(map.document()).doesNotContainKeys(DocumentSignatures.KEY_ID, DocumentSignatures.VALUE);
      assertThat(map.sameDocument(AuthorityMap.parse(example(), CLUSTERS))).isTrue();
      assertThat(map.sameDocument(AuthorityMap.parse(DocumentSignatures.sign(example(), OTHER.getPrivate()),
          CLUSTERS))).as("re-signed by another key, the content is the same").isTrue();
    }

    @Test
    void keyCountDoesNotCountTheSignatureKeys() {
      Map<String, String> counted = with(example(), "key-count", Integer.toString(example().size() + 1));
      Map<String, String> signed = DocumentSignatures.sign(counted, SIGNER.getPrivate());

      assertThat(AuthorityMap.parse(signed, CLUSTERS).epoch()).isEqualTo(12);
    }

    @Test
    void anyOtherSignatureKeyIsUnknown() {
      Map<String, String> doc = with(DocumentSignatures.sign(example(), SIGNER.getPrivate()), "signature.algorithm",
          "Ed25519");

      InvalidAuthorityDocumentException e = catchThrowableOfType(InvalidAuthorityDocumentException.class,
          () -> AuthorityMap.parse(doc, CLUSTERS));

      assertThat(e.problems()).singleElement().satisfies(p -> {
        assertThat(p.kind()).isEqualTo(Kind.UNKNOWN_KEY);
        assertThat(p.detail()).contains("'signature.algorithm'", "signature.key-id and signature.value");
      });
    }

    @Test
    void theCanonicalFormIsSignedAsUtf8() {
      String canonical = DocumentSignatures.canonicalForm(Map.of("k", "\u00e9"));

      assertThat(canonical.getBytes(StandardCharsets.UTF_8)).containsExactly('k', '=', 0xC3, 0xA9, '\n');
    }
  }

  /** The signed example of docs/authority-document.md verifies with the public key shown beside it. */
  @Test
  void theSignedExampleOfTheDocsVerifies() throws Exception {
    String page = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/authority-document.md"));
    String section = page.substring(page.indexOf("### Format"));
    String properties = section.substring(section.indexOf("```properties") + "```properties".length(),
        section.indexOf("```", section.indexOf("```properties") + 3));
    String pem = section.substring(section.indexOf("-----BEGIN PUBLIC KEY-----"),
        section.indexOf("-----END PUBLIC KEY-----") + "-----END PUBLIC KEY-----".length());
    java.util.Properties loaded = new java.util.Properties();
    loaded.load(new java.io.StringReader(properties));
    Map<String, String> document = new TreeMap<>();
    loaded.stringPropertyNames().forEach(k -> document.put(k, loaded.getProperty(k)));
    PublicKey key = DocumentSignatures.publicKey(pem);

    assertThat(DocumentSignatures.verify(document, List.of(key)).keyId()).isEqualTo("bcfaf739fb7d6291")
        .isEqualTo(document.get(DocumentSignatures.KEY_ID));
    assertThat(AuthorityMap.parse(document, List.of("onprem", "cloud")).epoch()).isEqualTo(13);
  }
}
