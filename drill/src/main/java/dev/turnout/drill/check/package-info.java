/**
 * The invariants a drill checks over its journals and over what the clusters hold at the end
 * ({@link dev.turnout.drill.check.Invariants}), each giving a {@link dev.turnout.drill.check.Finding}: nothing
 * acknowledged is lost or missing from the system of record, records acknowledged before a rollback are on the
 * source, nothing is processed twice, no key's records are processed out of order, no record was written by a
 * cluster that did not own its key. {@link dev.turnout.drill.check.DrillEnd} drains a drill and checks it.
 */
package dev.turnout.drill.check;
