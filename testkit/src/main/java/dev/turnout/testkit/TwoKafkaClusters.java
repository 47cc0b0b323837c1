package dev.turnout.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test class a {@link TwoClusters} pair (source and target), started before the first
 * parameter of that type is resolved and closed after the last test of the class. The pair is shared
 * by all tests of the class, including {@code @Nested} classes, so tests should use their own topic
 * and group names. Declare a {@code TwoClusters} parameter on the constructor, a {@code @BeforeAll},
 * {@code @BeforeEach} or {@code @Test} method, and so on:
 * <pre>{@code
 * @TwoKafkaClusters
 * class MigrationIT {
 *     @Test
 *     void switchesClusters(TwoClusters clusters) { ... }
 * }
 * }</pre>
 *
 * <p>The clusters run in-process (KRaft) and never need Docker.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TwoClustersExtension.class)
public @interface TwoKafkaClusters {
}
