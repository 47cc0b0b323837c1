/**
 * Ordered, verified write cutover. When a new authority map moves slices of writes to another cluster,
 * {@link dev.turnout.cutover.CutoverCoordinator} holds the sends for the moved slices at a
 * {@link dev.turnout.cutover.TopicBarrier} until the records already sent to the old owner are acknowledged
 * and (with the {@code replicated} barrier) visible on the new owner, then releases them in order. Slices
 * that did not move never wait. Depends on {@code dev.turnout.authority} and {@code dev.turnout.provenance};
 * never on {@code dev.turnout}: the producer plugs in through {@link dev.turnout.cutover.ClusterAccess} and
 * {@link dev.turnout.cutover.QueuedSend}.
 */
package dev.turnout.cutover;
