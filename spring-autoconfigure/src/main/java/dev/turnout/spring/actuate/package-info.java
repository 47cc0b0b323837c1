/**
 * Operating Turnout in a Spring Boot application: the read-only actuator endpoint {@code turnout}
 * ({@link dev.turnout.spring.actuate.TurnoutEndpoint}), a health indicator that reports OUT_OF_SERVICE while
 * routing fails closed ({@link dev.turnout.spring.actuate.TurnoutHealthIndicator}), and Micrometer meters
 * ({@link dev.turnout.spring.actuate.TurnoutMeterBinder}).
 */
package dev.turnout.spring.actuate;
