/**
 * Turnout's public API: {@link dev.turnout.RoutingProducer} and {@link dev.turnout.RoutingConsumer}, drop-in
 * {@code Producer} and {@code Consumer} implementations that route by a live authority map; the exceptions
 * they fail closed with; the {@code turnout.*} configuration keys ({@link dev.turnout.TurnoutConfig}); and
 * {@link dev.turnout.Provenance}, which reads back where a record was first written.
 *
 * <p>The document model is in {@code dev.turnout.authority}, the source SPI in {@code dev.turnout.source}.
 * Everything under {@code dev.turnout.internal} is machinery and may change in any release.
 */
package dev.turnout;
