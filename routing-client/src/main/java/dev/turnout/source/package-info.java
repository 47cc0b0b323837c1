/**
 * Where authority documents come from, and how the map in force is kept fresh.
 *
 * <p>{@link dev.turnout.source.AuthoritySource} is the extension point: a file
 * ({@link dev.turnout.source.FileAuthoritySource}), or any other store that can return the flat document.
 * {@link dev.turnout.source.AuthorityRefresher} re-reads a source on a schedule, validates what it reads,
 * installs only valid documents with a higher epoch, and tracks staleness so that routing fails closed
 * when no refresh has succeeded for too long.
 */
package dev.turnout.source;
