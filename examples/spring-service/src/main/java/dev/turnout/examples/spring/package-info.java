/**
 * An order service: a REST endpoint that produces with {@code KafkaTemplate} and a {@code @KafkaListener} that
 * consumes. It contains no Turnout code: the starter and {@code application.yml} route it.
 */
package dev.turnout.examples.spring;
