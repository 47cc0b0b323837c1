package dev.turnout.internal.consumer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/** A group's committed offsets and partition ownership on one cluster, read with an Admin client. */
final class GroupOffsets implements AutoCloseable {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  /** Whether any member of the group is assigned a partition. */
  enum Ownership {
    /** No member is assigned it (or the group has no members). */
    UNOWNED,
    /** A member is assigned it. */
    OWNED,
    /** The group is rebalancing: ownership is not known. */
    UNKNOWN
  }

  private static final long CACHE_MILLIS = 100;

  private final String alias;
  private final Admin admin;
  private Map<TopicPartition, OffsetAndMetadata> cached;
  private String cachedGroup;
  private long cachedAt;

  GroupOffsets(String alias, Admin admin) {
    this.alias = alias;
    this.admin = admin;
  }

  /** Group offsets read with an Admin client built from a cluster client's configuration ({@link #adminConfig}). */
  static GroupOffsets create(String alias, Map<String, Object> clientConfig, SwitchClients clients) {
    return new GroupOffsets(alias, clients.admin(alias, adminConfig(alias, clientConfig)));
  }

  /** A cluster client's configuration reduced to the keys Admin knows (and the security ones). */
  static Map<String, Object> adminConfig(String alias, Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>();
    Set<String> known = AdminClientConfig.configNames();
    clientConfig.forEach((k, v) -> {
      if (known.contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.")) {
        config.put(k, v);
      }
    });
    config.put(AdminClientConfig.CLIENT_ID_CONFIG,
        clientConfig.getOrDefault(AdminClientConfig.CLIENT_ID_CONFIG, alias) + "-admin");
    return config;
  }

  String alias() {
    return alias;
  }

  /** The group's commit for a partition on this cluster, or {@code null} when it has none. */
  OffsetAndMetadata committed(String group, TopicPartition tp) {
    return committedAll(group).get(tp);
  }

  /**
   * As {@link #committed(String, TopicPartition)}, from an answer to a request sent at or after {@code notBefore}
   * ({@link System#nanoTime()}): a decision about a partition assigned at that instant must see every commit
   * its previous holder made before letting it go.
   */
  OffsetAndMetadata committed(String group, TopicPartition tp, long notBefore) {
    return committedAll(group, notBefore).get(tp);
  }

  /** As {@link #committed}, read from the cluster now (not from the answers reused for a while). */
  OffsetAndMetadata committedNow(String group, TopicPartition tp) {
    cached = null;
    return committed(group, tp);
  }

  /**
   * Every commit of the group on this cluster (partitions without one are absent). Answers are reused for
   * {@value #CACHE_MILLIS} ms, so that many partitions assigned at once cost one request.
   */
  Map<TopicPartition, OffsetAndMetadata> committedAll(String group) {
    return committedAll(group, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(CACHE_MILLIS));
  }

  /**
   * As {@link #committedAll(String)}, reusing only an answer to a request sent at or after {@code notBefore}
   * ({@link System#nanoTime()}).
   */
  Map<TopicPartition, OffsetAndMetadata> committedAll(String group, long notBefore) {
    long now = System.nanoTime();
    if (cached != null && cachedGroup.equals(group) && cachedAt - notBefore >= 0
        && now - cachedAt < TimeUnit.MILLISECONDS.toNanos(CACHE_MILLIS)) {
      return cached;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = await(admin.listConsumerGroupOffsets(
        Map.of(group, new ListConsumerGroupOffsetsSpec()),
        new ListConsumerGroupOffsetsOptions().timeoutMs((int) CALL_TIMEOUT.toMillis()))
        .partitionsToOffsetAndMetadata(group));
    Map<TopicPartition, OffsetAndMetadata> copy = new HashMap<>();
    offsets.forEach((tp, o) -> {
      if (o != null) {
        copy.put(tp, o);
      }
    });
    cached = Map.copyOf(copy);
    cachedGroup = group;
    cachedAt = now;
    return cached;
  }

  /** The highest epoch stamped on the group's commits of a topic on this cluster; -1 when none is stamped. */
  long newestEpoch(String group, String topic) {
    return newestEpoch(group, topic, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(CACHE_MILLIS));
  }

  /** As {@link #newestEpoch(String, String)}, from an answer to a request sent at or after {@code notBefore}. */
  long newestEpoch(String group, String topic, long notBefore) {
    long newest = -1;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committedAll(group, notBefore).entrySet()) {
      if (e.getKey().topic().equals(topic)) {
        newest = Math.max(newest, CommitStamp.parse(e.getValue().metadata()).epoch());
      }
    }
    return newest;
  }

  /** Whether a member of the group on this cluster is assigned the partition. */
  Ownership ownership(String group, TopicPartition tp) {
    ConsumerGroupDescription description;
    try {
      description = await(admin.describeConsumerGroups(List.of(group),
          new DescribeConsumerGroupsOptions().timeoutMs((int) CALL_TIMEOUT.toMillis())).describedGroups().get(group));
    } catch (GroupIdNotFoundException e) {
      return Ownership.UNOWNED;
    }
    GroupState state = description.groupState();
    if (state == GroupState.EMPTY || state == GroupState.DEAD || description.members().isEmpty()) {
      return Ownership.UNOWNED;
    }
    if (state != GroupState.STABLE) {
      return Ownership.UNKNOWN;
    }
    for (MemberDescription member : description.members()) {
      if (member.assignment().topicPartitions().contains(tp)) {
        return Ownership.OWNED;
      }
    }
    return Ownership.UNOWNED;
  }

  private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future) {
    try {
      return future.get(CALL_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KafkaException k) {
        throw k;
      }
      throw new KafkaException(e.getCause());
    } catch (TimeoutException e) {
      throw new org.apache.kafka.common.errors.TimeoutException("no answer within " + CALL_TIMEOUT, e);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
