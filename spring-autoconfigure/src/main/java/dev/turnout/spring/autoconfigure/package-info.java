/**
 * Spring Boot autoconfiguration of Turnout: {@code turnout.*} properties
 * ({@link dev.turnout.spring.autoconfigure.TurnoutProperties}), the producer factory that makes
 * {@code KafkaTemplate} and {@code KafkaTransactionManager} route through Turnout, the authority source
 * (a file, an {@code AuthoritySource} bean, or the Spring Environment itself), and the actuator endpoint,
 * health indicator and meters.
 */
package dev.turnout.spring.autoconfigure;
