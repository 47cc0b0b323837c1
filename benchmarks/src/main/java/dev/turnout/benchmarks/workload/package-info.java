/**
 * What the benchmarks send: realistic keys and values of exact sizes, and the provenance header encodings
 * compared (Turnout's two headers and leaner candidates). Shared by the micro and end-to-end benchmarks.
 */
package dev.turnout.benchmarks.workload;
