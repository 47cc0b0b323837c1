package dev.turnout.drill.junit;

import java.lang.reflect.InvocationTargetException;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * The JUnit 5 extension behind {@link TurnoutDrill}: resolves {@link DrillClusters} parameters with one instance
 * per test class (the outermost class carrying the annotation), created on first use and closed when that class
 * finishes. Clusters from a {@link DrillClustersProvider} are created before the class's tests, so that a provider
 * that cannot start them (no Docker engine) skips the class instead of failing each test.
 */
public final class DrillExtension implements ParameterResolver, BeforeAllCallback, ExecutionCondition {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DrillExtension.class);

  /** Creates the extension; JUnit calls this. */
  public DrillExtension() {}

  /** Disables a class whose {@link DrillClustersProvider} says its clusters cannot start here, with the reason. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (context.getTestMethod().isPresent()) {
      return ConditionEvaluationResult.enabled("decided for the class");
    }
    TurnoutDrill annotation = context.getTestClass()
        .flatMap(c -> AnnotationSupport.findAnnotation(c, TurnoutDrill.class)).orElse(null);
    if (annotation == null || annotation.clusters().length != 1) {
      return ConditionEvaluationResult.enabled("no clusters provider");
    }
    return provider(annotation).unavailable().map(ConditionEvaluationResult::disabled)
        .orElseGet(() -> ConditionEvaluationResult.enabled("the provider's clusters can start"));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    boolean provided = context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, TurnoutDrill.class))
        .map(a -> a.clusters().length > 0).orElse(false);
    if (provided) {
      clusters(context);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == DrillClusters.class;
  }

  @Override
  public DrillClusters resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return clusters(extensionContext);
  }

  private static DrillClusters clusters(ExtensionContext extensionContext) {
    ExtensionContext owner = owner(extensionContext);
    TurnoutDrill annotation = owner.getTestClass()
        .flatMap(c -> AnnotationSupport.findAnnotation(c, TurnoutDrill.class)).orElse(null);
    return owner.getStore(NAMESPACE).computeIfAbsent(DrillClusters.class, key -> open(annotation),
        DrillClusters.class);
  }

  /** The clusters: the annotation's provider, else external ones named by the environment, else embedded ones. */
  static DrillClusters open(TurnoutDrill annotation) {
    if (annotation != null && annotation.clusters().length > 0) {
      return provided(annotation);
    }
    Optional<DrillClusters> external = DrillClusters.fromEnvironment();
    if (external.isPresent()) {
      return external.get();
    }
    return annotation == null ? DrillClusters.startEmbedded(".*", 0)
        : DrillClusters.startEmbedded(annotation.replicate(), annotation.replicationLagMillis());
  }

  private static DrillClusters provided(TurnoutDrill annotation) {
    if (annotation.clusters().length > 1) {
      throw new ParameterResolutionException("@TurnoutDrill(clusters = ...) takes one DrillClustersProvider class, "
          + "got " + annotation.clusters().length);
    }
    Class<? extends DrillClustersProvider> type = annotation.clusters()[0];
    DrillClustersProvider provider = provider(annotation);
    DrillClusters clusters;
    try {
      clusters = provider.clusters();
    } catch (TestAbortedException e) {
      throw e; // the provider skips the class (no Docker, for example): not a failure
    } catch (Exception e) {
      throw new ParameterResolutionException(type.getName() + ".clusters() failed: " + e, e);
    }
    if (clusters == null) {
      throw new ParameterResolutionException(type.getName() + ".clusters() returned null: return the clusters");
    }
    return clusters;
  }

  private static DrillClustersProvider provider(TurnoutDrill annotation) {
    Class<? extends DrillClustersProvider> type = annotation.clusters()[0];
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new ParameterResolutionException("Cannot create " + type.getName() + " with a public no-argument "
          + "constructor: " + (e instanceof InvocationTargetException t ? t.getCause() : e), e);
    }
  }

  private static ExtensionContext owner(ExtensionContext context) {
    ExtensionContext annotated = null;
    ExtensionContext outermost = null;
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      if (c.getTestMethod().isPresent() || c.getTestClass().isEmpty()) {
        continue;
      }
      outermost = c;
      if (AnnotationSupport.isAnnotated(c.getTestClass(), TurnoutDrill.class)) {
        annotated = c;
      }
    }
    return annotated != null ? annotated : outermost != null ? outermost : context;
  }
}
