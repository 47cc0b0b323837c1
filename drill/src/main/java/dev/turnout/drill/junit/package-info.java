/**
 * Your own migration drill in JUnit 5: {@link dev.turnout.drill.junit.TurnoutDrill} gives a test class two clusters
 * with MirrorMaker 2 replicating source to target ({@link dev.turnout.drill.junit.DrillClusters}, embedded, or
 * clusters you start yourself and name by bootstrap servers), and {@link dev.turnout.drill.junit.Drill} runs your
 * own producer and consumer code through a sequence of flips under load and checks the drill's invariants over
 * what was acknowledged, processed and stored ({@link dev.turnout.drill.junit.DrillResult#assertAllHeld()}).
 *
 * <p>JUnit Jupiter's API is an optional dependency of this artifact: a test project brings its own.
 */
package dev.turnout.drill.junit;
