package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.internal.consumer.GroupOffsets.Ownership;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** {@link GroupOffsets}: the group's commits and members on one cluster, through an Admin client. */
class GroupOffsetsTest {

  private static final TopicPartition P0 = new TopicPartition("orders", 0);
  private static final TopicPartition P1 = new TopicPartition("orders", 1);
  private static final TopicPartition OTHER = new TopicPartition("payments", 0);

  @Test
  void stampedCommitsAreReadWithTheirMetadata() {
    GroupAdmin admin = new GroupAdmin().commit(P0, 5, CommitStamp.commit(2, "app"))
        .commit(P1, 9, CommitStamp.handover(3, 1_000, "")).commit(OTHER, 1, CommitStamp.commit(7, ""));
    try (GroupOffsets offsets = new GroupOffsets("onprem", admin)) {
      assertThat(offsets.committed("billing", P0).offset()).isEqualTo(5);
      assertThat(CommitStamp.parse(offsets.committed("billing", P0).metadata()).epoch()).isEqualTo(2);
      assertThat(CommitStamp.parse(offsets.committed("billing", P1).metadata()).kind())
          .isEqualTo(CommitStamp.Kind.HANDOVER);
      assertThat(offsets.committed("billing", new TopicPartition("orders", 2))).isNull();
      assertThat(offsets.newestEpoch("billing", "orders")).isEqualTo(3);
      assertThat(offsets.newestEpoch("billing", "refunds")).isEqualTo(-1);
    }
  }

  @Test
  void commitsOfAGroupThatPredatesTurnoutHaveNoEpoch() {
    GroupAdmin admin = new GroupAdmin().commit(P0, 42, "app metadata").commit(P1, 43, "");
    try (GroupOffsets offsets = new GroupOffsets("onprem", admin)) {
      assertThat(offsets.committed("billing", P0).offset()).isEqualTo(42);
      assertThat(offsets.newestEpoch("billing", "orders")).isEqualTo(-1);
    }
  }

  @Test
  void anAnswerToARequestSentBeforeTheGivenInstantIsNotReused() {
    GroupAdmin admin = new GroupAdmin().commit(P0, 112, CommitStamp.commit(1, ""));
    try (GroupOffsets offsets = new GroupOffsets("onprem", admin)) {
      assertThat(offsets.newestEpoch("billing", "orders")).isEqualTo(1);
      admin.commit(P0, 112, CommitStamp.handover(2, 1_000, ""));
      long assigned = System.nanoTime();
      int reads = admin.offsetReads();
      assertThat(CommitStamp.parse(offsets.committed("billing", P0, assigned).metadata()).kind())
          .isEqualTo(CommitStamp.Kind.HANDOVER);
      assertThat(admin.offsetReads()).isEqualTo(reads + 1);
      assertThat(offsets.newestEpoch("billing", "orders", assigned)).isEqualTo(2);
    }
  }

  @Test
  void ownershipFollowsTheGroupsStateAndAssignments() {
    GroupAdmin admin = new GroupAdmin();
    try (GroupOffsets offsets = new GroupOffsets("onprem", admin)) {
      assertThat(offsets.ownership("billing", P0)).as("no such group").isEqualTo(Ownership.UNOWNED);
      admin.group(GroupState.STABLE, Set.of(P0));
      assertThat(offsets.ownership("billing", P0)).isEqualTo(Ownership.OWNED);
      assertThat(offsets.ownership("billing", P1)).isEqualTo(Ownership.UNOWNED);
      admin.group(GroupState.PREPARING_REBALANCE, Set.of(P0));
      assertThat(offsets.ownership("billing", P1)).isEqualTo(Ownership.UNKNOWN);
      admin.group(GroupState.EMPTY, Set.of());
      assertThat(offsets.ownership("billing", P0)).isEqualTo(Ownership.UNOWNED);
    }
  }

  @Test
  void anUnansweredReadFailsWithTheKafkaException() {
    GroupAdmin admin = new GroupAdmin().group(GroupState.STABLE, Set.of(P0));
    admin.failing(new TimeoutException("no answer"));
    try (GroupOffsets offsets = new GroupOffsets("onprem", admin)) {
      assertThatThrownBy(() -> offsets.committed("billing", P0)).isInstanceOf(TimeoutException.class);
      assertThatThrownBy(() -> offsets.ownership("billing", P0)).isInstanceOf(TimeoutException.class);
    }
  }

  @Test
  void theAdminConfigurationKeepsConnectionAndSecuritySettingsOnly() {
    Map<String, Object> client = new HashMap<>();
    client.put("bootstrap.servers", "onprem:9092");
    client.put("client.id", "billing-onprem");
    client.put("group.id", "billing");
    client.put("key.deserializer", "x");
    client.put("sasl.jaas.config", "secret");
    client.put("ssl.truststore.location", "/t");
    assertThat(GroupOffsets.adminConfig("onprem", client)).doesNotContainKeys("group.id", "key.deserializer")
        .containsEntry("bootstrap.servers", "onprem:9092").containsEntry("sasl.jaas.config", "secret")
        .containsEntry("ssl.truststore.location", "/t").containsEntry("client.id", "billing-onprem-admin");
  }
}
