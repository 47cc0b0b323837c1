/**
 * Turnout's clients inside a Spring application: {@link dev.turnout.spring.TurnoutProducerFactory}, a
 * spring-kafka {@code ProducerFactory} whose producers are {@link dev.turnout.RoutingProducer}s, and
 * {@link dev.turnout.spring.TurnoutClients}, the registry of the live clients that the actuator endpoint,
 * the health indicator and the meters read.
 */
package dev.turnout.spring;
