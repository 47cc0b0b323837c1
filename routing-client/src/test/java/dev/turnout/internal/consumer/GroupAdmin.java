package dev.turnout.internal.consumer;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.MemberAssignment;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.MockAdminClient;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.internals.KafkaFutureImpl;

/**
 * kafka-clients' {@code MockAdminClient} with what it lacks for the switch worker: commits with their metadata
 * (the Turnout stamp) and a described group with its members' assignments. Thread-safe: the worker reads it
 * on its own thread while a test changes it.
 */
final class GroupAdmin extends MockAdminClient {

  private final Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
  private final AtomicInteger offsetReads = new AtomicInteger();
  private GroupState state;
  private Set<TopicPartition> held = Set.of();
  private RuntimeException failure;
  private Runnable onDescribe;

  synchronized GroupAdmin commit(TopicPartition tp, long offset, String metadata) {
    commits.put(tp, new OffsetAndMetadata(offset, metadata));
    return this;
  }

  /** The group's state and the partitions its one member holds ({@code null}: no such group). */
  synchronized GroupAdmin group(GroupState state, Set<TopicPartition> held) {
    this.state = state;
    this.held = held;
    return this;
  }

  /** Runs {@code change} once, at the next description of the group (before it is answered). */
  synchronized GroupAdmin onNextDescribe(Runnable change) {
    this.onDescribe = change;
    return this;
  }

  /** Every later call fails with {@code e} ({@code null}: they succeed again). */
  synchronized void failing(RuntimeException e) {
    failure = e;
  }

  int offsetReads() {
    return offsetReads.get();
  }

  @Override
  public synchronized ListConsumerGroupOffsetsResult listConsumerGroupOffsets(
      Map<String, ListConsumerGroupOffsetsSpec> specs, ListConsumerGroupOffsetsOptions options) {
    offsetReads.incrementAndGet();
    String group = specs.keySet().iterator().next();
    ListConsumerGroupOffsetsResult result = mock(ListConsumerGroupOffsetsResult.class);
    when(result.partitionsToOffsetAndMetadata(group)).thenReturn(answer(Map.copyOf(commits)));
    return result;
  }

  @Override
  public synchronized DescribeConsumerGroupsResult describeConsumerGroups(Collection<String> groups,
      DescribeConsumerGroupsOptions options) {
    String group = groups.iterator().next();
    if (onDescribe != null) {
      Runnable change = onDescribe;
      onDescribe = null;
      change.run();
    }
    if (failure == null && state == null) {
      KafkaFutureImpl<ConsumerGroupDescription> missing = new KafkaFutureImpl<>();
      missing.completeExceptionally(new GroupIdNotFoundException("no group " + group));
      return new DescribeConsumerGroupsResult(Map.of(group, missing));
    }
    List<MemberDescription> members = held.isEmpty() && state == GroupState.EMPTY ? List.of()
        : List.of(new MemberDescription("m-1", "client-1", "host", new MemberAssignment(held)));
    return new DescribeConsumerGroupsResult(Map.of(group, answer(new ConsumerGroupDescription(group, false, members,
        "range", GroupType.CLASSIC, state, Node.noNode(), Set.of(), Optional.empty(), Optional.empty()))));
  }

  private <T> KafkaFuture<T> answer(T value) {
    KafkaFutureImpl<T> future = new KafkaFutureImpl<>();
    if (failure != null) {
      future.completeExceptionally(failure);
    } else {
      future.complete(value);
    }
    return future;
  }
}
