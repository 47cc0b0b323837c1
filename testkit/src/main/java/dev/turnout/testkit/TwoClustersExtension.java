package dev.turnout.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension behind {@link TwoKafkaClusters}: resolves parameters of type {@link TwoClusters}
 * with one pair of clusters per test class, closed when the class finishes.
 */
public final class TwoClustersExtension implements ParameterResolver {

  /** Creates the extension; JUnit calls this. */
  public TwoClustersExtension() {
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == TwoClusters.class;
  }

  @Override
  public TwoClusters resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return ClassScopedResource.getOrStart(extensionContext, TwoKafkaClusters.class, TwoClusters.class,
        TwoClusters::start);
  }
}
