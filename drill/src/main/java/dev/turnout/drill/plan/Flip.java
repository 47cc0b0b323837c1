package dev.turnout.drill.plan;

/**
 * One flip of a drill, as it happened.
 *
 * @param index the index of the step in the plan (1 for the first flip)
 * @param step the step flipped to
 * @param epoch the epoch of its document
 * @param rollback whether it moved writes back to the source
 * @param atMillis when its document was acknowledged by the control cluster, in milliseconds since the start
 * @param convergenceMillis from then until the status topic showed every instance on the epoch; -1 if it did not
 *     within the phase
 * @param reconciled records the drill's reconciliation copied to the source after this flip; -1 when the drill did
 *     not reconcile at this flip
 * @param note what happened besides (the reconciliation's outcome or error); empty when nothing
 */
public record Flip(int index, Step step, long epoch, boolean rollback, long atMillis, long convergenceMillis,
    long reconciled, String note) {}
