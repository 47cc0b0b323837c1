/**
 * Turnout's clients inside a Spring application: {@link dev.turnout.spring.TurnoutProducerFactory} and
 * {@link dev.turnout.spring.TurnoutConsumerFactory}, spring-kafka factories whose clients are
 * {@link dev.turnout.RoutingProducer}s and {@link dev.turnout.RoutingConsumer}s, and
 * {@link dev.turnout.spring.TurnoutClients}, the registry of the open clients and their metrics that the
 * actuator endpoint, the health indicator and the meters read.
 */
package dev.turnout.spring;
