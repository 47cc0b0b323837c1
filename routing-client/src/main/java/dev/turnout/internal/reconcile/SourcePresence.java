package dev.turnout.internal.reconcile;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds which record ids are already in a source partition, by reading it ({@code read_committed}) from the first
 * offset whose timestamp is at least the earliest candidate's minus {@link #MARGIN_MS} up to its high watermark. A
 * copy keeps its original's timestamp, so with {@code CreateTime} every copy lies after that offset; the margin
 * covers {@code LogAppendTime} topics and clock skew between the clusters. Reading up to the high watermark (not
 * the last stable offset) means an open transaction on the partition is waited for, so committed copies beyond
 * it are never missed.
 */
public final class SourcePresence {

  /** How far before the earliest candidate's timestamp the search starts. */
  public static final long MARGIN_MS = 10 * 60_000L;

  private final ClusterSide source;
  private final PartitionReader reader;

  public SourcePresence(ClusterSide source) {
    this.source = source;
    this.reader = new PartitionReader(source);
  }

  /** The ids of {@code wanted} present in {@code partition} of the source. */
  public Set<ByteBuffer> present(TopicPartition partition, Set<ByteBuffer> wanted, long minTimestamp) {
    Set<ByteBuffer> found = new HashSet<>();
    if (wanted.isEmpty()) {
      return found;
    }
    long from = offset(partition, OffsetSpec.forTimestamp(Math.max(0, minTimestamp - MARGIN_MS)));
    long to = offset(partition, OffsetSpec.latest());
    if (from < 0) {
      return found;
    }
    reader.read(partition, from, to, r -> {
      ByteBuffer id = RecordClassifier.id(r.headers());
      if (id != null && wanted.contains(id)) {
        found.add(id);
      }
    });
    return found;
  }

  private long offset(TopicPartition partition, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    request.put(partition, spec);
    Map<TopicPartition, ListOffsetsResultInfo> result = Calls.get(source.admin()
        .listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all(), source,
        "the offsets of partition " + partition);
    return result.get(partition).offset();
  }
}
