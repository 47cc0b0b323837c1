package dev.turnout.internal.reconcile;

import static dev.turnout.internal.reconcile.Docs.headers;
import static dev.turnout.internal.reconcile.Docs.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RecordClassifierTest {

  private static Scope scope(String slice) {
    return new Scope("orders", slice, 2, 3, new EpochDocuments(List.of(Docs.mirror(1), Docs.split(2, 1000))),
        Map.of(), null);
  }

  private final RecordClassifier classifier = new RecordClassifier(scope(null), "cloud");

  @Test
  void aRecordRoutedToTheTargetWhoseKeyTheTargetOwnsIsACandidate() {
    byte[] key = key(1000, true, 0);
    Verdict v = classifier.classify(key, headers("cloud/2/orders/moved", 1));
    assertThat(v.outcome()).isEqualTo(Verdict.Outcome.CANDIDATE);
    assertThat(v.bucket()).isEqualTo(AuthorityMap.bucket(key));
    assertThat(v.stamp().epoch()).isEqualTo(2);
  }

  @Test
  void aLaterEpochWithoutItsOwnDocumentIsCheckedAgainstTheNearestLowerOne() {
    assertThat(classifier.classify(key(1000, true, 1), headers("cloud/3/orders/moved", 1)).outcome())
        .isEqualTo(Verdict.Outcome.CANDIDATE);
  }

  @Test
  void recordsThatAreNotTargetOnlyAreSkippedWithTheirReason() {
    byte[] key = key(1000, true, 0);
    assertThat(classifier.classify(key, headers("onprem/2/orders/rest", 1)).skip()).isEqualTo(Skip.REPLICATED);
    assertThat(classifier.classify(key, headers("cloud/2/invoices/moved", 1)).skip()).isEqualTo(Skip.OTHER_RULE);
    assertThat(classifier.classify(key, headers("cloud/4/orders/moved", 1)).skip()).isEqualTo(Skip.OTHER_EPOCH);
    assertThat(classifier.classify(key, headers("cloud/1/orders/-", 1)).skip()).isEqualTo(Skip.OTHER_EPOCH);
    RecordHeaders copy = headers("cloud/2/orders/moved", 1);
    copy.add(ProvenanceHeaders.reconciledHeader("cloud", 0, 5));
    assertThat(classifier.classify(key, copy).skip()).isEqualTo(Skip.RECONCILED_COPY);
    assertThat(new RecordClassifier(scope("other"), "cloud").classify(key, headers("cloud/2/orders/moved", 1)).skip())
        .isEqualTo(Skip.OTHER_SLICE);
  }

  @Test
  void aRecordWithoutValidProvenanceHasNone() {
    assertThat(classifier.classify(null, headers(null, 0)).outcome()).isEqualTo(Verdict.Outcome.NO_PROVENANCE);
    assertThat(classifier.classify(null, headers("garbage", 1)).outcome()).isEqualTo(Verdict.Outcome.NO_PROVENANCE);
  }

  @Test
  void aKeyTheDocumentGivesToTheSourceIsNotOnTheTarget() {
    Verdict v = classifier.classify(key(1000, false, 0), headers("cloud/2/orders/moved", 1));
    assertThat(v.outcome()).isEqualTo(Verdict.Outcome.NOT_ON_TARGET);
    assertThat(v.detail()).contains("epoch 2", "slice 'rest'", "'onprem'");
    Verdict nullKey = classifier.classify(null, headers("cloud/2/orders/null-key", 1));
    assertThat(nullKey.outcome()).isEqualTo(Verdict.Outcome.NOT_ON_TARGET);
    assertThat(nullKey.detail()).contains("null keys");
  }

  @Test
  void onlyRecordsRoutedToTheTargetByTheRuleInTheEpochsDefineARange() {
    assertThat(classifier.routedToTargetInRange(ProvenanceHeaders.parseRoute("cloud/2/orders/x".getBytes()))).isTrue();
    assertThat(classifier.routedToTargetInRange(ProvenanceHeaders.parseRoute("onprem/2/orders/x".getBytes())))
        .isFalse();
    assertThat(classifier.routedToTargetInRange(ProvenanceHeaders.parseRoute("cloud/1/orders/x".getBytes())))
        .isFalse();
    assertThat(classifier.routedToTargetInRange(null)).isFalse();
  }

  @Test
  void alternatingEpochsAreEachCheckedAgainstTheirOwnDocument() {
    Scope scope = new Scope("orders", null, 2, 3, new EpochDocuments(List.of(Docs.split(2, 1000), Docs.split(3, 500))),
        Map.of(), null);
    RecordClassifier c = new RecordClassifier(scope, "cloud");
    byte[] key = null;
    for (int i = 0; key == null; i++) {
      byte[] k = ("key-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      int b = AuthorityMap.bucket(k);
      if (b >= 500 && b < 1000) {
        key = k;
      }
    }
    for (int round = 0; round < 2; round++) {
      assertThat(c.classify(key, headers("cloud/2/orders/moved", 1)).outcome()).isEqualTo(Verdict.Outcome.CANDIDATE);
      assertThat(c.classify(key, headers("cloud/3/orders/moved", 2)).outcome())
          .isEqualTo(Verdict.Outcome.NOT_ON_TARGET);
    }
  }
}
