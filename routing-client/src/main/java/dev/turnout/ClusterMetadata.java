package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Rule;
import dev.turnout.internal.consumer.Deadlines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Metadata and offset lookups, each answered by the cluster the topic (or partition) is read from. */
final class ClusterMetadata<K, V> {

  private final ConsumerContext<K, V> ctx;
  private final ReadRouting<K, V> routing;

  ClusterMetadata(ConsumerContext<K, V> ctx, ReadRouting<K, V> routing) {
    this.ctx = ctx;
    this.routing = routing;
  }

  List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
    Consumer<K, V> d = ctx.delegates().get(routing.ruleCluster(topic));
    return ctx.wakeups().call(d, () -> d.partitionsFor(topic, timeout));
  }

  /** Topics governed by a rule, each as its read cluster lists it. */
  Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
    long deadline = Deadlines.of(timeout);
    AuthorityMap map = ctx.core().requireUsable(routing.applied());
    Map<String, List<PartitionInfo>> out = new HashMap<>();
    for (int c = 0; c < ctx.delegates().size(); c++) {
      Consumer<K, V> d = ctx.delegates().get(c);
      String alias = ctx.alias(c);
      ctx.wakeups().call(d, () -> d.listTopics(Deadlines.remaining(deadline))).forEach((topic, partitions) -> {
        Rule rule = map.ruleFor(topic);
        if (rule != null && routing.readAlias(rule).equals(alias)) {
          out.put(topic, partitions);
        }
      });
    }
    return out;
  }

  Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps, Duration timeout) {
    long deadline = Deadlines.of(timeout);
    Map<Integer, Map<TopicPartition, Long>> byCluster = new HashMap<>();
    timestamps.forEach((tp, ts) -> byCluster.computeIfAbsent(routing.readClusterOf(tp), k -> new HashMap<>()).put(tp, ts));
    Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
    byCluster.forEach((c, query) -> {
      Consumer<K, V> d = ctx.delegates().get(c);
      out.putAll(ctx.wakeups().call(d, () -> d.offsetsForTimes(query, Deadlines.remaining(deadline))));
    });
    return out;
  }

  /** First ({@code beginning}) or end offsets. */
  Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, Duration timeout, boolean beginning) {
    long deadline = Deadlines.of(timeout);
    Map<Integer, List<TopicPartition>> byCluster = new HashMap<>();
    partitions.forEach(tp -> byCluster.computeIfAbsent(routing.readClusterOf(tp), k -> new ArrayList<>()).add(tp));
    Map<TopicPartition, Long> out = new HashMap<>();
    byCluster.forEach((c, list) -> {
      Consumer<K, V> d = ctx.delegates().get(c);
      out.putAll(ctx.wakeups().call(d, () -> beginning ? d.beginningOffsets(list, Deadlines.remaining(deadline))
          : d.endOffsets(list, Deadlines.remaining(deadline))));
    });
    return out;
  }
}
