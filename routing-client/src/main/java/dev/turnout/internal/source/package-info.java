/**
 * Keeping the map in force fresh: {@link dev.turnout.internal.source.AuthorityRefresher} re-reads an
 * {@link dev.turnout.source.AuthoritySource} on a schedule, validates what it reads, installs only valid
 * documents with a higher epoch, and tracks staleness so that routing fails closed when no refresh has
 * succeeded for too long. {@link dev.turnout.internal.source.LastKnownGood} keeps the last accepted document in a
 * file, for a client that starts while its source is unusable. Internal: not part of the public API.
 */
package dev.turnout.internal.source;
