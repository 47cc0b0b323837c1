package dev.turnout.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The fleet as the status topic shows it at one moment: the latest status of every instance that has not
 * closed (an instance's tombstone removes it). Immutable.
 */
public final class FleetView {

  private static final Comparator<InstanceStatus> ORDER = Comparator.comparing(InstanceStatus::service)
      .thenComparing(InstanceStatus::clientId).thenComparing(InstanceStatus::instanceId);

  private final Instant readAt;
  private final List<InstanceStatus> instances;
  private final Map<String, InstanceStatus> byId;
  private final long skipped;

  /**
   * @param readAt when the topic was read up to its end
   * @param instances the latest status of each instance
   * @param skipped records that could not be read as a status (not counted as instances)
   */
  public FleetView(Instant readAt, List<InstanceStatus> instances, long skipped) {
    this.readAt = readAt;
    List<InstanceStatus> sorted = new ArrayList<>(instances);
    sorted.sort(ORDER);
    this.instances = List.copyOf(sorted);
    Map<String, InstanceStatus> ids = new LinkedHashMap<>();
    sorted.forEach(i -> ids.put(i.instanceId(), i));
    this.byId = Collections.unmodifiableMap(ids);
    this.skipped = skipped;
  }

  /** When the status topic was read (to its end at that time). */
  public Instant readAt() {
    return readAt;
  }

  /** Every instance, by service, client id and instance id. */
  public List<InstanceStatus> instances() {
    return instances;
  }

  /** The instance with this id, or {@code null}. */
  public InstanceStatus instance(String instanceId) {
    return byId.get(instanceId);
  }

  /** The instances of each service, services in alphabetical order. */
  public Map<String, List<InstanceStatus>> byService() {
    Map<String, List<InstanceStatus>> groups = new TreeMap<>();
    instances.forEach(i -> groups.computeIfAbsent(i.service(), s -> new ArrayList<>()).add(i));
    groups.replaceAll((service, list) -> List.copyOf(list));
    return Collections.unmodifiableMap(groups);
  }

  /** The epoch the instance reported last, or empty for an unknown (or closed) instance. */
  public OptionalLong epochOf(String instanceId) {
    InstanceStatus instance = byId.get(instanceId);
    return instance == null ? OptionalLong.empty() : OptionalLong.of(instance.epoch());
  }

  /**
   * The instances that published nothing within {@value InstanceStatus#STALE_AFTER_INTERVALS} of their own
   * intervals before {@code now} ({@link InstanceStatus#staleAt}).
   */
  public List<InstanceStatus> stale(Instant now) {
    return instances.stream().filter(i -> i.staleAt(now)).toList();
  }

  /**
   * The live instances (not stale at {@link #readAt()}) that route by an epoch older than {@code epoch}:
   * those that have not acknowledged it yet.
   */
  public List<InstanceStatus> stragglers(long epoch) {
    return instances.stream().filter(i -> !i.staleAt(readAt) && i.epoch() < epoch).toList();
  }

  /** Records of the topic that were not a readable status record (logged at WARN when read). */
  public long skipped() {
    return skipped;
  }
}
