package dev.turnout.testkit;

import java.util.Objects;

/**
 * Two independent in-process Kafka clusters named {@code source} and {@code target}, the two sides of a
 * migration. Each is a {@link KafkaTestCluster}; the harness uses in-process KRaft clusters and never
 * needs Docker.
 *
 * <p>In JUnit 5 tests, annotate the class with {@link TwoKafkaClusters} and declare a parameter of this
 * type instead of calling {@link #start()}. Elsewhere, start and close it yourself:
 * <pre>{@code
 * try (TwoClusters clusters = TwoClusters.start()) {
 *     clusters.createTopic("orders", 3);
 *     ...
 * }
 * }</pre>
 */
public final class TwoClusters implements AutoCloseable {

  private final KafkaTestCluster source;
  private final KafkaTestCluster target;

  private TwoClusters(KafkaTestCluster source, KafkaTestCluster target) {
    this.source = source;
    this.target = target;
  }

  /**
   * Starts the {@code source} cluster, then the {@code target} cluster.
   *
   * @throws IllegalStateException if either does not start (the other one is then closed)
   */
  public static TwoClusters start() {
    KafkaTestCluster source = KafkaTestCluster.start("source");
    try {
      return new TwoClusters(source, KafkaTestCluster.start("target"));
    } catch (RuntimeException | Error e) {
      try {
        source.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The cluster clients use before the migration; MirrorMaker reads from it. */
  public KafkaTestCluster source() {
    return source;
  }

  /** The cluster clients move to; MirrorMaker writes to it. */
  public KafkaTestCluster target() {
    return target;
  }

  /**
   * Creates the topic on both clusters, with the same partition count, via
   * {@link KafkaTestCluster#createTopic(String, int)}.
   */
  public void createTopic(String topic, int partitions) {
    Objects.requireNonNull(topic, "topic");
    source.createTopic(topic, partitions);
    target.createTopic(topic, partitions);
  }

  /** Closes both clusters. Calling it again has no effect. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (KafkaTestCluster cluster : new KafkaTestCluster[] {target, source}) {
      try {
        cluster.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "TwoClusters[source=" + source.bootstrapServers() + ", target=" + target.bootstrapServers() + "]";
  }
}
