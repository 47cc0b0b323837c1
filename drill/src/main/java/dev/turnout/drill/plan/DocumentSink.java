package dev.turnout.drill.plan;

import java.util.Map;

/** Where a {@link PlanWalker} publishes each step's authority document (the control topic). */
@FunctionalInterface
public interface DocumentSink {

  /** Publishes the document and returns once it is acknowledged. */
  void publish(Map<String, String> document) throws InterruptedException;
}
