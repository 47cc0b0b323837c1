package dev.turnout.reconcile;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What {@link Reconciler#apply} did, per partition and in total. */
public final class ReconcileReport {

  /**
   * One target partition (the same partition number on the source).
   *
   * @param read records read inside its range on the target
   * @param copied target-only records this run wrote to the source
   * @param alreadyPresent target-only records the source held already
   * @param skipped records inside the range that are not target-only records of the request, by reason
   * @param takenOver whether another reconciler fenced this one on the partition before it finished (it writes
   *     the rest; run {@link Reconciler#plan} to check)
   */
  public record PartitionResult(String topic, int partition, long read, long copied, long alreadyPresent,
      Map<SkipReason, Long> skipped, boolean takenOver) {

    public PartitionResult {
      skipped = Collections.unmodifiableMap(skipped.isEmpty() ? new EnumMap<>(SkipReason.class)
          : new EnumMap<>(skipped));
    }

    /** Records skipped for any reason. */
    public long skippedTotal() {
      return skipped.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final List<PartitionResult> partitions;

  /** A report of these partitions. */
  public ReconcileReport(List<PartitionResult> partitions) {
    this.partitions = List.copyOf(partitions);
  }

  /** One result per partition read, in topic and partition order. */
  public List<PartitionResult> partitions() {
    return partitions;
  }

  /** Records read inside the ranges. */
  public long read() {
    return partitions.stream().mapToLong(PartitionResult::read).sum();
  }

  /** Records written to the source by this run. */
  public long copied() {
    return partitions.stream().mapToLong(PartitionResult::copied).sum();
  }

  /** Target-only records the source held already. */
  public long alreadyPresent() {
    return partitions.stream().mapToLong(PartitionResult::alreadyPresent).sum();
  }

  /** Records skipped, by reason, over every partition. */
  public Map<SkipReason, Long> skipped() {
    Map<SkipReason, Long> total = new EnumMap<>(SkipReason.class);
    partitions.forEach(p -> p.skipped().forEach((k, v) -> total.merge(k, v, Long::sum)));
    return Collections.unmodifiableMap(total);
  }

  /** Records skipped for any reason. */
  public long skippedTotal() {
    return partitions.stream().mapToLong(PartitionResult::skippedTotal).sum();
  }

  /** Whether this run finished every partition itself (no other reconciler took one over). */
  public boolean complete() {
    return partitions.stream().noneMatch(PartitionResult::takenOver);
  }

  @Override
  public String toString() {
    return "ReconcileReport{read=" + read() + ", copied=" + copied() + ", alreadyPresent=" + alreadyPresent()
        + ", skipped=" + skipped() + ", complete=" + complete() + '}';
  }
}
