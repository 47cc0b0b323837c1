/**
 * JMH micro-benchmarks of the routing hot path: the routing decision ({@code AuthorityMap#route}) for maps
 * of 10 to 10,000 rules, the first lookup of a prefix-matched topic after a flip, and provenance stamping;
 * and {@link dev.turnout.benchmarks.micro.MicroSuite}, which runs them and reports the results.
 */
package dev.turnout.benchmarks.micro;
