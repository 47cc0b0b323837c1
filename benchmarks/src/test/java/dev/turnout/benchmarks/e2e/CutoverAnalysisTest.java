package dev.turnout.benchmarks.e2e;

import static dev.turnout.benchmarks.e2e.CutoverAnalysis.NOT_HANDED;
import static dev.turnout.benchmarks.e2e.CutoverAnalysis.SOURCE;
import static dev.turnout.benchmarks.e2e.CutoverAnalysis.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Barrier waits and replication latencies are computed from exactly the records they are defined on. */
class CutoverAnalysisTest {

  private static final long MS = 1_000_000L;
  private static final long INSTANCE = 77;

  /** Collects records in milliseconds; record i has id sequence i + 1. */
  private static final class Builder {
    final List<long[]> rows = new ArrayList<>();

    Builder add(int bucket, long epoch, double sentMs, byte handedTo, double handoffMs, double ackMs) {
      rows.add(new long[] {bucket, epoch, ms(sentMs), handedTo, ms(handoffMs), ms(ackMs)});
      return this;
    }

    CutoverAnalysis.Records build() {
      int n = rows.size();
      long[] sent = new long[n];
      int[] bucket = new int[n];
      long[] handoff = new long[n];
      byte[] handedTo = new byte[n];
      long[] epoch = new long[n];
      long[] id = new long[n];
      long[] acked = new long[n];
      for (int i = 0; i < n; i++) {
        long[] r = rows.get(i);
        bucket[i] = (int) r[0];
        epoch[i] = r[1];
        sent[i] = r[2];
        handedTo[i] = (byte) r[3];
        handoff[i] = r[4];
        acked[i] = r[5];
        id[i] = i + 1;
      }
      return new CutoverAnalysis.Records(n, sent, bucket, handoff, handedTo, epoch, INSTANCE, id, acked);
    }
  }

  private static long ms(double millis) {
    return Math.round(millis * MS);
  }

  /** Cutover at 1000 ms to epoch 2, moving buckets 0-99; released at 1600 ms. */
  private static CutoverAnalysis.Records scenario() {
    return new Builder()
        .add(50, 1, 900, SOURCE, 900, 905) // before the cutover: not the epoch's
        .add(50, 2, 1001, TARGET, 1600, 1610) // waited: first moved record
        .add(60, 2, 1010, TARGET, 1600.5, 1612) // waited
        .add(500, 2, 1002, SOURCE, 1002, 1006) // unmoved, 4 ms
        .add(700, 2, 1500, SOURCE, 1500, 1510) // unmoved, 10 ms
        .add(700, 2, 2500, SOURCE, 2500, 2600) // unmoved, but outside the second after the cutover
        .add(70, 2, 1700, TARGET, 1700, 1705) // moved, sent after the release: did not wait
        .add(80, 2, 1800, NOT_HANDED, 0, 0) // refused
        .build();
  }

  @Test
  void barrierWaitIsFromTheCutoverToTheFirstMovedRecordHandedToTheTarget() {
    CutoverAnalysis.Cutover cutover = new CutoverAnalysis.Cutover(2, 2, 0, 99, ms(1000));
    CutoverAnalysis.CutoverResult r = CutoverAnalysis.perCutover(scenario(), List.of(cutover)).get(0);
    assertThat(r.cutover()).isEqualTo(cutover);
    assertThat(r.barrierWaitNanos()).isEqualTo(600.0 * MS);
    assertThat(r.waited()).isEqualTo(2);
    assertThat(r.firstMovedSendToAckNanos()).isEqualTo(609.0 * MS);
    assertThat(r.unmovedMedianNanos()).isEqualTo(7.0 * MS);
    assertThat(r.overlapped()).isFalse();
  }

  @Test
  void aCutoverStartingBeforeThePreviousReleaseIsMarkedOverlapped() {
    List<CutoverAnalysis.CutoverResult> results = CutoverAnalysis.perCutover(scenario(), List.of(
        new CutoverAnalysis.Cutover(2, 2, 0, 99, ms(1000)),
        new CutoverAnalysis.Cutover(3, 3, 100, 199, ms(1550))));
    assertThat(results.get(0).overlapped()).isTrue();
    // No record was routed by epoch 3: nothing measured, and nothing invented.
    assertThat(results.get(1).barrierWaitNanos()).isNaN();
    assertThat(results.get(1).waited()).isZero();
    assertThat(results.get(1).firstMovedSendToAckNanos()).isNaN();
    assertThat(results.get(1).unmovedMedianNanos()).isNaN();
    assertThat(results.get(1).overlapped()).isFalse();
  }

  @Test
  void aCutoverTheProducerNeverReachedHasNoResult() {
    CutoverAnalysis.CutoverResult r = CutoverAnalysis.perCutover(scenario(),
        List.of(new CutoverAnalysis.Cutover(2, 2, 0, 99, 0))).get(0);
    assertThat(r.barrierWaitNanos()).isNaN();
    assertThat(r.unmovedMedianNanos()).isNaN();
  }

  @Test
  void aBarrierThatOpenedBeforeAnyMovedRecordIsAnUpperBoundWithNoRecordWaiting() {
    CutoverAnalysis.Records records = new Builder()
        .add(10, 2, 1300, TARGET, 1300, 1304)
        .build();
    CutoverAnalysis.CutoverResult r = CutoverAnalysis.perCutover(records,
        List.of(new CutoverAnalysis.Cutover(2, 2, 0, 99, ms(1000)))).get(0);
    assertThat(r.barrierWaitNanos()).isEqualTo(300.0 * MS);
    assertThat(r.waited()).isZero();
  }

  @Test
  void replicationLatencyMatchesCopiesByTurnoutIdAndCountsWhatDoesNotMatch() {
    CutoverAnalysis.Records records = new Builder()
        .add(1, 1, 100, SOURCE, 100, 105) // id 1
        .add(2, 1, 101, SOURCE, 101, 108) // id 2
        .add(3, 1, 102, SOURCE, 102, 0) // id 3, acknowledgement not recorded
        .add(4, 2, 103, TARGET, 103, 109) // id 4, written to the target directly
        .add(5, 1, 104, SOURCE, 104, 110) // id 5, never seen on the target
        .build();
    CutoverAnalysis.Sightings sightings = new CutoverAnalysis.Sightings(7,
        new long[] {INSTANCE, INSTANCE, INSTANCE, INSTANCE, 12, INSTANCE, INSTANCE},
        new long[] {1, 2, 2, 3, 1, 4, 99},
        new long[] {ms(605), ms(358), ms(900), ms(400), ms(700), ms(500), ms(500)},
        new long[] {0, 1, 1, 2, 0, 3, 0});
    CutoverAnalysis.Replication r = CutoverAnalysis.replication(records, sightings);
    assertThat(r.latencies()).containsExactly(500.0 * MS, 250.0 * MS);
    assertThat(r.matched()).isEqualTo(2);
    assertThat(r.sourceAcknowledged()).isEqualTo(3);
    assertThat(r.duplicates()).isEqualTo(1);
    assertThat(r.notAcknowledged()).isEqualTo(1);
    // Another producer's id, and an id no record has.
    assertThat(r.unmatched()).isEqualTo(2);
    // A copy of a record handed to the target would mean the id match is wrong.
    assertThat(r.mismatched()).isEqualTo(1);
  }

  @Test
  void anIdThatNamesAnotherRecordThanTheValueIsAMismatch() {
    CutoverAnalysis.Records records = new Builder()
        .add(1, 1, 100, SOURCE, 100, 105)
        .add(2, 1, 101, SOURCE, 101, 106)
        .build();
    CutoverAnalysis.Replication r = CutoverAnalysis.replication(records, new CutoverAnalysis.Sightings(1,
        new long[] {INSTANCE}, new long[] {1}, new long[] {ms(300)}, new long[] {1}));
    assertThat(r.mismatched()).isEqualTo(1);
    assertThat(r.matched()).isZero();
  }

  @Test
  void ratioAndTargetFollowTheP99s() {
    CutoverAnalysis.Cutover c = new CutoverAnalysis.Cutover(2, 2, 0, 99, ms(1000));
    CutoverBarrier.Settings settings = new CutoverBarrier.Settings(1, java.time.Duration.ofSeconds(2),
        java.time.Duration.ofMillis(2500), java.time.Duration.ofSeconds(1), 1000, 400, 100, 1000, 3, 42);
    double[] replication = new double[100];
    for (int i = 0; i < 100; i++) {
      replication[i] = (i + 1) * 10.0 * MS; // p99 = 990 ms
    }
    CutoverAnalysis.Replication rep = new CutoverAnalysis.Replication(replication, 100, 0, 0, 0, 0);
    CutoverBarrier.Results met = new CutoverBarrier.Results(settings,
        List.of(new CutoverAnalysis.CutoverResult(c, 1100.0 * MS, 3, 1105.0 * MS, 5.0 * MS, false)), rep, 1000, 0,
        java.util.Map.of("cutover-barrier-wait-ms-max", 1100.0));
    assertThat(met.ratio()).isCloseTo(1100.0 / 990.0, within(1e-9));
    assertThat(CutoverBarrier.targets(met)).singleElement()
        .satisfies(t -> assertThat(t.status()).isEqualTo(dev.turnout.benchmarks.report.TargetCheck.Status.MET));
    String section = CutoverBarrier.render(met);
    assertThat(section).contains("Barrier wait p99 / replication latency p99 = 1.11 (target <= 1.5)")
        .contains("| 1 | 2 | 0-99 | 1100.0 | 3 | 1105.0 | 5.0 | no |")
        .contains("| `cutover-barrier-wait-ms-max` | 1,100 |");
    assertThat(CutoverBarrier.metricValue(797.8)).isEqualTo("797.8");
    assertThat(CutoverBarrier.metricValue(4.0)).isEqualTo("4");
    assertThat(CutoverBarrier.metricValue(Double.NaN)).isEqualTo("n/a");
    assertThat(CutoverBarrier.metricValue("x")).isEqualTo("x");

    CutoverBarrier.Results missed = new CutoverBarrier.Results(settings,
        List.of(new CutoverAnalysis.CutoverResult(c, 1600.0 * MS, 3, 1605.0 * MS, 5.0 * MS, false)), rep, 1000, 0,
        java.util.Map.of());
    assertThat(CutoverBarrier.targets(missed).get(0).status())
        .isEqualTo(dev.turnout.benchmarks.report.TargetCheck.Status.MISSED);
    assertThat(CutoverBarrier.targets(missed).get(0).gap()).isEqualTo("0.12 over");

    CutoverBarrier.Results none = new CutoverBarrier.Results(settings,
        List.of(new CutoverAnalysis.CutoverResult(c, Double.NaN, 0, Double.NaN, Double.NaN, false)), rep, 1000, 0,
        java.util.Map.of());
    assertThat(CutoverBarrier.targets(none).get(0).status())
        .isEqualTo(dev.turnout.benchmarks.report.TargetCheck.Status.NOT_MEASURED);
  }

  @Test
  void theRunSendsLongEnoughForTheLastBarrierToOpen() {
    CutoverBarrier.Settings lagging = new CutoverBarrier.Settings(12, java.time.Duration.ofSeconds(2),
        java.time.Duration.ofMillis(2500), java.time.Duration.ofSeconds(1), 1000, 400, 100, 1000, 3, 42);
    assertThat(lagging.tail()).isEqualTo(java.time.Duration.ofMillis(3000));
    assertThat(lagging.maxSending()).isEqualTo(java.time.Duration.ofMillis(2000 + 12 * 3500 + 3000));
    CutoverBarrier.Settings fast = new CutoverBarrier.Settings(12, java.time.Duration.ofSeconds(2),
        java.time.Duration.ofMillis(2500), java.time.Duration.ofSeconds(1), 1000, 400, 100, 100, 3, 42);
    assertThat(fast.tail()).isEqualTo(java.time.Duration.ofMillis(2500));
  }
}
