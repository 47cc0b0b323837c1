/**
 * Statistics and Markdown formatting shared by the micro and end-to-end benchmarks. Depends on nothing else
 * in the benchmarks module.
 */
package dev.turnout.benchmarks.report;
