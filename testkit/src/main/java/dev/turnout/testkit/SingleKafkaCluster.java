package dev.turnout.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test class one {@link KafkaTestCluster} named {@code kafka}, started before the first
 * parameter of that type is resolved and closed after the last test of the class. The cluster is
 * shared by all tests of the class, including {@code @Nested} classes. Declare a
 * {@code KafkaTestCluster} parameter on the constructor or on any lifecycle or test method.
 *
 * <p>The cluster runs in-process (KRaft) and never needs Docker.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SingleKafkaClusterExtension.class)
public @interface SingleKafkaCluster {
}
