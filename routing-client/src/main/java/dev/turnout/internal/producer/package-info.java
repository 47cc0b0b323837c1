/**
 * Internal: the machinery of {@code RoutingProducer} that needs no public exception: the clients of each
 * cluster with their breakers, cluster id checks and events ({@link dev.turnout.internal.producer.ProducerClusters}),
 * what a record's key and size are for routing ({@link dev.turnout.internal.producer.RecordKeys}), the
 * check of records a caller's interceptor rewrote to another topic ({@link dev.turnout.internal.producer.RewriteGuard}), the
 * completion callback of each routed record ({@link dev.turnout.internal.producer.Completion}) and the future
 * of a record queued at a cutover barrier ({@link dev.turnout.internal.producer.QueuedFuture}). Refusals and
 * the public exceptions are built in {@code dev.turnout}.
 */
package dev.turnout.internal.producer;
