package dev.turnout.status;

/** What a routing client is. */
public enum ClientRole {
  /** A {@code RoutingProducer}. */
  PRODUCER,
  /** A {@code RoutingConsumer} whose reads follow the read authority of the map ({@code turnout.consumer.role=production}). */
  CONSUMER,
  /** A {@code RoutingConsumer} reading the target of DUAL_READ rules under its own group ({@code turnout.consumer.role=validation}). */
  VALIDATION_CONSUMER;

  /** Whether this is a consumer role (either of them). */
  public boolean isConsumer() {
    return this != PRODUCER;
  }
}
