/**
 * The machinery behind {@code RoutingConsumer}'s cluster switches: commit stamps
 * ({@link dev.turnout.internal.consumer.CommitStamp}) and the decision they drive
 * ({@link dev.turnout.internal.consumer.PositionDecision}), offset translation
 * ({@link dev.turnout.internal.consumer.OffsetTranslation}), the exact boundary search, and the worker thread that
 * establishes where each newly assigned partition starts ({@link dev.turnout.internal.consumer.SwitchWorker}).
 *
 * <p>Internal: nothing here refers to {@code dev.turnout}; outcomes are values
 * ({@link dev.turnout.internal.consumer.Resolution}) that the consumer turns into seeks, metrics and exceptions.
 */
package dev.turnout.internal.consumer;
