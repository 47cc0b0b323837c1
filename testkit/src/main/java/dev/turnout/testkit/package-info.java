/**
 * Real Kafka clusters and MirrorMaker 2 in the test JVM, for tests and examples of cluster migrations.
 *
 * <p>{@link dev.turnout.testkit.KafkaTestCluster} is one in-process KRaft cluster;
 * {@link dev.turnout.testkit.TwoClusters} is a source/target pair, and
 * {@link dev.turnout.testkit.TwoKafkaClusters} injects one into JUnit 5 tests per test class.
 * {@link dev.turnout.testkit.InProcessMirrorMaker} replicates source to target with the same topic names.
 * Nothing here needs Docker.
 */
package dev.turnout.testkit;
