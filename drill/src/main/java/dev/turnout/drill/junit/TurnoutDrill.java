package dev.turnout.drill.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test class the clusters of a migration drill: declare a {@link DrillClusters} parameter on a
 * test, {@code @BeforeAll}, {@code @BeforeEach} method or constructor. One pair of clusters serves the whole class
 * (nested classes included) and is closed after its last test, so give each drill its own topic.
 *
 * <p>Where the clusters come from, first match wins:
 * <ol>
 *   <li>{@link #clusters()}: a {@link DrillClustersProvider} class; the test's own clusters and replication.
 *   <li>The system properties (or environment variables) {@code turnout.drill.source.bootstrap} and
 *       {@code turnout.drill.target.bootstrap} ({@code TURNOUT_DRILL_SOURCE_BOOTSTRAP}...), with optional
 *       {@code turnout.drill.source.config} and {@code turnout.drill.target.config}, properties files of client
 *       settings (security): clusters already running, replicated by whoever started them. No broker is started.
 *   <li>Otherwise two embedded KRaft clusters in this JVM, {@code source} and {@code target}, with MirrorMaker 2
 *       replicating the topics {@link #replicate()} matches from source to target (no Docker needed).
 * </ol>
 *
 * <pre>{@code
 * @TurnoutDrill
 * class OrdersDrillIT {
 *   @Test
 *   void ordersSurviveTheMigration(DrillClusters clusters) {
 *     Drill.on(clusters).topic("orders", 3)...run().assertAllHeld();
 *   }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(DrillExtension.class)
public @interface TurnoutDrill {

  /**
   * The topics embedded MirrorMaker 2 replicates from source to target: a regular expression or a comma-separated
   * list; default every topic (the control and status topics excepted). Not used with external clusters.
   */
  String replicate() default ".*";

  /** Lag added to embedded MirrorMaker 2's replication, in milliseconds (emulates a remote target); default 0. */
  long replicationLagMillis() default 0;

  /**
   * At most one {@link DrillClustersProvider} class supplying the clusters; default none (external clusters named
   * by system properties or environment variables, else embedded ones).
   */
  Class<? extends DrillClustersProvider>[] clusters() default {};
}
