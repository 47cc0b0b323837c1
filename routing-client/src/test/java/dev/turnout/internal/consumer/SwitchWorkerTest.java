package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.internal.consumer.Resolution.Kind;
import dev.turnout.internal.consumer.Resolution.Outcome;
import dev.turnout.internal.consumer.Resolution.Problem;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SwitchWorker} with its clients behind the {@link SwitchClients} seam: fake logs for the readers and
 * {@code MockAdminClient}s for the group's commits, on onprem (the rule's source) and cloud (its target).
 */
class SwitchWorkerTest {

  private static final TopicPartition TP = new TopicPartition("orders", 0);
  private static final long BOUNDARY_TIMEOUT_MS = 300;

  private final FakeLog onpremLog = new FakeLog();
  private final FakeLog cloudLog = new FakeLog();
  private final GroupAdmin onpremAdmin = new GroupAdmin();
  private final GroupAdmin cloudAdmin = new GroupAdmin();
  private final AtomicLong epoch = new AtomicLong(2);
  private final AtomicInteger refreshes = new AtomicInteger();
  private final List<String> pendingReports = new CopyOnWriteArrayList<>();
  private SwitchWorker worker;

  private SwitchWorker worker(String group) {
    return worker(group, 0);
  }

  private SwitchWorker worker(String group, int dedupeWindow) {
    SwitchClients clients = new SwitchClients() {
      @Override
      public Consumer<byte[], byte[]> reader(String alias, Map<String, Object> config) {
        return alias.equals("onprem") ? onpremLog : cloudLog;
      }

      @Override
      public Admin admin(String alias, Map<String, Object> config) {
        return alias.equals("onprem") ? onpremAdmin : cloudAdmin;
      }
    };
    SwitchListener listener = new SwitchListener() {
      @Override
      public void stillPending(TopicPartition tp, Problem problem, String detail) {
        pendingReports.add(problem + ": " + detail);
      }

      @Override
      public void duplicatesAdmitted(TopicPartition tp, long count) {}
    };
    worker = new SwitchWorker("test", new SwitchWorker.Settings(group, BOUNDARY_TIMEOUT_MS, false,
        OffsetTranslation.IDENTITY, null, dedupeWindow), alias -> Map.of("bootstrap.servers", alias + ":9092"), epoch::get,
        refreshes::incrementAndGet, listener, clients);
    return worker;
  }

  @AfterEach
  void close() {
    if (worker != null) {
      worker.close();
    }
  }

  /** A partition newly assigned on cloud (the rule's target), moving with the replication direction. */
  private SwitchWorker.Ticket assignedOnCloud() {
    return worker.submit(new SwitchWorker.Request(TP, "cloud", "onprem", false, -1, 0));
  }

  private static Resolution result(SwitchWorker.Ticket ticket) throws Exception {
    return ticket.result().get(30, TimeUnit.SECONDS);
  }

  /** onprem holds ids 0..9 at offsets 0..9; cloud two records of its own, then the copies (shifted by two). */
  private void replicated() {
    onpremLog.appendWithIds(TP, 0, 10);
    cloudLog.append(TP, 900, "c0", "x", null, null);
    cloudLog.append(TP, 901, "c1", "x", null, null);
    cloudLog.appendWithIds(TP, 0, 10);
  }

  /**
   * The group read onprem 0..4, moved to cloud (copies of 0..4 at 0..4), processed there copies of onprem 5..7
   * and cloud's own records 100 and 101 (offsets 5..9), and handed cloud over at 10 at epoch 3.
   */
  private void promotedAndRolledBack() {
    onpremLog.appendWithIds(TP, 0, 10);
    cloudLog.appendWithIds(TP, 0, 6);
    cloudLog.append(TP, 1005, "t100", "x", FakeLog.id(100), "cloud");
    cloudLog.appendWithIds(TP, 6, 1);
    cloudLog.append(TP, 1006, "t101", "x", FakeLog.id(101), "cloud");
    cloudLog.appendWithIds(TP, 7, 1);
    cloudAdmin.commit(TP, 10, CommitStamp.handover(3, System.currentTimeMillis(), ""));
    epoch.set(3);
  }

  /** A partition newly assigned on onprem (the rule's source): a move against the replication direction. */
  private SwitchWorker.Ticket assignedOnOnprem() {
    return worker.submit(new SwitchWorker.Request(TP, "onprem", "cloud", true, -1, 0));
  }

  @Test
  void movingBackResumesWhereTheGroupLeftTheSourceWithholdingWhatItProcessedOnTheTarget() throws Exception {
    promotedAndRolledBack();
    onpremAdmin.commit(TP, 5, CommitStamp.handover(2, System.currentTimeMillis(), ""));
    worker("billing", 1_000);
    Resolution r = result(assignedOnOnprem());
    assertThat(r.kind()).isEqualTo(Kind.SEEK);
    assertThat(r.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(r.offset()).isEqualTo(5);
    assertThat(r.withholding().below()).isEqualTo(8);
    assertThat(r.withholding().processedIds()).isEqualTo(2);
  }

  @Test
  void withoutADedupeWindowMovingBackResumesAtTheBoundaryAsBefore() throws Exception {
    promotedAndRolledBack();
    onpremAdmin.commit(TP, 5, CommitStamp.handover(2, System.currentTimeMillis(), ""));
    worker("billing", 0);
    Resolution r = result(assignedOnOnprem());
    assertThat(r.offset()).isEqualTo(8);
    assertThat(r.withholding()).isNull();
  }

  @Test
  void aMemberAssignedTheSourceAfterTheGroupCommittedThereAtTheEpochOfTheMoveBackWithholdsTheSameIds()
      throws Exception {
    promotedAndRolledBack();
    onpremAdmin.commit(TP, 9, CommitStamp.commit(3, ""));
    worker("billing", 1_000);
    Resolution r = result(assignedOnOnprem());
    assertThat(r.kind()).isEqualTo(Kind.CONTINUE);
    assertThat(r.withholding().processedIds()).isEqualTo(2);
    assertThat(r.withholding().below()).isEqualTo(-1);
  }

  @Test
  void movingBackFromATargetCommitWithoutAHandoverStillWithholdsWhatTheGroupProcessedThere() throws Exception {
    promotedAndRolledBack();
    // The holder on cloud committed what it processed but its handover was not seen (it stopped, or handed over
    // right after this member read the commit); nobody holds the partition there any more.
    cloudAdmin.commit(TP, 10, CommitStamp.commit(2, "")).group(GroupState.EMPTY, Set.of());
    onpremAdmin.commit(TP, 5, CommitStamp.handover(2, System.currentTimeMillis(), ""));
    worker("billing", 1_000);
    Resolution r = result(assignedOnOnprem());
    assertThat(r.kind()).isEqualTo(Kind.SEEK);
    assertThat(r.offset()).as("where the group left onprem").isEqualTo(5);
    assertThat(r.withholding().below()).isEqualTo(8);
    assertThat(r.withholding().processedIds()).as("cloud's own records 100 and 101, processed there").isEqualTo(2);
  }

  @Test
  void aHolderThatCommitsItsHandoverAndLeavesWhileTheMemberWaitsIsTakenOverFromTheHandover() throws Exception {
    promotedAndRolledBack();
    // Read first: the holder's commit of an earlier batch, the holder still consuming. Then, before the group is
    // described, it processes offsets 8 and 9, hands over at 10 and leaves.
    cloudAdmin.commit(TP, 8, CommitStamp.commit(2, "")).group(GroupState.STABLE, Set.of(TP)).onNextDescribe(() -> {
      cloudAdmin.commit(TP, 10, CommitStamp.handover(3, System.currentTimeMillis(), ""));
      cloudAdmin.group(GroupState.EMPTY, Set.of());
    });
    onpremAdmin.commit(TP, 5, CommitStamp.handover(2, System.currentTimeMillis(), ""));
    worker("billing", 1_000);
    Resolution r = result(assignedOnOnprem());
    assertThat(r.kind()).isEqualTo(Kind.SEEK);
    assertThat(r.offset()).isEqualTo(5);
    assertThat(r.withholding().below()).as("the copy of the source record at cloud offset 9 is withheld too")
        .isEqualTo(8);
    assertThat(r.withholding().processedIds()).as("records 100 and 101, both processed on cloud").isEqualTo(2);
  }

  @Test
  void aCommitOnTheSourceAfterAnOlderHandoverOnTheTargetIsNoMoveBack() throws Exception {
    promotedAndRolledBack();
    epoch.set(4);
    onpremAdmin.commit(TP, 9, CommitStamp.commit(4, ""));
    worker("billing", 1_000);
    Resolution r = result(assignedOnOnprem());
    assertThat(r.kind()).isEqualTo(Kind.CONTINUE);
    assertThat(r.withholding()).isNull();
    assertThat(cloudAdmin.offsetReads()).as("the target's commit was read to tell").isPositive();
  }

  @Test
  void aCommitOnTheReadClusterAtTheCurrentEpochIsTheLivePosition() throws Exception {
    cloudAdmin.commit(TP, 4, CommitStamp.commit(2, ""));
    worker("billing");
    Resolution r = result(assignedOnCloud());
    assertThat(r.kind()).isEqualTo(Kind.CONTINUE);
    assertThat(onpremAdmin.offsetReads()).as("the other cluster was not needed").isZero();
  }

  @Test
  void aHandoverOnTheOtherClusterIsReadWithItsStampAndTheBoundarySearched() throws Exception {
    replicated();
    onpremAdmin.commit(TP, 6, CommitStamp.handover(2, System.currentTimeMillis(), ""));
    cloudAdmin.commit(TP, 1, CommitStamp.commit(1, ""));
    worker("billing");
    Resolution r = result(assignedOnCloud());
    assertThat(r.kind()).isEqualTo(Kind.SEEK);
    assertThat(r.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(r.offset()).isEqualTo(8);
    assertThat(r.fromAlias()).isEqualTo("onprem");
    assertThat(r.fromOffset()).isEqualTo(6);
    assertThat(onpremAdmin.offsetReads()).isPositive();
    assertThat(cloudAdmin.offsetReads()).isPositive();
  }

  @Test
  void thePartitionWaitsWhileTheOtherClustersGroupStillConsumesIt() throws Exception {
    replicated();
    onpremAdmin.commit(TP, 6, CommitStamp.commit(2, "")).group(GroupState.STABLE, Set.of(TP));
    worker("billing");
    SwitchWorker.Ticket ticket = assignedOnCloud();
    await().atMost(Duration.ofSeconds(30)).until(() -> !pendingReports.isEmpty());
    assertThat(pendingReports.get(0)).startsWith("HANDOVER_PENDING").contains("still consumes " + TP);
    assertThat(ticket.result()).isNotDone();
    onpremAdmin.group(GroupState.EMPTY, Set.of());
    Resolution r = result(ticket);
    assertThat(r.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(r.offset()).isEqualTo(8);
  }

  @Test
  void aReaderThatTimesOutKeepsThePartitionPendingAndIsReported() throws Exception {
    replicated();
    onpremAdmin.commit(TP, 6, CommitStamp.handover(2, System.currentTimeMillis(), ""));
    onpremLog.failNext(Integer.MAX_VALUE, new TimeoutException("no answer from onprem"));
    worker("billing");
    SwitchWorker.Ticket ticket = assignedOnCloud();
    await().atMost(Duration.ofSeconds(30)).until(() -> !pendingReports.isEmpty());
    assertThat(pendingReports.get(0)).startsWith("CLUSTER_UNREACHABLE").contains("no answer from onprem");
    assertThat(ticket.result()).isNotDone();
    onpremLog.failNext(0, null);
    // The search's time ran out while onprem could not be read: it fails closed rather than guess.
    Resolution r = result(ticket);
    assertThat(r.kind()).isEqualTo(Kind.BLOCKED);
    assertThat(r.outcome()).isEqualTo(Outcome.FAILED_CLOSED);
  }

  @Test
  void aLastProcessedRecordMissingOnTheNewClusterBlocksThePartition() throws Exception {
    onpremLog.appendWithIds(TP, 0, 10);
    cloudLog.appendWithIds(TP, 0, 4);
    onpremAdmin.commit(TP, 6, CommitStamp.handover(2, System.currentTimeMillis(), ""));
    worker("billing");
    Resolution r = result(assignedOnCloud());
    assertThat(r.kind()).isEqualTo(Kind.BLOCKED);
    assertThat(r.problem()).isEqualTo(Problem.LAST_RECORD_NOT_FOUND);
  }

  @Test
  void aCommitUnderANewerMapWaitsAndRereadsTheAuthoritySource() throws Exception {
    cloudAdmin.commit(TP, 4, CommitStamp.commit(5, ""));
    worker("billing");
    SwitchWorker.Ticket ticket = assignedOnCloud();
    await().atMost(Duration.ofSeconds(30)).until(() -> !pendingReports.isEmpty());
    assertThat(pendingReports.get(0)).startsWith("AUTHORITY_BEHIND");
    assertThat(refreshes.get()).isPositive();
    assertThat(ticket.result()).isNotDone();
    epoch.set(5);
    assertThat(result(ticket).kind()).isEqualTo(Kind.CONTINUE);
  }

  @Test
  void aPartitionAssignedRightAfterItsHolderHandedItOverUnderANewerMapWaitsThoughTheCommitsWereJustRead()
      throws Exception {
    // This member still routes by epoch 1 and reads onprem. Its fence check has just read the group's commits
    // there: the holder's commit of its last batch.
    epoch.set(1);
    onpremAdmin.commit(TP, 112, CommitStamp.commit(1, ""));
    worker("billing");
    assertThat(worker.newestEpochs("onprem", Set.of("orders")).get(30, TimeUnit.SECONDS))
        .containsExactly(Map.entry("orders", 1L));
    // The holder moves its reads to cloud under epoch 2: it hands the partition over and leaves the group on
    // onprem, which assigns the partition here at once (well within the time an answer is reused).
    onpremAdmin.commit(TP, 112, CommitStamp.handover(2, System.currentTimeMillis(), ""));
    int reads = onpremAdmin.offsetReads();
    SwitchWorker.Ticket ticket = worker.submit(new SwitchWorker.Request(TP, "onprem", "cloud", true, -1, 0));
    await().atMost(Duration.ofSeconds(30)).until(() -> !pendingReports.isEmpty() || ticket.result().isDone());
    assertThat(ticket.result().getNow(null)).as("not consumed on onprem from 112 again: cloud continues from the "
        + "handover").isNull();
    assertThat(pendingReports.get(0)).startsWith("AUTHORITY_BEHIND").contains("epoch 2");
    assertThat(onpremAdmin.offsetReads()).as("the commits were read again after the assignment")
        .isGreaterThan(reads);
  }

  @Test
  void theNewestEpochOfEachTopicIsReadFromTheStamps() throws Exception {
    onpremAdmin.commit(TP, 4, CommitStamp.commit(3, "")).commit(new TopicPartition("orders", 1), 2,
        CommitStamp.commit(1, ""));
    worker("billing");
    Map<String, Long> newest = worker.newestEpochs("onprem", Set.of("orders", "payments")).get(30, TimeUnit.SECONDS);
    assertThat(newest).containsExactly(Map.entry("orders", 3L));
    assertThat(refreshes.get()).as("epoch 3 is newer than the consumer's 2").isEqualTo(1);
  }

  @Test
  void withoutAGroupThereIsNothingToCompare() throws Exception {
    worker(null);
    assertThat(result(assignedOnCloud()).kind()).isEqualTo(Kind.CONTINUE);
    assertThat(worker.newestEpochs("onprem", Set.of("orders")).get(30, TimeUnit.SECONDS)).isEmpty();
    assertThat(onpremAdmin.offsetReads() + cloudAdmin.offsetReads()).isZero();
  }
}
