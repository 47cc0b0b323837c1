/**
 * Ordered, verified write cutover. When a new authority map moves slices of writes to another cluster,
 * {@link dev.turnout.internal.cutover.CutoverCoordinator} holds the sends for the moved slices at a
 * {@link dev.turnout.internal.cutover.TopicBarrier} until the records already sent to the old owner are acknowledged
 * and (with the {@code replicated} barrier) visible on the new owner, then releases them in order. A slice moved
 * back from its rule's target to its source also waits until its target-only records are on the source
 * ({@code RollbackCheck} over a
 * {@link dev.turnout.internal.cutover.SliceReconciliation}, scoped by
 * {@link dev.turnout.internal.cutover.RollbackScope}). Slices
 * that did not move never wait; {@code CutoverCoordinator.openBarriers()} reports the barriers not yet open as
 * {@code dev.turnout.status} values. Depends on {@code dev.turnout.authority}, {@code dev.turnout.status} and
 * {@code dev.turnout.internal.provenance};
 * never on {@code dev.turnout}: the producer plugs in through {@link dev.turnout.internal.cutover.ClusterAccess},
 * {@link dev.turnout.internal.cutover.QueuedSend} and {@link dev.turnout.internal.cutover.RollbackPolicy}.
 */
package dev.turnout.internal.cutover;
