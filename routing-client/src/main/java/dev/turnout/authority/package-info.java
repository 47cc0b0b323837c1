/**
 * The authority model: an immutable {@link dev.turnout.authority.AuthorityMap} parsed and validated from a
 * flat authority document, with every routing decision ({@link dev.turnout.authority.Route}) precomputed
 * per epoch. Nothing here performs I/O; sources in {@code dev.turnout.source} supply documents.
 */
package dev.turnout.authority;
