/**
 * A runnable walkthrough of a migration of topic {@code orders} on two embedded clusters, from {@code MIRROR}
 * through write promotions of 10% and 50% of the keys to {@code TARGET_AUTHORITY}, with a {@code RoutingProducer}
 * and the records read back ({@link dev.turnout.examples.MigrationWalkthrough}; see {@code examples/README.md}).
 * Not a library.
 */
package dev.turnout.examples;
