package dev.turnout.cli.gate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Replication of the rule's topics from the source to the target, measured from the data: per partition (same
 * partition numbers on both sides, as MirrorMaker 2 with the identity replication policy keeps them), the newest
 * replicated record on the target (the newest one Turnout did not write to the target itself) is looked up on the
 * source by its {@code turnout.id} (or, without one, by timestamp, key and value); the source records after it are
 * the lag, and the age of the oldest of them the time lag. Also: each topic exists on both sides with equal
 * partition counts, and the source retention covers the rollback window.
 */
public final class ReplicationCheck implements GateCheck {

  static final String GROUP = "replication";

  @Override
  public String group() {
    return GROUP;
  }

  @Override
  public List<GateLine> evaluate(GateContext c) throws Exception {
    List<GateLine> lines = new ArrayList<>();
    List<String> topics = c.topics();
    if (topics.isEmpty()) {
      lines.add(new GateLine(GROUP, "topics", Status.RED, "0", ">= 1",
          "no topic of rule '" + c.rule().name() + "' exists on the source"));
      return lines;
    }
    try (KafkaConsumer<byte[], byte[]> sourceReader = c.source().consumer();
        KafkaConsumer<byte[], byte[]> targetReader = c.target().consumer()) {
      PartitionScan onSource = new PartitionScan(sourceReader, c.source().timeout());
      PartitionScan onTarget = new PartitionScan(targetReader, c.target().timeout());
      for (String topic : topics) {
        Integer sourceCount = partitions(c.source(), topic);
        Integer targetCount = partitions(c.target(), topic);
        boolean same = sourceCount != null && sourceCount.equals(targetCount);
        lines.add(GateLine.of(GROUP, "partitions " + topic, same, count(sourceCount) + " -> " + count(targetCount),
            "equal", same ? "" : "the topic must exist on both clusters with the same partition count"));
        if (same) {
          lines.add(lag(c, topic, sourceCount, onSource, onTarget));
        }
        if (sourceCount != null) {
          lines.add(retention(c, topic));
        }
      }
    }
    return lines;
  }

  private GateLine lag(GateContext c, String topic, int partitions, PartitionScan onSource, PartitionScan onTarget)
      throws Exception {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    Map<TopicPartition, Long> sourceStart = c.source().startOffsets(tps);
    Map<TopicPartition, Long> sourceEnd = c.source().endOffsets(tps);
    Map<TopicPartition, Long> targetStart = c.target().startOffsets(tps);
    Map<TopicPartition, Long> targetEnd = c.target().endOffsets(tps);
    int limit = c.thresholds().scanLimit();
    long records = 0;
    long oldest = -1;
    List<String> problems = new ArrayList<>();
    String targetAlias = c.target().alias();
    for (TopicPartition tp : tps) {
      long start = sourceStart.get(tp);
      long end = sourceEnd.get(tp);
      if (start == end) {
        continue;
      }
      PartitionScan.Found replicated = onTarget.scanBack(tp, targetStart.get(tp), targetEnd.get(tp), limit,
          seen -> !targetAlias.equals(seen.origin()));
      PartitionScan.Found behind;
      if (replicated.match() == null) {
        if (!replicated.exhausted()) {
          problems.add(tp.partition() + ": no replicated record among the last " + limit + " of the target");
        }
        behind = onSource.scanBack(tp, start, end, limit, seen -> false);
        if (!behind.exhausted()) {
          problems.add(tp.partition() + ": nothing replicated, more than " + limit + " source records");
        }
      } else {
        String identity = replicated.match().identity();
        behind = onSource.scanBack(tp, start, end, limit, seen -> seen.identity().equals(identity));
        if (behind.match() == null) {
          problems.add(tp.partition() + ": the newest replicated record (target offset "
              + replicated.match().offset() + ") is not among the last " + limit + " records of the source");
        }
      }
      records += behind.after();
      if (behind.oldestAfter() >= 0 && (oldest < 0 || behind.oldestAfter() < oldest)) {
        oldest = behind.oldestAfter();
      }
    }
    long lagMs = records == 0 || oldest < 0 ? 0 : Math.max(0, c.now().toEpochMilli() - oldest);
    Thresholds t = c.thresholds();
    boolean ok = problems.isEmpty() && records <= t.maxLagRecords() && lagMs <= t.maxLagTime().toMillis();
    String detail = problems.isEmpty()
        ? (records == 0 ? "" : "oldest unreplicated source record is " + Format.duration(Duration.ofMillis(lagMs))
            + " old")
        : "partition " + Format.list(problems) + " (more than the lag, or replication does not keep the records)";
    return GateLine.of(GROUP, "lag " + topic, ok, records + " records, " + Format.duration(Duration.ofMillis(lagMs)),
        "<= " + t.maxLagRecords() + " records, <= " + Format.duration(t.maxLagTime()), detail);
  }

  private GateLine retention(GateContext c, String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = c.source().get(c.source().admin().describeConfigs(List.of(resource)).all()).get(resource);
    ConfigEntry entry = config.get(TopicConfig.RETENTION_MS_CONFIG);
    long ms = entry == null || entry.value() == null ? -1 : Long.parseLong(entry.value());
    Duration window = c.thresholds().rollbackWindow();
    boolean ok = ms < 0 || ms >= window.toMillis();
    return GateLine.of(GROUP, "retention " + topic, ok, ms < 0 ? "infinite" : Format.duration(Duration.ofMillis(ms)),
        ">= " + Format.duration(window),
        ok ? "" : "the source would delete records before the rollback window ends: raise retention.ms on the "
            + "source, or shorten --rollback-window");
  }

  private static Integer partitions(Cluster cluster, String topic) throws Exception {
    try {
      TopicDescription d = cluster.get(cluster.admin().describeTopics(List.of(topic)).allTopicNames()).get(topic);
      return d.partitions().size();
    } catch (UnknownTopicOrPartitionException e) {
      return null;
    }
  }

  private static String count(Integer partitions) {
    return Objects.toString(partitions, "missing");
  }
}
