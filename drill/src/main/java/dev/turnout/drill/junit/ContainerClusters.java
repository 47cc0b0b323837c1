package dev.turnout.drill.junit;

import dev.turnout.testkit.InProcessMirrorMaker;
import java.util.Map;
import java.util.Optional;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The clusters of a drill on brokers in Docker, through Testcontainers: a source and a target
 * {@code KafkaContainer} and MirrorMaker 2 (the test kit's, in the test JVM) copying the drill's topics from source
 * to target. {@code @TurnoutDrill(clusters = ContainerClusters.class)} runs both on Apache Kafka; extend it and
 * override {@link #target()} to rehearse against your target platform's Kafka-compatible image.
 *
 * <p>Needs {@code org.testcontainers:testcontainers-kafka} on the test classpath (an optional dependency of
 * {@code turnout-drill}: declare it in your build). Without a Docker engine the test class is skipped with the
 * reason (a JUnit abort), not failed.
 */
public class ContainerClusters implements DrillClustersProvider {

  /** The image of both clusters unless overridden. */
  public static final String DEFAULT_IMAGE = "apache/kafka:4.1.2";

  /** Created by {@code @TurnoutDrill(clusters = ...)} (or by a subclass). */
  public ContainerClusters() {}

  /** The source cluster's container, not started yet; by default {@value #DEFAULT_IMAGE}. */
  protected KafkaContainer source() {
    return new KafkaContainer(DEFAULT_IMAGE);
  }

  /** The target cluster's container, not started yet; by default {@value #DEFAULT_IMAGE}. */
  protected KafkaContainer target() {
    return new KafkaContainer(DEFAULT_IMAGE);
  }

  /** The topics MirrorMaker 2 copies, a regular expression or a list; never the drill's control and status topics. */
  protected String replicatedTopics() {
    return ".*";
  }

  /**
   * Starts both containers and MirrorMaker 2; {@link DrillClusters#close()} stops them.
   *
   * @throws TestAbortedException when no Docker engine answers
   */
  /** Says so when no Docker engine answers: the class is then skipped with that reason. */
  @Override
  public Optional<String> unavailable() {
    if (DockerClientFactory.instance().isDockerAvailable()) {
      return Optional.empty();
    }
    return Optional.of("No Docker engine answers, so the drill's Kafka containers cannot start: skipped. Start "
        + "Docker, or run the drill on embedded clusters (@TurnoutDrill without clusters) or on external ones ("
        + DrillClusters.SOURCE_BOOTSTRAP + ", " + DrillClusters.TARGET_BOOTSTRAP + ").");
  }

  @Override
  public final DrillClusters clusters() {
    Optional<String> why = unavailable();
    if (why.isPresent()) {
      throw new TestAbortedException(why.get());
    }
    KafkaContainer source = source();
    KafkaContainer target = target();
    try {
      source.start();
      target.start();
      InProcessMirrorMaker mirror = InProcessMirrorMaker.builder(source.getBootstrapServers(),
          target.getBootstrapServers()).topics(replicatedTopics())
          .property("topics.exclude", DrillClusters.MIRROR_EXCLUDES).start();
      return DrillClusters.external(Map.of("bootstrap.servers", source.getBootstrapServers()),
          Map.of("bootstrap.servers", target.getBootstrapServers()), mirror, target, source);
    } catch (RuntimeException e) {
      target.stop();
      source.stop();
      throw e;
    }
  }
}
