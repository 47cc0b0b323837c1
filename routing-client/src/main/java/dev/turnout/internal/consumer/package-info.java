/**
 * The machinery behind {@code RoutingConsumer}: commit stamps ({@link dev.turnout.internal.consumer.CommitStamp})
 * and the decision they drive ({@link dev.turnout.internal.consumer.PositionDecision},
 * {@link dev.turnout.internal.consumer.LocalDecision}), offset translation
 * ({@link dev.turnout.internal.consumer.OffsetTranslation}), the exact boundary search, the move back from a rule's
 * target to its source (a set of processed ids derived from the target's log, and the
 * {@link dev.turnout.internal.consumer.Withholding} of their copies), and the worker thread that
 * establishes where each newly assigned partition starts ({@link dev.turnout.internal.consumer.SwitchWorker}, its
 * clients built through {@link dev.turnout.internal.consumer.SwitchClients}); and the polling thread's state:
 * the subscription ({@link dev.turnout.internal.consumer.Subscription}), the per-partition state
 * ({@link dev.turnout.internal.consumer.PartitionBook}), the client of each cluster
 * ({@link dev.turnout.internal.consumer.DelegateSet}), and the thread and wakeup guards.
 *
 * <p>Internal: nothing here refers to {@code dev.turnout}; outcomes are values
 * ({@link dev.turnout.internal.consumer.Resolution}) that the consumer turns into seeks, metrics and exceptions.
 */
package dev.turnout.internal.consumer;
