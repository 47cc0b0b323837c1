package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.consumer.Resolution;
import dev.turnout.internal.source.AuthorityRefresher;
import dev.turnout.status.BlockedPartition;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientRole;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterIdCheck;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.ConsumerStatus;
import dev.turnout.status.PartitionRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Assembles a {@link RoutingConsumer}'s {@link ClientStatus}. The consumer's polling thread publishes what only
 * it may read (read clusters, pending and blocked partitions, fenced topics) when it changes; a snapshot reads
 * those published copies and the thread-safe counters, so it never touches the consumer and is callable from
 * any thread.
 */
final class ConsumerStatusView {

  private static final Comparator<PartitionRef> PARTITION_ORDER =
      Comparator.comparing(PartitionRef::topic).thenComparingInt(PartitionRef::partition);

  private final String clientId;
  private final ClientRole role;
  private final String groupId;
  private final List<String> aliases;
  private final AuthorityRefresher refresher;
  private final ClientMetrics metrics;
  private final Listeners listeners;
  private final String instanceId;
  private volatile long epoch = -1;
  private volatile Map<String, String> readClusters = Map.of();
  private volatile List<PartitionRef> establishing = List.of();
  private volatile List<BlockedPartition> blocked = List.of();
  private volatile List<String> fenced = List.of();
  /** What was published last (polling thread only). */
  private Set<TopicPartition> lastPending = Set.of();
  private Map<TopicPartition, Resolution> lastBlocked = Map.of();
  private Set<String> lastFenced = Set.of();

  /**
   * @param groupId the group used on every cluster, or {@code null}
   */
  ConsumerStatusView(String clientId, String instanceId, boolean validation, String groupId, List<String> aliases,
      AuthorityRefresher refresher, ClientMetrics metrics, Listeners listeners) {
    this.clientId = clientId;
    this.instanceId = instanceId;
    this.role = validation ? ClientRole.VALIDATION_CONSUMER : ClientRole.CONSUMER;
    this.groupId = groupId;
    this.aliases = List.copyOf(aliases);
    this.refresher = refresher;
    this.metrics = metrics;
    this.listeners = listeners;
  }

  Listeners listeners() {
    return listeners;
  }

  /** Polling thread: the consumer applied {@code applied}; tells the listeners when it is a new epoch. */
  void epochApplied(long applied) {
    epoch = applied;
    listeners.epochApplied(applied);
  }

  /** Polling thread: the alias of the cluster each topic is read from now. */
  void readClusters(Map<String, String> aliasByTopic) {
    readClusters = Map.copyOf(new TreeMap<>(aliasByTopic));
  }

  /** Polling thread: the partitions being established, blocked, and the fenced topics, after a change. */
  void partitions(Set<TopicPartition> pending, Map<TopicPartition, Resolution> blockedPartitions,
      Set<String> fencedTopics) {
    if (lastPending.equals(pending) && lastBlocked.equals(blockedPartitions) && lastFenced.equals(fencedTopics)) {
      return; // unchanged (called on every poll that applies resolutions): nothing allocated
    }
    lastPending = Set.copyOf(pending);
    lastBlocked = Map.copyOf(blockedPartitions);
    lastFenced = Set.copyOf(fencedTopics);
    List<PartitionRef> refs = new ArrayList<>();
    pending.forEach(tp -> refs.add(new PartitionRef(tp.topic(), tp.partition())));
    refs.sort(PARTITION_ORDER);
    Map<String, String> reads = readClusters;
    List<BlockedPartition> blocks = new ArrayList<>();
    blockedPartitions.forEach((tp, resolution) -> blocks.add(new BlockedPartition(tp.topic(), tp.partition(),
        reads.get(tp.topic()), resolution.problem() == null ? resolution.outcome().name() : resolution.problem().name(),
        resolution.detail())));
    blocks.sort(Comparator.comparing(BlockedPartition::topic).thenComparingInt(BlockedPartition::partition));
    establishing = List.copyOf(refs);
    blocked = List.copyOf(blocks);
    fenced = fencedTopics.stream().sorted().toList();
  }

  ClientStatus snapshot() {
    MetricValues values = new MetricValues(metrics);
    String reason = Freshness.failingClosedReason(refresher);
    Map<String, Long> consumed = values.countsBy("records-consumed-total", ClientMetrics.CLUSTER_TAG);
    List<ClusterStatus> clusters = new ArrayList<>();
    for (String alias : aliases) {
      clusters.add(new ClusterStatus(alias, BreakerState.DISABLED, -1, ClusterIdCheck.NOT_PINNED,
          consumed.getOrDefault(alias, 0L)));
    }
    ConsumerStatus reads = new ConsumerStatus(groupId, readClusters, blocked, establishing, fenced,
        values.count("read-switches-total"), values.countsBy("boundary-verifications-total", "outcome"),
        values.count("duplicates-avoided-total"), values.count("duplicates-admitted-total"),
        longest(values.value("switch-duration-ms-longest")));
    AuthorityMap map = refresher.map();
    long applied = epoch;
    return new ClientStatus(clientId, role, Instant.now(), applied, listeners.epochSince(), refresher.ageMillis(),
        reason != null, reason, Freshness.authorityProblem(refresher), clusters, RouteTable.of(map != null && map.epoch() == applied ? map : null, Map.of()),
        List.of(), null, reads, listeners.recentRefusals(), values.countsBy("records-refused-total", "reason"),
        instanceId);
  }

  /**
   * A value that changes when the epoch applied, a read cluster, the blocked or establishing partitions or the
   * fenced topics change (for the fleet status publisher). Reads the published copies only.
   */
  long changeSignature() {
    long signature = epoch * 31 + readClusters.hashCode();
    signature = signature * 31 + blocked.hashCode();
    signature = signature * 31 + establishing.hashCode();
    return signature * 31 + fenced.hashCode();
  }

  /** The gauge's value, NaN before the first switch (-1). */
  private static double longest(double value) {
    return value < 0 ? Double.NaN : value;
  }
}
