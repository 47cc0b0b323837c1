/**
 * The clusters a client may talk to: per-alias Kafka client configuration, lazily created clients (one per
 * cluster, each with its own {@code client.id} suffix), and redaction of secrets for logs and endpoints.
 */
package dev.turnout.internal.cluster;
