package dev.turnout.drill.junit;

/**
 * Supplies the clusters of a test class annotated {@code @TurnoutDrill(clusters = MyClusters.class)}: clusters
 * the test starts itself (Testcontainers-managed brokers of the target platform's image, for example), with the
 * replication between them its own. The extension creates the provider with its public no-argument constructor,
 * calls {@link #clusters()} once per test class and closes the result when the class finishes.
 */
@FunctionalInterface
public interface DrillClustersProvider {

  /**
   * The clusters, typically {@link DrillClusters#external(java.util.Map, java.util.Map, AutoCloseable...)} with
   * what must be stopped after the class as the resources to close.
   */
  DrillClusters clusters() throws Exception;

  /**
   * Why the clusters cannot start here (no Docker engine, for example), or empty when they can. The extension asks
   * before the class runs: a class whose clusters cannot start is reported as skipped with this reason.
   */
  default java.util.Optional<String> unavailable() {
    return java.util.Optional.empty();
  }
}
