package dev.turnout.cli.gate;

import dev.turnout.authority.MigrationState;
import dev.turnout.fleet.InstanceStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * The rule's consumer groups: the cluster each reads (from the fleet's statuses), their lag on both clusters
 * (end offset minus committed, over the rule's partitions), and, to move to {@code WRITE_PROMOTION}, a verified
 * boundary on the target: the validation group ({@code <group>.turnout-validation}) committed every partition
 * of the rule's topics there during {@code DUAL_READ}.
 */
public final class OffsetsCheck implements GateCheck {

  static final String GROUP = "offsets";
  /** {@code TurnoutConfig.VALIDATION_GROUP_SUFFIX}. */
  static final String VALIDATION_SUFFIX = ".turnout-validation";
  private static final String STAMP_PREFIX = "turnout:";

  @Override
  public String group() {
    return GROUP;
  }

  @Override
  public List<GateLine> evaluate(GateContext c) throws Exception {
    Set<String> topics = new HashSet<>(c.topics());
    List<String> groups = c.consumerGroups();
    List<GateLine> lines = new ArrayList<>();
    if (groups.isEmpty()) {
      lines.add(GateLine.grey(GROUP, "groups", "no consumer group committed offsets of the rule's topics on either "
          + "cluster; name them with --group"));
      return lines;
    }
    String expected = c.rule().readCluster();
    for (String group : groups) {
      lines.add(reads(c, group, topics, expected));
      for (Cluster cluster : List.of(c.source(), c.target())) {
        lines.add(lag(c, cluster, group, topics, cluster.alias().equals(expected)));
      }
      if (c.next() == MigrationState.WRITE_PROMOTION) {
        lines.add(boundary(c, group, topics));
      }
    }
    return lines;
  }

  static GateLine reads(GateContext c, String group, Set<String> topics, String expected) {
    String name = "reads " + group;
    if (c.fleet().view() == null) {
      return GateLine.grey(GROUP, name, "no fleet status (" + c.fleet().missing() + ")");
    }
    Set<String> clusters = new TreeSet<>();
    int instances = 0;
    for (InstanceStatus i : c.fleet().view().instances()) {
      if (i.status().consumer() == null || !group.equals(i.status().consumer().groupId())) {
        continue;
      }
      instances++;
      i.status().consumer().readClusters().forEach((topic, cluster) -> {
        if (topics.contains(topic)) {
          clusters.add(cluster);
        }
      });
    }
    if (instances == 0) {
      return GateLine.grey(GROUP, name, "no instance of the group publishes its status");
    }
    boolean ok = clusters.equals(Set.of(expected));
    return GateLine.of(GROUP, name, ok, clusters.isEmpty() ? "none" : String.join(",", clusters), expected,
        ok ? instances + " instance(s)" : "the group must read only " + expected + " under the document in force");
  }

  private static GateLine lag(GateContext c, Cluster cluster, String group, Set<String> topics, boolean reading)
      throws Exception {
    String name = "lag " + group + " on " + cluster.alias();
    Map<TopicPartition, OffsetAndMetadata> committed = committed(cluster, group, topics);
    if (committed.isEmpty()) {
      return new GateLine(GROUP, name, reading ? Status.RED : Status.GREY, "no commits",
          reading ? "<= " + c.thresholds().maxGroupLag() : "-",
          reading ? "the group reads " + cluster.alias() + " but committed nothing of the rule's topics there" : "");
    }
    Map<TopicPartition, Long> end = cluster.endOffsets(committed.keySet());
    long lag = 0;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
      lag += Math.max(0, end.get(e.getKey()) - e.getValue().offset());
    }
    if (!reading) {
      return new GateLine(GROUP, name, Status.GREY, String.valueOf(lag), "-", "not the cluster the group reads now");
    }
    long max = c.thresholds().maxGroupLag();
    return GateLine.of(GROUP, name, lag <= max, String.valueOf(lag), "<= " + max, "");
  }

  private static GateLine boundary(GateContext c, String group, Set<String> topics) throws Exception {
    String validation = group + VALIDATION_SUFFIX;
    String name = "boundary " + group;
    Cluster target = c.target();
    Map<TopicPartition, OffsetAndMetadata> committed = committed(target, validation, topics);
    Set<String> missing = new TreeSet<>();
    int total = 0;
    for (String topic : topics) {
      int partitions = target.get(target.admin().describeTopics(List.of(topic)).allTopicNames()).get(topic)
          .partitions().size();
      for (int p = 0; p < partitions; p++) {
        total++;
        if (!committed.containsKey(new TopicPartition(topic, p))) {
          missing.add(topic + "-" + p);
        }
      }
    }
    long epoch = committed.values().stream().mapToLong(o -> stampEpoch(o.metadata())).max().orElse(-1);
    boolean ok = missing.isEmpty() && total > 0;
    return GateLine.of(GROUP, name, ok, (total - missing.size()) + "/" + total + " partitions",
        "all committed by " + validation + " on " + target.alias(),
        ok ? (epoch >= 0 ? "newest stamp epoch " + epoch : "")
            : "no validation commit for " + Format.list(missing) + ": run validation consumers under DUAL_READ "
                + "until they commit every partition");
  }

  /**
   * The epoch of a commit stamp: the metadata {@code turnout:<epoch>:c:<app>} or {@code turnout:<epoch>:h<ms>:<app>};
   * -1 for unstamped metadata.
   */
  static long stampEpoch(String metadata) {
    if (metadata == null || !metadata.startsWith(STAMP_PREFIX)) {
      return -1;
    }
    int end = metadata.indexOf(':', STAMP_PREFIX.length());
    try {
      return Long.parseLong(metadata.substring(STAMP_PREFIX.length(), end < 0 ? metadata.length() : end));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static Map<TopicPartition, OffsetAndMetadata> committed(Cluster cluster, String group, Set<String> topics)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> all;
    try {
      all = cluster.get(cluster.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
    } catch (GroupIdNotFoundException e) {
      return Map.of();
    }
    Map<TopicPartition, OffsetAndMetadata> out = new TreeMap<>(
        java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    all.forEach((tp, o) -> {
      if (o != null && topics.contains(tp.topic())) {
        out.put(tp, o);
      }
    });
    return out;
  }

}
