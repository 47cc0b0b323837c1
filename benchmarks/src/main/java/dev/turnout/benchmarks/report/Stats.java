package dev.turnout.benchmarks.report;

import java.util.Arrays;
import java.util.Collection;

/** Order statistics of a sample: median, percentiles (nearest rank), min and max. Immutable. */
public final class Stats {

  private final double[] sorted;

  private Stats(double[] values) {
    this.sorted = values.clone();
    Arrays.sort(sorted);
  }

  /** Statistics of the given values; an empty sample is allowed and reports NaN. */
  public static Stats of(double... values) {
    return new Stats(values);
  }

  /** Statistics of the given values. */
  public static Stats of(Collection<? extends Number> values) {
    return new Stats(values.stream().mapToDouble(Number::doubleValue).toArray());
  }

  /** Statistics of the given long values (for example latencies in nanoseconds). */
  public static Stats ofLongs(long[] values, int count) {
    double[] d = new double[count];
    for (int i = 0; i < count; i++) {
      d[i] = values[i];
    }
    return new Stats(d);
  }

  /** Number of values. */
  public int count() {
    return sorted.length;
  }

  /** Whether the sample is empty. */
  public boolean isEmpty() {
    return sorted.length == 0;
  }

  /**
   * The nearest-rank percentile: the smallest value such that at least {@code p} percent of the sample is
   * less than or equal to it. {@code percentile(50)} of an even-sized sample is the lower middle value;
   * use {@link #median()} for the mean of the two middle values.
   */
  public double percentile(double p) {
    if (p < 0 || p > 100) {
      throw new IllegalArgumentException("percentile must be within 0-100: " + p);
    }
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** The median (mean of the two middle values for an even-sized sample). */
  public double median() {
    int n = sorted.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The smallest value. */
  public double min() {
    return sorted.length == 0 ? Double.NaN : sorted[0];
  }

  /** The largest value. */
  public double max() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
  }

  /** The arithmetic mean. */
  public double mean() {
    return sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).sum() / sorted.length;
  }

  @Override
  public String toString() {
    return "Stats{n=" + count() + ", median=" + median() + ", min=" + min() + ", max=" + max() + '}';
  }
}
