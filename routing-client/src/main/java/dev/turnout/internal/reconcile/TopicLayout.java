package dev.turnout.internal.reconcile;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Rule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Decides which target partitions a request reads, and from where to where, after checking the documents (the
 * rule exists and names these two clusters), the topics (present on both clusters with the same partition count)
 * and any given ranges (inside the target's log). Reads only metadata and offsets.
 */
public final class TopicLayout {

  private final Scope scope;
  private final ClusterSide source;
  private final ClusterSide target;

  public TopicLayout(Scope scope, ClusterSide source, ClusterSide target) {
    this.scope = scope;
    this.source = source;
    this.target = target;
  }

  /** The partitions to read, in topic and partition order. */
  public List<PartitionTask> tasks() {
    List<AuthorityMap> documents = scope.documents().inForce(scope.fromEpoch(), scope.toEpoch());
    checkRule(documents);
    Set<String> topics = topics(documents);
    if (topics.isEmpty()) {
      return List.of();
    }
    Map<String, Integer> counts = partitionCounts(topics);
    List<TopicPartition> partitions = new ArrayList<>();
    if (!scope.named().isEmpty()) {
      for (TopicPartition tp : scope.named()) {
        if (tp.partition() < 0 || tp.partition() >= counts.get(tp.topic())) {
          throw new ReconcileFailure(ReconcileFailure.Kind.INVALID_RANGE, "targetOffsets names partition " + tp
              + ", but topic '" + tp.topic() + "' has " + counts.get(tp.topic()) + " partitions. Nothing was written.");
        }
        partitions.add(tp);
      }
    } else {
      counts.forEach((topic, count) -> {
        for (int p = 0; p < count; p++) {
          partitions.add(new TopicPartition(topic, p));
        }
      });
    }
    partitions.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
        : a.topic().compareTo(b.topic()));
    return tasks(partitions, compacted(topics));
  }

  private void checkRule(List<AuthorityMap> documents) {
    boolean found = false;
    boolean sliceFound = scope.slice() == null;
    for (AuthorityMap map : documents) {
      Rule rule = EpochDocuments.rule(map, scope.rule());
      if (rule == null) {
        continue;
      }
      found = true;
      sliceFound |= rule.slices().stream().anyMatch(s -> s.name().equals(scope.slice()))
          || Rule.NULL_KEY_SLICE.equals(scope.slice()) && rule.nullKeyOwner() != null;
      if (!source.alias().equals(rule.source()) || !target.alias().equals(rule.target())) {
        throw new ReconcileFailure(ReconcileFailure.Kind.ALIAS_MISMATCH, "rule '" + scope.rule()
            + "' in the document of epoch " + map.epoch() + " replicates '" + rule.source() + "' to '"
            + rule.target() + "', but this reconciler's source is '" + source.alias() + "' and its target '"
            + target.alias() + "'. Nothing was written. Build the reconciler with the rule's aliases.");
      }
    }
    if (!found) {
      throw new ReconcileFailure(ReconcileFailure.Kind.RULE_MISSING, "no document given for epochs "
          + scope.fromEpoch() + ".." + scope.toEpoch() + " has a rule '" + scope.rule()
          + "'. Nothing was written. Check the rule name and the documents.");
    }
    if (!sliceFound) {
      throw new ReconcileFailure(ReconcileFailure.Kind.RULE_MISSING, "rule '" + scope.rule() + "' has no slice '"
          + scope.slice() + "' in the documents given for epochs " + scope.fromEpoch() + ".." + scope.toEpoch()
          + ". Nothing was written. Check the slice name and the documents.");
    }
  }

  private Set<String> topics(List<AuthorityMap> documents) {
    Set<String> topics = new TreeSet<>();
    if (!scope.named().isEmpty()) {
      for (TopicPartition tp : scope.named()) {
        if (documents.stream().noneMatch(map -> governs(map, tp.topic()))) {
          throw new ReconcileFailure(ReconcileFailure.Kind.RULE_MISSING, "targetOffsets names topic '" + tp.topic()
              + "', which rule '" + scope.rule() + "' does not govern in the documents given. Nothing was written.");
        }
        topics.add(tp.topic());
      }
      return topics;
    }
    boolean prefixes = false;
    for (AuthorityMap map : documents) {
      Rule rule = EpochDocuments.rule(map, scope.rule());
      if (rule != null) {
        topics.addAll(rule.topics());
        prefixes |= !rule.prefixes().isEmpty();
      }
    }
    if (prefixes) {
      for (String topic : Calls.get(target.admin().listTopics().names(), target, "its topic list")) {
        if (documents.stream().anyMatch(map -> governs(map, topic))) {
          topics.add(topic);
        }
      }
    }
    return topics;
  }

  private boolean governs(AuthorityMap map, String topic) {
    Rule rule = map.ruleFor(topic);
    return rule != null && rule.name().equals(scope.rule());
  }

  private Map<String, Integer> partitionCounts(Set<String> topics) {
    var targetAsked = target.admin().describeTopics(topics).topicNameValues();
    var sourceAsked = source.admin().describeTopics(topics).topicNameValues();
    Map<String, Integer> onTarget = describe(target, topics, targetAsked);
    Map<String, Integer> onSource = describe(source, topics, sourceAsked);
    for (String topic : topics) {
      if (!onTarget.get(topic).equals(onSource.get(topic))) {
        throw new ReconcileFailure(ReconcileFailure.Kind.PARTITION_COUNT_MISMATCH, "topic '" + topic + "' has "
            + onTarget.get(topic) + " partitions on the target " + target + " and " + onSource.get(topic)
            + " on the source " + source + ": records are copied to the same partition number, so the counts must "
            + "match. Nothing was written. Add partitions to the smaller side (kafka-topics --alter --partitions) "
            + "and rerun.");
      }
    }
    return onTarget;
  }

  private static Map<String, Integer> describe(ClusterSide side, Set<String> topics,
      Map<String, KafkaFuture<TopicDescription>> futures) {
    Map<String, Integer> counts = new HashMap<>();
    for (String topic : topics) {
      TopicDescription d = Calls.get(futures.get(topic), side, "topic '" + topic + "'");
      counts.put(topic, d.partitions().size());
    }
    return counts;
  }

  private Map<String, Boolean> compacted(Set<String> topics) {
    List<ConfigResource> resources = topics.stream()
        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs = Calls.get(target.admin().describeConfigs(resources).all(), target,
        "the configuration of topics " + topics);
    Map<String, Boolean> out = new HashMap<>();
    configs.forEach((resource, config) -> {
      var policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
      out.put(resource.name(), policy != null && policy.value() != null && policy.value().contains("compact"));
    });
    return out;
  }

  private List<PartitionTask> tasks(List<TopicPartition> partitions, Map<String, Boolean> compacted) {
    // the requests go out together; each is waited for in turn
    var logStartAsked = ask(partitions, OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED);
    var highWatermarkAsked = ask(partitions, OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED);
    var stableAsked = ask(partitions, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED);
    var sinceAsked = scope.since() == null || scope.offsets().size() == partitions.size() ? null
        : ask(partitions, OffsetSpec.forTimestamp(scope.since().toEpochMilli()), IsolationLevel.READ_UNCOMMITTED);
    Map<TopicPartition, Long> logStart = answer(logStartAsked, partitions);
    Map<TopicPartition, Long> highWatermark = answer(highWatermarkAsked, partitions);
    Map<TopicPartition, Long> stable = answer(stableAsked, partitions);
    Map<TopicPartition, Long> since = sinceAsked == null ? Map.of() : answer(sinceAsked, partitions);
    List<PartitionTask> tasks = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      boolean compact = compacted.getOrDefault(tp.topic(), false);
      OffsetRange given = scope.offsets().get(tp);
      if (given != null) {
        RangeChecks.checkGiven(tp, given, logStart.get(tp), highWatermark.get(tp));
        tasks.add(new PartitionTask(tp, given.from(), given.to(), given, compact, -1));
      } else if (scope.since() != null) {
        long end = end(tp, stable.get(tp), highWatermark.get(tp));
        long start = since.get(tp) < 0 ? end : Math.min(since.get(tp), end);
        tasks.add(new PartitionTask(tp, start, end, null, compact, -1));
      } else {
        long start = logStart.get(tp);
        tasks.add(new PartitionTask(tp, start, end(tp, stable.get(tp), highWatermark.get(tp)), null, compact,
            start > 0 ? start : -1));
      }
    }
    return tasks;
  }

  /** Where a derived range's scan ends: its bound ({@code Scope.below}) when given, else the last stable offset. */
  private long end(TopicPartition tp, long stable, long highWatermark) {
    Long below = scope.below().get(tp);
    if (below == null) {
      return stable;
    }
    if (below > highWatermark) {
      throw new ReconcileFailure(ReconcileFailure.Kind.INVALID_RANGE, "the bound " + below + " of partition " + tp
          + " lies beyond its end offset " + highWatermark + " on the target. Nothing was written. Give a bound "
          + "of at most " + highWatermark + ".");
    }
    return below;
  }

  private KafkaFuture<Map<TopicPartition, ListOffsetsResultInfo>> ask(List<TopicPartition> partitions,
      OffsetSpec spec, IsolationLevel level) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    return target.admin().listOffsets(request, new ListOffsetsOptions(level)).all();
  }

  private Map<TopicPartition, Long> answer(KafkaFuture<Map<TopicPartition, ListOffsetsResultInfo>> asked,
      List<TopicPartition> partitions) {
    Map<TopicPartition, ListOffsetsResultInfo> result = Calls.get(asked, target,
        "the offsets of " + partitions.size() + " partition(s)");
    Map<TopicPartition, Long> out = new HashMap<>();
    result.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }
}
