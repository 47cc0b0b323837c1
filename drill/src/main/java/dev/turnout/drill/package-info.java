/**
 * The migration drill's entry point: {@link dev.turnout.drill.DrillMain} parses the options, and the drill starts
 * the clusters, runs the load while walking the plan, checks the invariants and writes the report.
 */
package dev.turnout.drill;
