/**
 * The benchmark suite's entry point ({@link dev.turnout.benchmarks.BenchmarkSuite}): runs the micro and
 * end-to-end benchmarks with the settings of a profile and writes the results page.
 */
package dev.turnout.benchmarks;
