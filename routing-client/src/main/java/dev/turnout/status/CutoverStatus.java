package dev.turnout.status;

/**
 * A producer's cutover counters.
 *
 * @param cutovers epochs whose moved slices needed a cutover barrier
 * @param barriers barriers created (one per topic with moved slices and epoch)
 * @param barrierTimeouts barriers that did not complete within {@code turnout.cutover.max.pause.ms}
 * @param pending cutovers not settled yet
 * @param recordsWaiting records waiting at barriers now
 * @param bytesWaiting estimated bytes of the records waiting at barriers now
 * @param barrierWaitMaxMs the longest wait of a barrier that opened, in milliseconds; NaN before the first
 * @param barrierWaitP99Ms the 99th percentile of those waits; NaN before the first
 */
public record CutoverStatus(long cutovers, long barriers, long barrierTimeouts, long pending, long recordsWaiting,
    long bytesWaiting, double barrierWaitMaxMs, double barrierWaitP99Ms) {}
