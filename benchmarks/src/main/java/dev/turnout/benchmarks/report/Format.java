package dev.turnout.benchmarks.report;

import java.util.Locale;

/** Number formatting for the results tables: fixed, locale-independent, and explicit about missing values. */
public final class Format {

  private Format() {}

  /** A number with {@code decimals} decimals, or {@code n/a} for NaN. */
  public static String fixed(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  /** A count with thousands separators ({@code 123,456}), or {@code n/a} for NaN. */
  public static String count(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%,d", Math.round(value));
  }

  /** Median and range of a sample: {@code 0.98 (0.96-0.99)}. */
  public static String medianRange(Stats stats, int decimals) {
    if (stats.isEmpty()) {
      return "n/a";
    }
    return fixed(stats.median(), decimals) + " (" + fixed(stats.min(), decimals) + "-" + fixed(stats.max(), decimals)
        + ")";
  }

  /** A signed percentage change from {@code base} to {@code value}: {@code -31.2%}. */
  public static String change(double value, double base) {
    if (Double.isNaN(value) || Double.isNaN(base) || base == 0) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%+.1f%%", (value / base - 1) * 100);
  }

  /** Milliseconds from nanoseconds, with one decimal. */
  public static String millis(double nanos) {
    return fixed(nanos / 1e6, 1);
  }
}
