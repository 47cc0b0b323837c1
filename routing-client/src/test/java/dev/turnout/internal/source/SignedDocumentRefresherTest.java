package dev.turnout.internal.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.LogCapture;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.DocumentProblem.Kind;
import dev.turnout.authority.DocumentSignatures;
import dev.turnout.source.AuthoritySource;
import dev.turnout.source.FileAuthoritySource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed documents through the refresher: with trusted keys, only documents signed by one of them are
 * installed; any other is rejected like an invalid document, counted once, logged with its reason, and the map
 * in force stays.
 */
class SignedDocumentRefresherTest {

  private static final List<String> CLUSTERS = List.of("onprem", "cloud");
  private static final KeyPair SIGNER = generate();
  private static final KeyPair NEXT = generate();
  private static final KeyPair STRANGER = generate();

  private final AtomicReference<Map<String, String>> document = new AtomicReference<>();
  private final AuthoritySource source = new AuthoritySource() {
    @Override
    public Map<String, String> read() {
      return document.get();
    }

    @Override
    public String description() {
      return "test source";
    }
  };
  private final List<AuthorityRefresher> toClose = new ArrayList<>();

  @TempDir
  Path dir;

  @AfterEach
  void close() {
    toClose.forEach(AuthorityRefresher::close);
  }

  private static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> doc(long epoch, String canaryOwner) {
    Map<String, String> doc = new LinkedHashMap<>();
    doc.put("epoch", Long.toString(epoch));
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    doc.put("rule.orders.topics", "orders");
    doc.put("rule.orders.state", "WRITE_PROMOTION");
    doc.put("rule.orders.slice.canary.keys", "0-999");
    doc.put("rule.orders.slice.canary.owner", canaryOwner);
    doc.put("rule.orders.slice.rest.keys", "1000-9999");
    doc.put("rule.orders.slice.rest.owner", "onprem");
    return doc;
  }

  private static Map<String, String> signed(Map<String, String> doc, KeyPair by) {
    return DocumentSignatures.sign(doc, by.getPrivate());
  }

  private AuthorityRefresher refresher(AuthoritySource from, Collection<PublicKey> trusted) {
    AuthorityRefresher refresher = new AuthorityRefresher(from, CLUSTERS, 1_000, 10_000, "signed-test", trusted);
    toClose.add(refresher);
    return refresher;
  }

  private AuthorityRefresher installed(Map<String, String> first) {
    AuthorityRefresher refresher = refresher(source, List.of(SIGNER.getPublic(), NEXT.getPublic()));
    document.set(first);
    assertThat(refresher.refresh()).as("the signed document is installed").isTrue();
    return refresher;
  }

  /** Reads {@code next} and checks it is rejected for {@code kind} alone while epoch 1 stays in force. */
  private void rejectedKeepingTheMapInForce(Map<String, String> next, Kind kind, String... inDetail) {
    AuthorityRefresher refresher = installed(signed(doc(1, "cloud"), SIGNER));
    try (LogCapture logs = new LogCapture()) {
      document.set(next);

      assertThat(refresher.refresh()).isFalse();
      assertThat(refresher.refresh()).as("read again").isFalse();

      assertThat(refresher.map().epoch()).as("the map in force stays").isEqualTo(1);
      assertThat(refresher.map().ruleFor("orders").slices()).anySatisfy(s -> assertThat(s.owner()).isEqualTo("cloud"));
      assertThat(refresher.lastRejectionProblems()).singleElement().satisfies(p -> {
        assertThat(p.kind()).isEqualTo(kind);
        assertThat(p.detail()).contains(inDetail);
      });
      assertThat(refresher.rejectionCount(kind)).as("counted once").isEqualTo(1);
      assertThat(logs.lines("WARN", "rejected (1 problem): " + kind)).as("logged once with its reason").hasSize(1)
          .allSatisfy(line -> assertThat(line).contains(inDetail).contains("The map of epoch 1 stays in force"));
      assertThat(refresher.diagnosis()).contains(kind.name());
    }
  }

  @Test
  void aLastKnownGoodCacheIsTrustedOnlyWhenItsDocumentIsSigned() {
    Path cache = dir.resolve("last-known-good.properties");
    AuthoritySource down = new AuthoritySource() {
      @Override
      public Map<String, String> read() throws java.io.IOException {
        throw new java.io.IOException("the source is down");
      }

      @Override
      public String description() {
        return "a source that is down";
      }
    };

    // A client that trusts no key caches an unsigned document; one that trusts a key does not start from it.
    AuthorityRefresher unsignedWriter = refresher(source, List.of());
    unsignedWriter.useCache(new LastKnownGood(cache, "writer"));
    document.set(doc(1, "cloud"));
    unsignedWriter.start();
    assertThat(cache).exists();
    AuthorityRefresher strict = refresher(down, List.of(SIGNER.getPublic()));
    strict.useCache(new LastKnownGood(cache, "strict"));
    strict.start();
    assertThat(strict.map()).as("an unsigned cached document is not installed").isNull();
    assertThat(strict.diagnosis()).contains("UNSIGNED");

    // A signed cached document is.
    AuthorityRefresher signedWriter = refresher(source, List.of(SIGNER.getPublic()));
    signedWriter.useCache(new LastKnownGood(cache, "writer"));
    document.set(signed(doc(2, "cloud"), SIGNER));
    signedWriter.start();
    AuthorityRefresher restarted = refresher(down, List.of(SIGNER.getPublic()));
    restarted.useCache(new LastKnownGood(cache, "restarted"));
    restarted.start();
    assertThat(restarted.map()).isNotNull();
    assertThat(restarted.map().epoch()).isEqualTo(2);
  }

  @Test
  void aDocumentSignedByATrustedKeyIsInstalled() {
    AuthorityRefresher refresher = installed(signed(doc(1, "cloud"), SIGNER));

    document.set(signed(doc(2, "onprem"), NEXT));

    assertThat(refresher.refresh()).isTrue();
    assertThat(refresher.map().epoch()).isEqualTo(2);
    assertThat(refresher.lastRejectionProblems()).isEmpty();
  }

  @Test
  void anUnsignedDocumentIsRejected() {
    rejectedKeepingTheMapInForce(doc(2, "onprem"), Kind.UNSIGNED, "not signed",
        DocumentSignatures.keyId(SIGNER.getPublic()), DocumentSignatures.keyId(NEXT.getPublic()));
  }

  @Test
  void aForgedDocumentIsRejected() {
    Map<String, String> genuine = signed(doc(1, "cloud"), SIGNER);
    Map<String, String> forged = doc(2, "onprem");
    forged.put(DocumentSignatures.KEY_ID, genuine.get(DocumentSignatures.KEY_ID));
    forged.put(DocumentSignatures.VALUE, genuine.get(DocumentSignatures.VALUE));

    rejectedKeepingTheMapInForce(forged, Kind.BAD_SIGNATURE, "does not match the document",
        DocumentSignatures.keyId(SIGNER.getPublic()));
  }

  @Test
  void aDocumentSignedByAnUnknownKeyIsRejected() {
    rejectedKeepingTheMapInForce(signed(doc(2, "onprem"), STRANGER), Kind.UNKNOWN_SIGNING_KEY,
        "signed by key " + DocumentSignatures.keyId(STRANGER.getPublic()), "add that key's public key");
  }

  @Test
  void aDocumentAlteredAfterSigningIsRejected() {
    Map<String, String> altered = signed(doc(2, "cloud"), SIGNER);
    altered.put("rule.orders.slice.canary.owner", "onprem");

    rejectedKeepingTheMapInForce(altered, Kind.BAD_SIGNATURE, "changed after signing");
  }

  @Test
  void theSignatureIsCheckedBeforeTheDocumentIsParsed() {
    AuthorityRefresher refresher = refresher(source, List.of(SIGNER.getPublic()));
    Map<String, String> invalidAndUnsigned = doc(1, "elsewhere");
    document.set(invalidAndUnsigned);

    assertThat(refresher.refresh()).isFalse();

    assertThat(refresher.map()).isNull();
    assertThat(refresher.lastRejectionProblems()).extracting(DocumentProblem::kind).containsExactly(Kind.UNSIGNED);
    assertThat(refresher.rejectionCount(Kind.UNKNOWN_CLUSTER)).isZero();
  }

  @Test
  void aValidSignatureDoesNotMakeAnInvalidDocumentValid() {
    AuthorityRefresher refresher = installed(signed(doc(1, "cloud"), SIGNER));
    document.set(signed(doc(2, "elsewhere"), SIGNER));

    assertThat(refresher.refresh()).isFalse();

    assertThat(refresher.map().epoch()).isEqualTo(1);
    assertThat(refresher.lastRejectionProblems()).extracting(DocumentProblem::kind)
        .containsExactly(Kind.UNKNOWN_CLUSTER);
  }

  @Test
  void reSigningTheSameContentWithAnotherTrustedKeyNeedsNoNewEpoch() {
    AuthorityRefresher refresher = installed(signed(doc(1, "cloud"), SIGNER));
    assertThat(refresher.refresh()).as("confirmed").isTrue();

    document.set(signed(doc(1, "cloud"), NEXT));

    assertThat(refresher.refresh()).as("the content is the map in force: no EPOCH_CONFLICT").isTrue();
    assertThat(refresher.map().epoch()).isEqualTo(1);
    assertThat(refresher.lastRejectionProblems()).isEmpty();
  }

  @Test
  void withoutTrustedKeysSignaturesAreNotRequiredNorChecked() {
    AuthorityRefresher refresher = refresher(source, List.of());
    document.set(doc(1, "cloud"));
    assertThat(refresher.refresh()).isTrue();

    Map<String, String> badlySigned = signed(doc(2, "cloud"), STRANGER);
    badlySigned.put("rule.orders.slice.canary.owner", "onprem");
    document.set(badlySigned);

    assertThat(refresher.refresh()).isTrue();
    assertThat(refresher.map().epoch()).isEqualTo(2);
  }

  @Test
  void aSignedFileIsInstalledWhateverTheOrderWhitespaceAndCommentsOfItsLines() throws Exception {
    Map<String, String> signed = signed(doc(7, "cloud"), SIGNER);
    List<String> lines = new ArrayList<>();
    lines.add("# signed authority document");
    signed.forEach((k, v) -> lines.add(0, "  " + k + " =   " + v + "  "));
    Path file = dir.resolve("authority.properties");
    Files.write(file, lines, StandardCharsets.UTF_8);
    AuthorityRefresher refresher = refresher(new FileAuthoritySource(file), List.of(SIGNER.getPublic()));

    assertThat(refresher.refresh()).isTrue();
    assertThat(refresher.map().epoch()).isEqualTo(7);

    Path altered = dir.resolve("authority.tmp");
    Files.writeString(altered, String.join("\n", lines).replace("rule.orders.slice.canary.owner =   cloud",
        "rule.orders.slice.canary.owner = onprem").replace("epoch =   7", "epoch = 8"), StandardCharsets.UTF_8);
    Files.move(altered, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    assertThat(refresher.refresh()).isFalse();
    assertThat(refresher.map().epoch()).isEqualTo(7);
    assertThat(refresher.lastRejectionProblems()).extracting(DocumentProblem::kind).containsExactly(Kind.BAD_SIGNATURE);
  }

  @Test
  void aTrustedKeyThatIsNotEd25519IsRefusedAtConstruction() throws Exception {
    PublicKey rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();

    assertThatThrownBy(() -> refresher(source, List.of(rsa))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected an Ed25519 public key");
  }

  @Test
  void theTrustedKeysAreLoggedByKeyIdAtConstruction() {
    try (LogCapture logs = new LogCapture()) {
      refresher(source, List.of(SIGNER.getPublic()));

      assertThat(logs.lines("INFO", "installed only when signed by a trusted key")).singleElement().asString()
          .contains("[" + DocumentSignatures.keyId(SIGNER.getPublic()) + "]");
    }
  }
}
