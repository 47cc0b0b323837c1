/**
 * The clients' machinery. Nothing under {@code dev.turnout.internal} is public API: it may change in any
 * release, and modules other than {@code turnout-routing-client} must not use it.
 */
package dev.turnout.internal;
