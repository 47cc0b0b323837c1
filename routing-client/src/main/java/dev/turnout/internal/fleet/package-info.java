/**
 * Fleet acknowledgement: each client publishes its status to a status topic. Owns the small JSON writer and
 * strict parser (no JSON dependency in the client artifact), the status record's JSON document, the principal
 * a configuration authenticates as (never a secret), and the publisher thread.
 */
package dev.turnout.internal.fleet;
