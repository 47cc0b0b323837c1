package dev.turnout.internal.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AckLedgerTest {

  @Test
  void keepsTheLastAcknowledgedSequenceAndTimestampOfEachPartition() {
    AckLedger ledger = new AckLedger();
    ledger.sent("orders");
    ledger.acknowledged("orders", 2, 1_000L, 7);
    ledger.acknowledged("orders", 0, 1_001L, 8);
    ledger.acknowledged("orders", 2, 1_002L, 9);

    assertThat(ledger.lastAcks("orders")).containsExactly(
        new AckLedger.LastAck("orders", 0, 8, 1_001L),
        new AckLedger.LastAck("orders", 2, 9, 1_002L));
  }

  @Test
  void aTopicIsWrittenOnceASendToItStartedEvenBeforeAnyAcknowledgement() {
    AckLedger ledger = new AckLedger();
    assertThat(ledger.hasWritten("orders")).isFalse();

    ledger.sent("orders");

    assertThat(ledger.hasWritten("orders")).isTrue();
    assertThat(ledger.lastAcks("orders")).isEmpty();
    assertThat(ledger.lastAcks("payments")).isEmpty();
  }

  @Test
  void acknowledgementsWithoutAPartitionOrASequenceAreIgnored() {
    AckLedger ledger = new AckLedger();
    ledger.acknowledged("orders", -1, 1_000L, 5);
    ledger.acknowledged("orders", 1, 1_000L, -1);

    assertThat(ledger.lastAcks("orders")).isEmpty();
  }

  @Test
  void topicsAreMatchedByNameNotByTheStringInstance() {
    AckLedger ledger = new AckLedger();
    ledger.acknowledged("orders", 0, 1L, 1);
    ledger.acknowledged(new String("orders"), 0, 2L, 2);
    ledger.acknowledged("payments", 0, 3L, 3);
    ledger.acknowledged(new String("orders"), 1, 4L, 4);

    assertThat(ledger.lastAcks("orders")).containsExactly(
        new AckLedger.LastAck("orders", 0, 2, 2L),
        new AckLedger.LastAck("orders", 1, 4, 4L));
    assertThat(ledger.lastAcks("payments")).containsExactly(new AckLedger.LastAck("payments", 0, 3, 3L));
    assertThat(ledger.topics()).containsExactlyInAnyOrder("orders", "payments");
  }

  @Test
  void theOffsetAfterTheHighestAcknowledgedOneBoundsEachPartitionForARollback() {
    AckLedger ledger = new AckLedger();
    ledger.acknowledged("orders", 0, 1L, 1, 10);
    ledger.acknowledged("orders", 0, 2L, 2, 11);
    ledger.acknowledged("orders", 2, 3L, 3, 4);
    ledger.acknowledged("orders", 1, 4L, 4); // no offset known (acks=0): no bound for partition 1
    ledger.acknowledged("orders", 2, 5L, 5, 3); // a late completion of an older batch keeps the bound

    assertThat(ledger.offsetsUpTo("orders")).isEqualTo(java.util.Map.of(
        new org.apache.kafka.common.TopicPartition("orders", 0), 12L,
        new org.apache.kafka.common.TopicPartition("orders", 2), 5L));
    assertThat(ledger.offsetsUpTo("payments")).isEmpty();
  }
}
