package dev.turnout.cli.gate;

import java.time.Duration;

/**
 * The thresholds of the gate lines.
 *
 * @param maxLagRecords source records not yet on the target, per topic ({@code --max-lag-records})
 * @param maxLagTime age of the oldest record not yet on the target ({@code --max-lag-time})
 * @param rollbackWindow the source retention must cover it ({@code --rollback-window})
 * @param maxGroupLag records a consumer group (or a sink connector) is behind ({@code --max-group-lag})
 * @param maxReconcile target-only records a rollback would copy back; {@code null} reports the number only
 * @param scanLimit records read back from the end of a partition to find the newest replicated record
 */
public record Thresholds(long maxLagRecords, Duration maxLagTime, Duration rollbackWindow, long maxGroupLag,
    Long maxReconcile, int scanLimit) {

  /** The defaults: 1,000 records, 5 s, 7 days, 1,000 records, no reconcile threshold, 10,000 records. */
  public static Thresholds defaults() {
    return new Thresholds(1000, Duration.ofSeconds(5), Duration.ofDays(7), 1000, null, 10_000);
  }
}
