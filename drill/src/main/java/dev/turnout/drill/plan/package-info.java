/**
 * The drill's plan: the steps of a migration ({@link dev.turnout.drill.plan.Step}), their sequence
 * ({@link dev.turnout.drill.plan.Plan}, the default one or read from a file), the authority document of each step
 * ({@link dev.turnout.drill.plan.Documents}), its publication on the control topic
 * ({@link dev.turnout.drill.plan.ControlPublisher}), and the walk of a plan under load that both drills run
 * ({@link dev.turnout.drill.plan.PlanWalker}: a hook before each flip, the wait for the fleet's convergence, the
 * reconciliation after a rollback).
 */
package dev.turnout.drill.plan;
