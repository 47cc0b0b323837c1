package dev.turnout.source;

import dev.turnout.internal.control.PropertiesDocument;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads the authority document from a properties file (UTF-8). Replace the file atomically (write a
 * temporary file, then rename it over the old one) so that a refresh never sees half a document.
 *
 * <p>Torn reads: when the file's bytes differ from the last read, the file is read again after a short pause
 * until two consecutive reads are identical, so a file being rewritten in place is not taken while the
 * writer is still writing; a file that keeps changing over {@value #MAX_READS} reads is a failed read,
 * retried at the next refresh. A writer that stalls longer than the pause can still leave a shorter document
 * that reads the same twice: the document's optional {@code key-count} key makes such a prefix an incomplete
 * document that is rejected (see docs/authority-document.md).
 */
public final class FileAuthoritySource implements AuthoritySource {

  /** Most reads of one changed file before the read fails as "still being written". */
  static final int MAX_READS = 10;
  /** Pause between two reads of a changed file, in milliseconds. */
  static final long SETTLE_MILLIS = 10;

  private final Path path;
  private final Runnable betweenReads;
  private byte[] lastBytes;
  private Map<String, String> lastDocument;

  public FileAuthoritySource(Path path) {
    this(path, FileAuthoritySource::settle);
  }

  /** For tests: {@code betweenReads} runs between two reads of a changed file (the default pauses). */
  FileAuthoritySource(Path path, Runnable betweenReads) {
    this.path = path;
    this.betweenReads = betweenReads;
  }

  /** The file read. */
  public Path path() {
    return path;
  }

  @Override
  public synchronized Map<String, String> read() throws IOException {
    byte[] bytes = readBytes();
    if (lastBytes != null && Arrays.equals(bytes, lastBytes)) {
      return lastDocument;
    }
    bytes = stableBytes(bytes);
    Map<String, String> document = PropertiesDocument.parse(bytes);
    lastBytes = bytes;
    lastDocument = document;
    return lastDocument;
  }

  /** Reads again until two consecutive reads agree, starting from the changed {@code first} read. */
  private byte[] stableBytes(byte[] first) throws IOException {
    byte[] previous = first;
    for (int reads = 1; reads < MAX_READS; reads++) {
      betweenReads.run();
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted while reading " + path.toAbsolutePath());
      }
      byte[] next = readBytes();
      if (Arrays.equals(next, previous)) {
        return next;
      }
      previous = next;
    }
    throw new IOException(path.toAbsolutePath() + " changed on each of " + MAX_READS + " reads in a row: it is "
        + "being rewritten in place. It is read again at the next refresh; write a temporary file in the same "
        + "directory and rename it over the old one instead");
  }

  private byte[] readBytes() throws IOException {
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toAbsolutePath().toString(), null, "authority file not found: create it, "
          + "or fix turnout.authority.file");
    }
  }

  private static void settle() {
    try {
      Thread.sleep(SETTLE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String description() {
    return "file " + path.toAbsolutePath();
  }

  @Override
  public String toString() {
    return description();
  }
}
