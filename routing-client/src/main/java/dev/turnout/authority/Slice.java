package dev.turnout.authority;

import java.util.List;

/**
 * A named slice of a WRITE_PROMOTION rule: key buckets (inclusive ranges within 0-9999) and the cluster
 * that owns writes for them.
 */
public record Slice(String name, List<KeyRange> ranges, String owner) {

  public Slice {
    ranges = List.copyOf(ranges);
  }

  /** An inclusive range of key buckets. */
  public record KeyRange(int from, int to) {
    /** Number of buckets in the range. */
    public int size() {
      return to - from + 1;
    }

    @Override
    public String toString() {
      return from + "-" + to;
    }
  }

  /** Number of key buckets this slice owns. */
  public int bucketCount() {
    return ranges.stream().mapToInt(KeyRange::size).sum();
  }
}
