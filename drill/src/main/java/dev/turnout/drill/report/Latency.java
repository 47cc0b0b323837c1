package dev.turnout.drill.report;

import java.util.Arrays;

/**
 * Send-to-outcome latencies of a set of records: count, p50, p99, max, in milliseconds.
 *
 * @param count records
 * @param p50 median, ms
 * @param p99 99th percentile, ms
 * @param max maximum, ms
 */
public record Latency(long count, double p50, double p99, double max) {

  /** The latencies of {@code micros} (not modified). */
  static Latency of(long[] micros) {
    if (micros.length == 0) {
      return new Latency(0, Double.NaN, Double.NaN, Double.NaN);
    }
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    return new Latency(sorted.length, at(sorted, 0.50), at(sorted, 0.99), sorted[sorted.length - 1] / 1000.0);
  }

  private static double at(long[] sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
  }

  /** {@code p50 / p99 / max ms}, or a dash without records. */
  String text() {
    if (count == 0) {
      return "-";
    }
    return String.format(java.util.Locale.ROOT, "%.1f / %.1f / %.1f ms", p50, p99, max);
  }
}
