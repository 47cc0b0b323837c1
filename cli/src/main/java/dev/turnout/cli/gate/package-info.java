/**
 * The checks of {@code turnout gate}: each {@link dev.turnout.cli.gate.GateCheck} reads live evidence (the
 * clusters, the status topic, Kafka Connect) through a {@link dev.turnout.cli.gate.GateContext} and returns
 * {@link dev.turnout.cli.gate.GateLine}s, rendered by {@link dev.turnout.cli.gate.GateReport}.
 */
package dev.turnout.cli.gate;
