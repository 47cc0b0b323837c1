package dev.turnout.internal.reconcile;

/** Offsets {@code [from, to)} of one partition. */
public record OffsetRange(long from, long to) {

  public OffsetRange {
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("not an offset range [" + from + ", " + to + "): need 0 <= from <= to");
    }
  }

  /** Number of offsets in the range. */
  public long size() {
    return to - from;
  }

  @Override
  public String toString() {
    return "[" + from + ", " + to + ")";
  }
}
