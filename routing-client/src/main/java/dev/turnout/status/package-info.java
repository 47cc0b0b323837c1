/**
 * Typed, immutable snapshots of the state of a routing client ({@link dev.turnout.status.ClientStatus}) and the
 * listener interface of its lifecycle and refusals ({@link dev.turnout.status.TurnoutListener}).
 *
 * <p>Every type here is a record or an enum of this package holding plain values (strings, numbers,
 * {@link java.time.Instant}s, lists and maps of them), so that a snapshot can be written as JSON and read back
 * as the same value. Nothing here refers to the clients or to their configuration: a snapshot never holds a
 * secret. A snapshot is taken from any thread, without disturbing the client (a consumer's polling included).
 */
package dev.turnout.status;
