/**
 * Provenance headers: the encoding of {@code turnout.route} and {@code turnout.id}, and the generator of
 * record ids. Internal: applications read provenance through {@link dev.turnout.Provenance}.
 */
package dev.turnout.internal.provenance;
