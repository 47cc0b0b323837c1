/**
 * Reconciliation for rollbacks after write promotion: {@link dev.turnout.reconcile.Reconciler} finds the
 * <em>target-only</em> records of a rule (written by Turnout to the target while a slice was promoted, not copied
 * there by replication) and writes them to the source, so that the source again holds every record before writes
 * move back to it. {@link dev.turnout.reconcile.Reconciler#plan plan} counts without writing,
 * {@link dev.turnout.reconcile.Reconciler#apply apply} copies; both validate the whole range first and fail with a
 * typed {@link dev.turnout.reconcile.ReconcileException} before anything is written. See {@code docs/rollback.md}.
 */
package dev.turnout.reconcile;
