package dev.turnout.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EpochDocumentsTest {

  @Test
  void aRecordIsCheckedAgainstTheDocumentOfItsEpochOrTheNearestLowerOne() {
    EpochDocuments docs = new EpochDocuments(List.of(Docs.split(5, 1000), Docs.split(2, 500)));
    assertThat(docs.forEpoch(2).epoch()).isEqualTo(2);
    assertThat(docs.forEpoch(4).epoch()).isEqualTo(2);
    assertThat(docs.forEpoch(9).epoch()).isEqualTo(5);
    assertThat(docs.inForce(3, 5)).extracting(m -> m.epoch()).containsExactly(2L, 5L);
    assertThat(docs.inForce(2, 4)).extracting(m -> m.epoch()).containsExactly(2L);
    assertThat(EpochDocuments.rule(docs.forEpoch(2), "orders")).isNotNull();
    assertThat(EpochDocuments.rule(docs.forEpoch(2), "invoices")).isNull();
  }

  @Test
  void anEpochBelowEveryDocumentIsAMissingDocument() {
    EpochDocuments docs = new EpochDocuments(List.of(Docs.split(5, 1000)));
    assertThatThrownBy(() -> docs.forEpoch(4)).isInstanceOfSatisfying(ReconcileFailure.class, f -> {
      assertThat(f.kind()).isEqualTo(ReconcileFailure.Kind.MISSING_DOCUMENT);
      assertThat(f.getMessage()).contains("epoch 4", "lowest epoch given is 5", "Add the document");
    });
  }

  @Test
  void noDocumentsOrTwoDifferentDocumentsOfOneEpochAreRefused() {
    assertThatThrownBy(() -> new EpochDocuments(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no authority document");
    assertThatThrownBy(() -> new EpochDocuments(List.of(Docs.split(2, 1000), Docs.split(2, 500))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch 2");
    assertThat(new EpochDocuments(List.of(Docs.split(2, 1000), Docs.split(2, 1000))).forEpoch(2)).isNotNull();
  }
}
