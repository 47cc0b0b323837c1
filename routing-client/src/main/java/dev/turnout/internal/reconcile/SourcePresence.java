package dev.turnout.internal.reconcile;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Finds which record ids are already in source partitions, by reading them ({@code read_committed}, all partitions
 * at once) from a lower bound up to their high watermark.
 *
 * <p><b>The lower bound</b> of a partition of a {@code CreateTime} topic is the offset the source returns for the
 * timestamp {@code T = } (the earliest candidate's timestamp) {@code - }{@link #MARGIN_MS}: the earliest offset whose
 * record has a timestamp {@code >= T}. It is safe whatever the order of timestamps in the log: a copy keeps its
 * original's timestamp {@code t >= T + MARGIN_MS > T}, so the copy itself is a record with a timestamp {@code >= T},
 * and the earliest such offset cannot lie after it (the broker's time index skips only records whose timestamps are
 * all {@code <= T}, and the margin makes the copy's strictly greater). On a {@code LogAppendTime} source topic a
 * copy's timestamp is the source broker's clock when it was written, which no bound derived from the target's
 * timestamps can be proved to precede, so such a topic (or one whose configuration cannot be read) is searched
 * from its log start.
 *
 * <p>Reading up to the high watermark (not the last stable offset) means an open transaction on the partition is
 * waited for, so committed copies beyond it are never missed.
 */
public final class SourcePresence {

  /** How far before the earliest candidate's timestamp the search starts. */
  public static final long MARGIN_MS = 10 * 60_000L;

  private final ClusterSide source;
  private final PartitionReader reader;
  private long scanned;

  public SourcePresence(ClusterSide source) {
    this.source = source;
    this.reader = new PartitionReader(source);
  }

  /** The ids of {@code wanted} present in {@code partition} of the source. */
  public Set<ByteBuffer> present(TopicPartition partition, Set<ByteBuffer> wanted, long minTimestamp) {
    return present(Map.of(partition, wanted), Map.of(partition, minTimestamp)).get(partition);
  }

  /**
   * The ids of {@code wanted} present in each partition of the source, all partitions searched at once.
   *
   * @param minTimestamps per partition, the earliest timestamp of its candidates
   */
  public Map<TopicPartition, Set<ByteBuffer>> present(Map<TopicPartition, Set<ByteBuffer>> wanted,
      Map<TopicPartition, Long> minTimestamps) {
    Map<TopicPartition, OffsetRange> ranges = ranges(minTimestamps);
    return scan(ranges, wanted);
  }

  /** Per partition, the offsets to search: from the lower bound for {@code minTimestamp} to the high watermark. */
  Map<TopicPartition, OffsetRange> ranges(Map<TopicPartition, Long> minTimestamps) {
    Map<TopicPartition, Long> end = offsets(minTimestamps.keySet(), tp -> OffsetSpec.latest());
    Map<TopicPartition, Long> from = lowerBounds(minTimestamps);
    Map<TopicPartition, OffsetRange> out = new HashMap<>();
    for (TopicPartition tp : minTimestamps.keySet()) {
      long to = end.get(tp);
      long start = from.get(tp);
      out.put(tp, new OffsetRange(start < 0 ? to : Math.min(start, to), to));
    }
    return out;
  }

  /**
   * Per partition, the first offset a copy of a candidate of {@code minTimestamp} or later can have (-1: none can
   * be there yet): see the class comment.
   */
  Map<TopicPartition, Long> lowerBounds(Map<TopicPartition, Long> minTimestamps) {
    Set<String> appendTime = logAppendTimeTopics(minTimestamps.keySet());
    return offsets(minTimestamps.keySet(), tp -> appendTime.contains(tp.topic()) ? OffsetSpec.earliest()
        : OffsetSpec.forTimestamp(lowerBoundTimestamp(minTimestamps.get(tp))));
  }

  /** The topics among {@code partitions}' whose timestamps the source sets, or whose configuration it refuses. */
  private Set<String> logAppendTimeTopics(Set<TopicPartition> partitions) {
    Set<String> out = new HashSet<>();
    List<ConfigResource> resources = partitions.stream().map(TopicPartition::topic).distinct()
        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    if (resources.isEmpty()) {
      return out;
    }
    var futures = source.admin().describeConfigs(resources).values();
    for (ConfigResource resource : resources) {
      try {
        ConfigEntry type = Calls.get(futures.get(resource), source, "the configuration of topic '" + resource.name()
            + "'").get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
        if (type != null && "LogAppendTime".equals(type.value())) {
          out.add(resource.name());
        }
      } catch (ReconcileFailure e) {
        if (e.kind() != ReconcileFailure.Kind.CLUSTER_ERROR) {
          throw e;
        }
        out.add(resource.name()); // e.g. no DescribeConfigs permission: search from the log start, which is safe
      }
    }
    return out;
  }

  /** The timestamp whose first offset starts the search for candidates of {@code minTimestamp} or later. */
  static long lowerBoundTimestamp(long minTimestamp) {
    return Math.max(0, minTimestamp - MARGIN_MS);
  }

  /** The ids of {@code wanted} found in {@code ranges} of the source, per partition (every partition a key). */
  Map<TopicPartition, Set<ByteBuffer>> scan(Map<TopicPartition, OffsetRange> ranges,
      Map<TopicPartition, Set<ByteBuffer>> wanted) {
    Map<TopicPartition, Set<ByteBuffer>> found = new HashMap<>();
    wanted.keySet().forEach(tp -> found.put(tp, new HashSet<>()));
    Map<TopicPartition, OffsetRange> toRead = new HashMap<>();
    ranges.forEach((tp, r) -> {
      if (!wanted.getOrDefault(tp, Set.of()).isEmpty()) {
        toRead.put(tp, r);
      }
    });
    reader.read(toRead, r -> {
      scanned++;
      ByteBuffer id = RecordClassifier.id(r.headers());
      if (id != null) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (wanted.get(tp).contains(id)) {
          found.get(tp).add(id);
        }
      }
    });
    return found;
  }

  /** Records read from the source so far by this instance. */
  long scanned() {
    return scanned;
  }

  /** One listOffsets request for all {@code partitions}. */
  Map<TopicPartition, Long> offsets(Set<TopicPartition> partitions,
      java.util.function.Function<TopicPartition, OffsetSpec> spec) {
    Map<TopicPartition, Long> out = new HashMap<>();
    if (partitions.isEmpty()) {
      return out;
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec.apply(tp)));
    Map<TopicPartition, ListOffsetsResultInfo> result = Calls.get(source.admin()
        .listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all(), source,
        "the offsets of " + (partitions.size() == 1 ? "partition " + partitions.iterator().next()
            : partitions.size() + " partition(s)"));
    result.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }
}
