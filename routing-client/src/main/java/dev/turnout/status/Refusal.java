package dev.turnout.status;

import java.time.Instant;

/**
 * A refused request, as given to {@link TurnoutListener#onRefusal} and kept in
 * {@link ClientStatus#recentRefusals()}.
 *
 * @param reason the refusal reason: an {@code OwnershipAmbiguousException.Reason} name, or
 *     {@code CLUSTER_UNAVAILABLE} (open circuit breaker) or {@code CUTOVER_BUFFER_EXHAUSTED}
 * @param topic the topic, or {@code null} when the refusal concerns every topic
 * @param epoch the epoch of the map it was refused under, -1 when none
 * @param message the explanation given to the caller (never holds a secret)
 * @param at when it was refused
 */
public record Refusal(String reason, String topic, long epoch, String message, Instant at) {}
