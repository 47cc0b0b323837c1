/**
 * The machinery of reconciliation ({@code dev.turnout.reconcile}): which target partitions and offset ranges to
 * read ({@link dev.turnout.internal.reconcile.TopicLayout}), the classification and validation of every target
 * record in a range ({@link dev.turnout.internal.reconcile.RecordClassifier},
 * {@link dev.turnout.internal.reconcile.RangeTally}), the search of the source for copies already written
 * ({@link dev.turnout.internal.reconcile.SourcePresence}) and the fenced, transactional copy to the source
 * ({@link dev.turnout.internal.reconcile.PartitionCopier}), and what a repeated plan of one request continues from
 * ({@code PlanCache}). Failures are {@link
 * dev.turnout.internal.reconcile.ReconcileFailure}s, which the public package turns into its own exception.
 */
package dev.turnout.internal.reconcile;
