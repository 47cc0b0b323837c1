/**
 * End-to-end benchmarks against raw kafka-clients on in-process brokers: producer throughput and latency
 * (RoutingProducer against KafkaProducer), the cost of provenance headers and leaner encodings, consumer poll
 * throughput, flip propagation with the file source, cutover barrier wait against replication latency, and the
 * rollback pause of a slice with target-only records.
 * Each benchmark class runs its measurements, renders its Markdown section and checks its targets.
 */
package dev.turnout.benchmarks.e2e;
