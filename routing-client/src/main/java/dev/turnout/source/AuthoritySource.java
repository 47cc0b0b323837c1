package dev.turnout.source;

import java.util.Map;

/**
 * A place the authority document is read from. Implementations must be thread-safe for a single reader
 * thread and return quickly (the refresher calls {@link #read()} every {@code turnout.authority.refresh.ms}).
 *
 * <p>Configure a custom source with {@code turnout.authority.source} (a class name, a {@code Class}, or an
 * instance). A class needs a public no-argument constructor; if it also implements
 * {@link org.apache.kafka.common.Configurable} it receives the client configuration.
 */
public interface AuthoritySource extends AutoCloseable {

  /**
   * Reads the current document as flat keys and values.
   *
   * @throws Exception when the document cannot be read; the refresh counts as failed and the map in force
   *     stays in force until it becomes stale
   */
  Map<String, String> read() throws Exception;

  /**
   * Registers the callback a source calls when it knows a new document is ready (for example a record that
   * arrived on a control topic), so that the client reads it at once instead of at its next refresh. A client
   * calls this once, after its first read; calls of {@code changed} are cheap, may come from any thread, and
   * several in a row are coalesced into one read; a source that already has news when this is called may call
   * {@code changed} at once. The default does nothing: the source is only polled every
   * {@code turnout.authority.refresh.ms}, which stays in force for every source as the backstop.
   */
  default void onChange(Runnable changed) {}

  /** A short description for logs and endpoints (for example the file path); never contains secrets. */
  String description();

  /** Releases resources. The default does nothing. */
  @Override
  default void close() {}
}
