package dev.turnout.source;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.InvalidAuthorityDocumentException;

/**
 * Typed events of an authority refresher (the client machinery that re-reads a source). Called on the refresh thread; implementations must be quick
 * and must not throw.
 */
public interface AuthorityListener {

  /**
   * A new map is now in force ({@code previous} is {@code null} for the first one). Its epoch is higher than
   * the previous one's, or equal when it replaces a map of the same epoch that was never confirmed (most
   * likely a torn read of a file being rewritten in place; see docs/authority-document.md).
   */
  default void onInstalled(AuthorityMap previous, AuthorityMap current) {}

  /** A document was read but rejected whole; the map in force, if any, stays in force. */
  default void onRejected(InvalidAuthorityDocumentException rejection) {}

  /** The source could not be read. */
  default void onReadFailed(Exception failure) {}
}
