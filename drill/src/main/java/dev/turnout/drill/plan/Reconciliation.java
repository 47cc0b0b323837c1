package dev.turnout.drill.plan;

import dev.turnout.reconcile.Reconciler;

/**
 * How a {@link PlanWalker} treats a rollback: with a reconciler to build, the walker reconciles the rule's
 * target-only records itself (as an operator would); without one, it notes {@code note} on the flip.
 *
 * @param reconciler builds the reconciler of both clusters; null when the walker does not reconcile
 * @param note what the flip's note says of a rollback the walker did not reconcile
 */
public record Reconciliation(Reconciler.Builder reconciler, String note) {}
