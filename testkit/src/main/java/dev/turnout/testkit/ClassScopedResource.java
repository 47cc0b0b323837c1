package dev.turnout.testkit;

import java.lang.annotation.Annotation;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Keeps one resource per annotated test class in that class's extension store. */
final class ClassScopedResource {

  private ClassScopedResource() {
  }

  /**
   * Returns the resource stored for the outermost test class carrying {@code annotation} (or, without
   * it, the outermost test class), creating it on first use. JUnit closes it when that class finishes.
   */
  static <T extends AutoCloseable> T getOrStart(ExtensionContext context, Class<? extends Annotation> annotation,
                         Class<T> type, Supplier<T> starter) {
    ExtensionContext owner = owningContext(context, annotation);
    ExtensionContext.Namespace namespace = ExtensionContext.Namespace.create(ClassScopedResource.class, type);
    return owner.getStore(namespace).computeIfAbsent(type, key -> starter.get(), type);
  }

  private static ExtensionContext owningContext(ExtensionContext context, Class<? extends Annotation> annotation) {
    ExtensionContext annotated = null;
    ExtensionContext outermostClass = null;
    for (ExtensionContext current = context; current != null; current = current.getParent().orElse(null)) {
      boolean classLevel = current.getTestMethod().isEmpty() && current.getTestClass().isPresent();
      if (!classLevel) {
        continue;
      }
      outermostClass = current;
      if (AnnotationSupport.isAnnotated(current.getTestClass(), annotation)) {
        annotated = current;
      }
    }
    if (annotated != null) {
      return annotated;
    }
    return outermostClass != null ? outermostClass : context;
  }
}
