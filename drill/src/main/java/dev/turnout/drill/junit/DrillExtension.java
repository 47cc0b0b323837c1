package dev.turnout.drill.junit;

import java.lang.reflect.InvocationTargetException;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link TurnoutDrill}: resolves {@link DrillClusters} parameters with one instance
 * per test class (the outermost class carrying the annotation), created on first use and closed when that class
 * finishes.
 */
public final class DrillExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DrillExtension.class);

  /** Creates the extension; JUnit calls this. */
  public DrillExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == DrillClusters.class;
  }

  @Override
  public DrillClusters resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
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
    DrillClustersProvider provider;
    try {
      provider = type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new ParameterResolutionException("Cannot create " + type.getName() + " with a public no-argument "
          + "constructor: " + (e instanceof InvocationTargetException t ? t.getCause() : e), e);
    }
    DrillClusters clusters;
    try {
      clusters = provider.clusters();
    } catch (Exception e) {
      throw new ParameterResolutionException(type.getName() + ".clusters() failed: " + e, e);
    }
    if (clusters == null) {
      throw new ParameterResolutionException(type.getName() + ".clusters() returned null: return the clusters");
    }
    return clusters;
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
