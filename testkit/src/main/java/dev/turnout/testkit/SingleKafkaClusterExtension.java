package dev.turnout.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension behind {@link SingleKafkaCluster}: resolves parameters of type
 * {@link KafkaTestCluster} with one cluster per test class, closed when the class finishes.
 */
public final class SingleKafkaClusterExtension implements ParameterResolver {

  /** Creates the extension; JUnit calls this. */
  public SingleKafkaClusterExtension() {
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == KafkaTestCluster.class;
  }

  @Override
  public KafkaTestCluster resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return ClassScopedResource.getOrStart(extensionContext, SingleKafkaCluster.class, KafkaTestCluster.class,
        () -> KafkaTestCluster.start("kafka"));
  }
}
