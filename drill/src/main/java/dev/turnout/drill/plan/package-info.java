/**
 * The drill's plan: the steps of a migration ({@link dev.turnout.drill.plan.Step}), their sequence
 * ({@link dev.turnout.drill.plan.Plan}, the default one or read from a file), the authority document of each step
 * ({@link dev.turnout.drill.plan.Documents}) and its publication on the control topic
 * ({@link dev.turnout.drill.plan.ControlPublisher}).
 */
package dev.turnout.drill.plan;
