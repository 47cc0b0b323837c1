package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** {@link Withholding}: the two rules, and when they end. */
class WithholdingTest {

  private static Headers headers(int id, String origin, long epoch, String reconciled) {
    RecordHeaders headers = new RecordHeaders();
    if (origin != null) {
      headers.add(ProvenanceHeaders.routeHeader(origin, epoch, "r", null));
    }
    if (id >= 0) {
      headers.add(new RecordHeader(ProvenanceHeaders.ID, FakeLog.id(id)));
    }
    if (reconciled != null) {
      headers.add(new RecordHeader(RecordIdentity.RECONCILED, reconciled.getBytes(StandardCharsets.UTF_8)));
    }
    return headers;
  }

  @Test
  void forwardBelowTheBoundaryOnlyRecordsWrittenToTheNewClusterSinceTheMoveAreKept() {
    Withholding w = Withholding.below(10, "cloud", 4);
    assertThat(w.withholds(5, headers(1, "onprem", 4, null))).as("a copy of a processed record").isTrue();
    assertThat(w.withholds(6, headers(2, "cloud", 4, null))).as("written to cloud at the move's epoch").isFalse();
    assertThat(w.withholds(7, headers(3, "cloud", 2, null))).as("written to cloud during an earlier stay").isTrue();
    assertThat(w.withholds(8, headers(4, "cloud", 4, "cloud/0/3"))).as("a replica of a reconciled copy").isTrue();
    assertThat(w.withholds(9, headers(-1, null, 0, null))).as("a plain record below the boundary").isTrue();
    assertThat(w.finished()).isFalse();
    assertThat(w.withholds(10, headers(5, "onprem", 4, null))).isFalse();
    assertThat(w.finished()).isTrue();
  }

  @Test
  void movedBackWithholdsProcessedIdsWhereverTheyAppearAndDeliversEveryOtherRecord() {
    IdSet processed = new IdSet(2);
    processed.add(FakeLog.id(100));
    processed.add(FakeLog.id(101));
    Withholding w = Withholding.movedBack(12, processed);
    assertThat(w.withholds(10, headers(7, "onprem", 2, null))).as("processed on the target before the boundary")
        .isTrue();
    assertThat(w.withholds(11, headers(102, "cloud", 2, "cloud/0/10"))).as("a reconciled copy not processed")
        .isFalse();
    assertThat(w.withholds(12, headers(100, "cloud", 2, "cloud/0/6"))).as("a reconciled copy processed").isTrue();
    assertThat(w.withholds(13, headers(-1, null, 0, null))).as("no id: always delivered").isFalse();
    assertThat(w.withholds(14, headers(8, "onprem", 3, null))).isFalse();
    assertThat(w.finished()).isFalse();
    assertThat(w.withholds(15, headers(101, "cloud", 2, "cloud/0/8"))).isTrue();
    assertThat(w.takeWithheldById()).isEqualTo(2);
    assertThat(w.takeWithheldById()).isZero();
    assertThat(w.finished()).as("every processed id met").isTrue();
  }
}
