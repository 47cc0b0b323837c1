package dev.turnout.drill.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.load.StoredRecord;
import dev.turnout.drill.plan.Documents;
import dev.turnout.drill.plan.Step;
import dev.turnout.authority.MigrationState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Each invariant over small hand-made journals: it holds on a clean one and detects its own violation. */
class InvariantsTest {

  private static final String TOPIC = "t";
  private static final Documents DOCS = new Documents(TOPIC, "src", "tgt");

  /** Epoch 1 MIRROR, epoch 2 TARGET_AUTHORITY: every key on the source at 1, on the target at 2. */
  private static TreeMap<Long, AuthorityMap> documents() {
    TreeMap<Long, AuthorityMap> maps = new TreeMap<>();
    maps.put(1L, DOCS.map(DOCS.document(Step.of(MigrationState.MIRROR), 1, null)));
    maps.put(2L, DOCS.map(DOCS.document(Step.of(MigrationState.TARGET_AUTHORITY), 2, null)));
    return maps;
  }

  private static SendOutcome ack(String key, long seq, String cluster, long offset, long atMillis) {
    return new SendOutcome(key, seq, 0, false, atMillis, 1000, cluster, 0, offset, null);
  }

  private static Processed processed(long order, String key, long seq, String cluster, long offset, String id) {
    return new Processed(order, 0, order, key, seq, cluster, 0, offset, id);
  }

  private static StoredRecord stored(String cluster, long offset, String key, long seq, String id, String origin,
      long epoch) {
    return new StoredRecord(cluster, 0, offset, key, key + "#" + seq, id, origin, epoch, false);
  }

  /** A clean run: a#0, a#1 written to src at epoch 1, b#0 to tgt at epoch 2; replicated, all processed once. */
  private static final class Run {
    final List<SendOutcome> sends = new ArrayList<>(List.of(ack("a", 0, "src", 0, 10), ack("a", 1, "src", 1, 20),
        ack("b", 0, "tgt", 2, 30)));
    final List<Processed> processed = new ArrayList<>(List.of(processed(0, "a", 0, "src", 0, "id0"),
        processed(1, "a", 1, "src", 1, "id1"), processed(2, "b", 0, "tgt", 2, "id2")));
    final List<StoredRecord> onSource = new ArrayList<>(List.of(stored("src", 0, "a", 0, "id0", "src", 1),
        stored("src", 1, "a", 1, "id1", "src", 1)));
    final List<StoredRecord> onTarget = new ArrayList<>(List.of(stored("tgt", 0, "a", 0, "id0", "src", 1),
        stored("tgt", 1, "a", 1, "id1", "src", 1), stored("tgt", 2, "b", 0, "id2", "tgt", 2)));
    final List<Evidence.Rollback> rollbacks = new ArrayList<>();
    TreeMap<Long, AuthorityMap> documents = documents();

    Map<String, Finding> check() {
      Map<String, Finding> byName = new TreeMap<>();
      Invariants.check(new Evidence(TOPIC, sends, processed, onSource, onTarget, documents, rollbacks))
          .forEach(f -> byName.put(f.name(), f));
      return byName;
    }
  }

  private static void assertOnlyBroken(Map<String, Finding> findings, String name, long violations,
      String example) {
    assertThat(findings.get(name).violations()).as(name).isEqualTo(violations);
    assertThat(findings.get(name).examples()).anySatisfy(e -> assertThat(e).contains(example));
    findings.values().stream().filter(f -> !f.name().equals(name))
        .forEach(f -> assertThat(f.held()).as(f.toString()).isTrue());
    assertThat(Invariants.broken(List.copyOf(findings.values()))).containsExactly(name);
  }

  @Test
  void aCleanRunHoldsEveryInvariant() {
    Map<String, Finding> findings = new Run().check();
    assertThat(findings).hasSize(6);
    assertThat(findings.values()).allSatisfy(f -> assertThat(f.held()).as(f.toString()).isTrue());
    assertThat(findings.get(LossCheck.NOT_PROCESSED).checked()).isEqualTo(3);
  }

  @Test
  void anAcknowledgedRecordNeverProcessedIsLost() {
    Run run = new Run();
    run.processed.remove(1);
    assertOnlyBroken(run.check(), LossCheck.NOT_PROCESSED, 1, "a#1 acknowledged by 'src' 0@1 never processed");
  }

  @Test
  void anAcknowledgedRecordAbsentFromTheSystemOfRecordIsMissing() {
    Run run = new Run();
    run.onTarget.remove(1); // a#1 never replicated; the last document gives every key to the target
    assertOnlyBroken(run.check(), Invariants.SYSTEM_OF_RECORD, 1, "a#1 acknowledged by 'src' is absent from 'tgt'");
  }

  @Test
  void aRecordAcknowledgedOnTheTargetBeforeARollbackMustBeOnTheSource() {
    Run run = new Run();
    // epoch 3 rolls back to MIRROR at 40 ms: b#0, acknowledged by the target at 31 ms, must be on the source.
    run.documents.put(3L, DOCS.map(DOCS.document(Step.of(MigrationState.MIRROR), 3,
        Step.of(MigrationState.TARGET_AUTHORITY))));
    run.rollbacks.add(new Evidence.Rollback(3, 40));
    run.onSource.add(new StoredRecord("src", 2, 2, "b", "b#0", "id2", "tgt", 2, true)); // its reconciled copy
    assertThat(run.check().values()).allSatisfy(f -> assertThat(f.held()).as(f.toString()).isTrue());

    run.onSource.remove(2);
    Map<String, Finding> findings = run.check();
    assertThat(findings.get(Invariants.ROLLBACK_ON_SOURCE).violations()).isEqualTo(1);
    assertThat(findings.get(Invariants.ROLLBACK_ON_SOURCE).examples().get(0))
        .contains("b#0 acknowledged by 'tgt' 0@2 before the rollback to epoch 3 is absent from 'src'");
    assertThat(findings.get(Invariants.ROLLBACK_ON_SOURCE).checked()).isEqualTo(3);
  }

  @Test
  void aRecordAcknowledgedAfterTheRollbackIsNotCheckedByIt() {
    Run run = new Run();
    run.documents.put(3L, DOCS.map(DOCS.document(Step.of(MigrationState.MIRROR), 3,
        Step.of(MigrationState.TARGET_AUTHORITY))));
    run.rollbacks.add(new Evidence.Rollback(3, 25)); // b#0 acknowledged at 31 ms, after it
    assertThat(run.check().get(Invariants.ROLLBACK_ON_SOURCE).checked()).isEqualTo(2);
  }

  @Test
  void theSameTurnoutIdProcessedTwiceIsADuplicate() {
    Run run = new Run();
    run.processed.add(processed(3, "a", 1, "tgt", 1, "id1"));
    assertOnlyBroken(run.check(), ProcessingCheck.TWICE, 1, "a#1 (id id1) processed from 'src' 0@1 and again from "
        + "'tgt' 0@1");
  }

  @Test
  void aKeysLowerSequenceProcessedAfterAHigherOneIsAReordering() {
    Run run = new Run();
    run.processed.set(0, processed(0, "a", 1, "src", 1, "id1"));
    run.processed.set(1, processed(1, "a", 0, "src", 0, "id0"));
    assertOnlyBroken(run.check(), ProcessingCheck.REORDERED, 1, "a#0 processed after a#1");
  }

  @Test
  void aDuplicateIsNotAlsoCountedAsAReordering() {
    Run run = new Run();
    run.processed.add(processed(3, "a", 0, "tgt", 0, "id0"));
    assertThat(run.check().get(ProcessingCheck.REORDERED).held()).isTrue();
  }

  @Test
  void aRecordWrittenToAClusterThatDidNotOwnItsKeyAtItsEpochIsANonOwnerWrite() {
    Run run = new Run();
    // c#0 written to the target under epoch 1, when the source owned every key.
    run.onTarget.add(stored("tgt", 3, "c", 0, "id3", "tgt", 1));
    assertOnlyBroken(run.check(), OwnerCheck.NON_OWNER, 1, "c#0 (tgt 0@3) was written to 'tgt' at epoch 1, whose "
        + "owner is 'src'");
  }

  @Test
  void aReconciledCopyIsNotANonOwnerWrite() {
    Run run = new Run();
    run.onSource.add(new StoredRecord("src", 2, 2, "b", "b#0", "id2", "tgt", 2, true));
    assertThat(run.check().get(OwnerCheck.NON_OWNER).held()).isTrue();
  }

  @Test
  void aSlicedDocumentDecidesTheOwnerByTheKeysBucket() {
    Run run = new Run();
    run.documents.put(3L, DOCS.map(DOCS.document(new Step(MigrationState.WRITE_PROMOTION, 50), 3, null)));
    String promoted = null;
    String kept = null;
    for (int i = 0; promoted == null || kept == null; i++) {
      int bucket = AuthorityMap.bucket(("k" + i).getBytes(StandardCharsets.UTF_8));
      if (bucket < 5000) {
        promoted = promoted == null ? "k" + i : promoted;
      } else {
        kept = kept == null ? "k" + i : kept;
      }
    }
    run.onTarget.add(stored("tgt", 3, promoted, 0, "id3", "tgt", 3));
    run.onSource.add(stored("src", 2, kept, 0, "id4", "src", 3));
    assertThat(run.check().get(OwnerCheck.NON_OWNER).held()).isTrue();
    run.onSource.add(stored("src", 3, promoted, 1, "id5", "src", 3));
    assertThat(run.check().get(OwnerCheck.NON_OWNER).violations()).isEqualTo(1);
  }
}
