/**
 * The Netflix Archaius authority source: {@link dev.turnout.archaius.ArchaiusAuthoritySource} reads the authority
 * document from the dynamic properties under a prefix and asks the client to read it again as soon as one of them
 * changes. This package is the artifact {@code dev.turnout:turnout-archaius}; the routing client itself does not
 * depend on Archaius.
 */
package dev.turnout.archaius;
