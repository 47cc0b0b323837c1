package dev.turnout.internal.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.LogCapture;
import dev.turnout.authority.DocumentSignatures;
import dev.turnout.internal.control.DocumentCandidates.Outcome;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which document of a control topic wins: the newest valid one with the highest epoch. No broker. */
class DocumentCandidatesTest {

  private static final List<String> CLUSTERS = List.of("onprem", "cloud");
  private static final KeyPair SIGNER = generate();
  private static final KeyPair STRANGER = generate();

  private static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static Map<String, String> doc(long epoch, String state) {
    Map<String, String> doc = new LinkedHashMap<>();
    doc.put("epoch", Long.toString(epoch));
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    doc.put("rule.orders.topics", "orders");
    doc.put("rule.orders.state", state);
    return doc;
  }

  static byte[] bytes(Map<String, String> document) {
    StringBuilder text = new StringBuilder("# published by the release tool\n");
    document.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private final DocumentCandidates unsigned = new DocumentCandidates(CLUSTERS, List.of(), "test-client");
  private final DocumentCandidates signed = new DocumentCandidates(CLUSTERS, List.of(SIGNER.getPublic()), "test-client");

  @Test
  void theHighestEpochWinsWhateverTheOrder() {
    assertThat(unsigned.offer(bytes(doc(2, "MIRROR")), "p0 offset 0", true)).isEqualTo(Outcome.WON);
    assertThat(unsigned.offer(bytes(doc(5, "TARGET_AUTHORITY")), "p0 offset 1", true)).isEqualTo(Outcome.WON);
    assertThat(unsigned.offer(bytes(doc(3, "MIRROR")), "p0 offset 2", true)).isEqualTo(Outcome.LOWER);

    assertThat(unsigned.winnerEpoch()).isEqualTo(5);
    assertThat(unsigned.winner()).isEqualTo(doc(5, "TARGET_AUTHORITY"));
    assertThat(unsigned.winnerPlace()).isEqualTo("p0 offset 1");
  }

  @Test
  void anInvalidNewerRecordNeverDisplacesAnOlderValidDocument() {
    try (LogCapture log = new LogCapture()) {
      unsigned.offer(bytes(doc(4, "MIRROR")), "p0 offset 7", true);
      Map<String, String> gap = doc(9, "WRITE_PROMOTION");
      gap.put("rule.orders.slice.a.keys", "0-999");
      gap.put("rule.orders.slice.a.owner", "cloud");

      assertThat(unsigned.offer(bytes(gap), "topic ctl partition 0 offset 8", false)).isEqualTo(Outcome.SKIPPED);
      assertThat(unsigned.offer("epoch=\\u12".getBytes(StandardCharsets.UTF_8), "topic ctl partition 0 offset 9", false))
          .isEqualTo(Outcome.SKIPPED);
      assertThat(unsigned.offer(new byte[0], "topic ctl partition 0 offset 10", false)).isEqualTo(Outcome.SKIPPED);

      assertThat(unsigned.winnerEpoch()).isEqualTo(4);
      assertThat(unsigned.winner()).isEqualTo(doc(4, "MIRROR"));
      assertThat(log.lines("WARN", "topic ctl partition 0 offset 8 skipped")).singleElement().asString()
          .contains("SLICE_GAP", "The document of epoch 4 at p0 offset 7 stays the one read");
      assertThat(log.lines("WARN", "offset 9 skipped")).singleElement().asString().contains("not properties text");
      assertThat(log.lines("WARN", "offset 10 skipped")).singleElement().asString().contains("empty document");
    }
  }

  @Test
  void aDocumentNamingAnUndeclaredAliasIsSkipped() {
    unsigned.offer(bytes(doc(1, "MIRROR")), "offset 0", true);
    Map<String, String> elsewhere = doc(2, "TARGET_AUTHORITY");
    elsewhere.put("target", "attacker");

    try (LogCapture log = new LogCapture()) {
      assertThat(unsigned.offer(bytes(elsewhere), "offset 1", false)).isEqualTo(Outcome.SKIPPED);
      assertThat(log.lines("WARN", "offset 1 skipped")).singleElement().asString().contains("UNKNOWN_CLUSTER",
          "attacker");
    }
    assertThat(unsigned.winnerEpoch()).isEqualTo(1);
  }

  @Test
  void tombstonesAreIgnored() {
    unsigned.offer(bytes(doc(1, "MIRROR")), "offset 0", true);
    assertThat(unsigned.offer(null, "offset 1", false)).isEqualTo(Outcome.TOMBSTONE);
    assertThat(unsigned.winner()).isEqualTo(doc(1, "MIRROR"));
  }

  @Test
  void aLowerEpochIsQuietWhileReadingTheHistoryAndWarnedWhileTailing() {
    unsigned.offer(bytes(doc(5, "MIRROR")), "offset 0", true);
    try (LogCapture log = new LogCapture()) {
      unsigned.offer(bytes(doc(3, "MIRROR")), "offset 1", true);
      assertThat(log.lines("WARN", "epoch 3")).isEmpty();
      unsigned.offer(bytes(doc(4, "MIRROR")), "offset 2", false);
      assertThat(log.lines("WARN", "epoch 4 at offset 2 ignored")).singleElement().asString()
          .contains("epoch above 5");
    }
    assertThat(unsigned.winnerEpoch()).isEqualTo(5);
  }

  @Test
  void theNewestDocumentOfTheHighestEpochWinsAndTheSameDocumentAgainIsNoNews() {
    unsigned.offer(bytes(doc(5, "MIRROR")), "offset 0", true);
    assertThat(unsigned.offer(bytes(doc(5, "MIRROR")), "offset 1", false)).isEqualTo(Outcome.SAME);
    assertThat(unsigned.offer(bytes(doc(5, "DUAL_READ")), "offset 2", false)).isEqualTo(Outcome.WON);
    assertThat(unsigned.winner()).isEqualTo(doc(5, "DUAL_READ"));
  }

  @Test
  void withTrustedKeysOnlyDocumentsSignedByOneOfThemCount() {
    Map<String, String> good = DocumentSignatures.sign(doc(1, "MIRROR"), SIGNER.getPrivate());
    assertThat(signed.offer(bytes(good), "offset 0", true)).isEqualTo(Outcome.WON);

    try (LogCapture log = new LogCapture()) {
      assertThat(signed.offer(bytes(doc(2, "TARGET_AUTHORITY")), "offset 1", false)).isEqualTo(Outcome.SKIPPED);
      Map<String, String> stranger = DocumentSignatures.sign(doc(3, "TARGET_AUTHORITY"), STRANGER.getPrivate());
      assertThat(signed.offer(bytes(stranger), "offset 2", false)).isEqualTo(Outcome.SKIPPED);
      Map<String, String> altered = new LinkedHashMap<>(DocumentSignatures.sign(doc(4, "MIRROR"), SIGNER.getPrivate()));
      altered.put("rule.orders.state", "TARGET_AUTHORITY");
      assertThat(signed.offer(bytes(altered), "offset 3", false)).isEqualTo(Outcome.SKIPPED);
      Map<String, String> forged = new LinkedHashMap<>(doc(5, "TARGET_AUTHORITY"));
      forged.put(DocumentSignatures.KEY_ID, good.get(DocumentSignatures.KEY_ID));
      forged.put(DocumentSignatures.VALUE, good.get(DocumentSignatures.VALUE));
      assertThat(signed.offer(bytes(forged), "offset 4", false)).isEqualTo(Outcome.SKIPPED);

      assertThat(log.lines("WARN", "offset 1 skipped")).singleElement().asString().contains("UNSIGNED");
      assertThat(log.lines("WARN", "offset 2 skipped")).singleElement().asString().contains("UNKNOWN_SIGNING_KEY");
      assertThat(log.lines("WARN", "offset 3 skipped")).singleElement().asString().contains("BAD_SIGNATURE");
      assertThat(log.lines("WARN", "offset 4 skipped")).singleElement().asString().contains("BAD_SIGNATURE");
    }
    assertThat(signed.winnerEpoch()).isEqualTo(1);
    assertThat(signed.winner()).isEqualTo(good);
  }

  @Test
  void theTextIsParsedAsTheFileSourceParsesIt() throws Exception {
    assertThat(PropertiesDocument.parse("# c\n a = b \nc:d\n\n".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Map.of("a", "b ", "c", "d"));
  }
}
