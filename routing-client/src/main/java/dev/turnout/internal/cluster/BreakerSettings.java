package dev.turnout.internal.cluster;

import java.time.Duration;

/**
 * Settings of the per-cluster circuit breakers ({@code turnout.breaker.*}).
 *
 * @param enabled whether sends are guarded at all
 * @param failureRateThreshold percent of failed sends in the window at or above which the breaker opens
 * @param windowSize number of most recent send outcomes in the window
 * @param minimumCalls outcomes the window needs before the rate counts
 * @param openWait how long an open breaker refuses sends before letting trial sends through
 * @param halfOpenCalls trial sends let through when half-open
 */
public record BreakerSettings(boolean enabled, int failureRateThreshold, int windowSize, int minimumCalls,
    Duration openWait, int halfOpenCalls) {}
