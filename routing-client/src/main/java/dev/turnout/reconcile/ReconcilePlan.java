package dev.turnout.reconcile;

import java.time.Instant;
import java.util.List;

/**
 * What {@link Reconciler#apply} would do, found without writing: per topic, partition and slice, the target-only
 * records, how many of them are on the source already and how many would be copied. {@code toCopy() == 0} means
 * the request is reconciled.
 */
public final class ReconcilePlan {

  /**
   * The target-only records of one slice of one partition.
   *
   * @param slice the slice of their {@code turnout.route} ({@code "-"} for an unsliced rule)
   * @param targetOnly target-only records found
   * @param alreadyOnSource how many of them the source holds already (by {@code turnout.id})
   * @param minBucket lowest key bucket (0-9999) among them; -1 when every key is null
   * @param maxBucket highest key bucket; -1 when every key is null
   * @param firstOffset target offset of the first of them
   * @param lastOffset target offset of the last of them
   * @param firstTimestamp earliest timestamp among them
   * @param lastTimestamp latest timestamp among them
   */
  public record Entry(String topic, int partition, String slice, long targetOnly, long alreadyOnSource,
      int minBucket, int maxBucket, long firstOffset, long lastOffset, Instant firstTimestamp,
      Instant lastTimestamp) {

    /** Records that would be copied: {@code targetOnly - alreadyOnSource}. */
    public long toCopy() {
      return targetOnly - alreadyOnSource;
    }
  }

  private final List<Entry> entries;

  /** A plan of these entries. */
  public ReconcilePlan(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** One entry per topic, partition and slice with target-only records, in topic and partition order. */
  public List<Entry> entries() {
    return entries;
  }

  /** Target-only records in every entry. */
  public long targetOnly() {
    return entries.stream().mapToLong(Entry::targetOnly).sum();
  }

  /** Target-only records the source holds already. */
  public long alreadyOnSource() {
    return entries.stream().mapToLong(Entry::alreadyOnSource).sum();
  }

  /** Records {@link Reconciler#apply} would copy; 0 when the request is reconciled. */
  public long toCopy() {
    return entries.stream().mapToLong(Entry::toCopy).sum();
  }

  /** Whether nothing is left to copy. */
  public boolean reconciled() {
    return toCopy() == 0;
  }

  @Override
  public String toString() {
    return "ReconcilePlan{targetOnly=" + targetOnly() + ", alreadyOnSource=" + alreadyOnSource() + ", toCopy="
        + toCopy() + ", entries=" + entries.size() + '}';
  }
}
