package dev.turnout.benchmarks.report;

import java.util.Objects;

/**
 * One target of the performance contract, what was measured against it, and the verdict.
 *
 * @param target the promise, e.g. {@code decision <= 50 ns/op median at 10,000 rules}
 * @param measured what this run measured, in words and numbers
 * @param status whether the target was met, missed, or could not be measured
 * @param gap for {@link Status#MISSED}: how far off; for {@link Status#NOT_MEASURED}: why
 */
public record TargetCheck(String target, String measured, Status status, String gap) {

  /** Verdict of one target. */
  public enum Status {
    MET("met"),
    MISSED("not met"),
    NOT_MEASURED("not measured");

    private final String text;

    Status(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  public TargetCheck {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(measured, "measured");
    Objects.requireNonNull(status, "status");
    gap = gap == null ? "" : gap;
  }

  /** A target that was met. */
  public static TargetCheck met(String target, String measured) {
    return new TargetCheck(target, measured, Status.MET, "");
  }

  /** A target that was missed by {@code gap}. */
  public static TargetCheck missed(String target, String measured, String gap) {
    return new TargetCheck(target, measured, Status.MISSED, gap);
  }

  /** A target this run could not measure, and why. */
  public static TargetCheck notMeasured(String target, String why) {
    return new TargetCheck(target, "-", Status.NOT_MEASURED, why);
  }

  /**
   * Checks {@code value <= limit}: met when it holds, otherwise missed with the gap stated in
   * {@code unit}.
   */
  public static TargetCheck atMost(String target, double value, double limit, String measured, String unit,
      int decimals) {
    if (Double.isNaN(value)) {
      return notMeasured(target, "no sample");
    }
    return value <= limit ? met(target, measured)
        : missed(target, measured, Format.fixed(value - limit, decimals) + unitText(unit) + " over");
  }

  /**
   * Checks {@code value >= limit}: met when it holds, otherwise missed with the gap stated in
   * {@code unit}.
   */
  public static TargetCheck atLeast(String target, double value, double limit, String measured, String unit,
      int decimals) {
    if (Double.isNaN(value)) {
      return notMeasured(target, "no sample");
    }
    return value >= limit ? met(target, measured)
        : missed(target, measured, Format.fixed(limit - value, decimals) + unitText(unit) + " short");
  }

  private static String unitText(String unit) {
    return unit == null || unit.isEmpty() ? "" : " " + unit;
  }
}
