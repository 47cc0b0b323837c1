package dev.turnout.internal.source;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last-known-good cache of one client ({@code turnout.authority.cache.file}): a file holding the last
 * authority document the client's {@link AuthorityRefresher} accepted from its source, with the wall-clock time
 * it was written, so that a client that starts while its source is unusable can route by that document until
 * the maximum staleness after that time.
 *
 * <p>Writing: the document (the exact keys and values that were validated) is written when a new document is
 * installed, and written again when the source confirms it and the file is older than the rewrite interval the
 * refresher gives, so that the write time is the last time the source vouched for it. A write goes to a
 * temporary file in the same directory, is forced to disk, then moved over the cache file atomically (a plain
 * replacing move where the file system has no atomic one): a reader sees the old file or the new one, never a
 * mixture. A failed write is logged at WARN (once per distinct failure) and changes nothing else.
 *
 * <p>Reading: the file starts with comment lines carrying the write time, the writing client and a SHA-256 of
 * the document lines; a file whose document lines do not match it (hand-edited, damaged) is not used. A usable
 * cache is also a document the refresher's own validation accepts, written in the past and less than the
 * maximum staleness ago.
 *
 * <p>Not thread-safe for writes: the refresher calls {@link #store} under its own lock.
 */
public final class LastKnownGood {

  private static final Logger log = LoggerFactory.getLogger(LastKnownGood.class);

  private static final String TITLE = "# Turnout last-known-good authority document (turnout.authority.cache.file), "
      + "written by the client: do not edit, a changed file is not used.";
  private static final String WRITTEN_AT = "# written-at-ms=";
  private static final String WRITTEN_AT_TEXT = "# written-at=";
  private static final String CLIENT = "# client-id=";
  private static final String EPOCH = "# epoch=";
  private static final String DIGEST = "# sha-256=";

  private final Path file;
  private final String owner;
  private final LongSupplier wallMillis;

  // Write state (callers serialize writes).
  private Map<String, String> attempted;
  private long attemptedAtMillis;
  private String lastWriteFailure;

  /**
   * @param file the cache file; its directory must exist and be writable
   * @param owner the client id, written into the file and used in log lines
   */
  public LastKnownGood(Path file, String owner) {
    this(file, owner, System::currentTimeMillis);
  }

  LastKnownGood(Path file, String owner, LongSupplier wallMillis) {
    this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
    this.owner = owner;
    this.wallMillis = wallMillis;
  }

  /** The cache file (absolute). */
  public Path file() {
    return file;
  }

  /** A document read back from the cache. */
  record Cached(Map<String, String> document, long writtenAtMillis, String writer) {}

  /**
   * What reading the cache at start gave.
   *
   * @param map the validated map to install, or {@code null} when the cache is not usable
   * @param ageMillis how long ago the cache was written (for the staleness deadline), -1 when not usable
   * @param note one or more sentences saying where the map comes from or why the cache was not used
   */
  record Outcome(AuthorityMap map, long ageMillis, String note) {}

  /**
   * Writes {@code document} unless it is the document of the last write attempt and that attempt is younger
   * than {@code rewriteAfterMillis}.
   *
   * @return whether the file was written
   */
  boolean store(Map<String, String> document, long epoch, long rewriteAfterMillis) {
    long now = wallMillis.getAsLong();
    if (document.equals(attempted) && now - attemptedAtMillis < rewriteAfterMillis) {
      return false;
    }
    attempted = document;
    attemptedAtMillis = now;
    try {
      write(render(document, epoch, now));
    } catch (IOException | RuntimeException e) {
      writeFailed(e);
      return false;
    }
    if (lastWriteFailure != null) {
      log.info("[{}] The last-known-good cache {} is written again (epoch {}).", owner, file, epoch);
      lastWriteFailure = null;
    }
    return true;
  }

  private void writeFailed(Exception e) {
    String message = e.getClass().getSimpleName() + ": " + e.getMessage();
    // The name of the temporary file changes with every attempt: one line per kind of failure, not per attempt.
    String kind = message.replaceAll("\\.\\d+\\.tmp", ".tmp");
    if (kind.equals(lastWriteFailure)) {
      return;
    }
    lastWriteFailure = kind;
    log.warn("[{}] Cannot write the last-known-good cache {} ({}). Routing is not affected, but a client that "
        + "starts while the authority source is unusable will find no cache, or an older one. Make sure the "
        + "directory {} exists and this process may create and rename files in it, or fix "
        + "turnout.authority.cache.file. The write is retried when a new document is installed and on later "
        + "refreshes.", owner, file, message, file.getParent());
  }

  /**
   * Reads and checks the cache at start, when the source gave no usable map, and logs the outcome: a WARN line
   * when the client routes by the cache or when a cache exists but is not used.
   *
   * @param parse the refresher's validation of a document
   * @param whySourceUnusable why the source gave no map (the refresher's diagnosis), for the log line
   */
  Outcome load(Function<Map<String, String>, AuthorityMap> parse, long maxStalenessMillis, String whySourceUnusable) {
    Cached cached;
    try {
      cached = read();
    } catch (NoSuchFileException e) {
      return new Outcome(null, -1, "There is no last-known-good cache " + file
          + " (turnout.authority.cache.file) to route by either.");
    } catch (IOException | RuntimeException e) {
      return unused("it is unreadable or damaged (" + e.getMessage() + ")", whySourceUnusable);
    }
    long now = wallMillis.getAsLong();
    long age = now - cached.writtenAtMillis();
    String written = "written at " + Instant.ofEpochMilli(cached.writtenAtMillis()) + " by client '"
        + cached.writer() + "'";
    if (age < 0) {
      return unused("it was " + written + ", which is later than now (" + Instant.ofEpochMilli(now)
          + "): the clock went back or the file was altered", whySourceUnusable);
    }
    if (age >= maxStalenessMillis) {
      return unused("it was " + written + ", " + age + " ms ago, which is not less than "
          + "turnout.authority.max.staleness.ms (" + maxStalenessMillis + ")", whySourceUnusable);
    }
    AuthorityMap map;
    try {
      map = parse.apply(cached.document());
    } catch (InvalidAuthorityDocumentException e) {
      StringBuilder problems = new StringBuilder();
      e.problems().forEach(p -> problems.append(problems.length() == 0 ? "" : "; ").append(p));
      return unused("its document (" + written + ") is not valid for this client (" + problems + ")",
          whySourceUnusable);
    }
    Instant until = Instant.ofEpochMilli(cached.writtenAtMillis() + maxStalenessMillis);
    String note = "The map in force (epoch " + map.epoch() + ") comes from the last-known-good cache " + file + ", "
        + written + ", because the source was not usable at start; it is used until " + until
        + " (turnout.authority.max.staleness.ms after it was written) unless a refresh from the source succeeds "
        + "first.";
    log.warn("[{}] Routing by the last-known-good cache {}: epoch {}, {}, {} ms ago; every decision fails closed "
        + "from {} unless a refresh from the source succeeds first. The source was not usable at start: {}", owner,
        file, map.epoch(), written, age, until, whySourceUnusable.isEmpty() ? "(no reason recorded)"
            : whySourceUnusable);
    return new Outcome(map, age, note);
  }

  private Outcome unused(String why, String whySourceUnusable) {
    String note = "The last-known-good cache " + file + " was not used: " + why + ".";
    log.warn("[{}] {} Without it no map is in force until the source is usable. The source was not usable at "
        + "start: {}", owner, note, whySourceUnusable.isEmpty() ? "(no reason recorded)" : whySourceUnusable);
    return new Outcome(null, -1, note);
  }

  /**
   * Reads the cache file.
   *
   * @throws NoSuchFileException when there is none
   * @throws IOException when it cannot be read, or its header or digest do not check out
   */
  Cached read() throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int bodyStart = 0;
    Long writtenAt = null;
    String writer = "?";
    String digest = null;
    while (bodyStart < text.length() && text.charAt(bodyStart) == '#') {
      int end = text.indexOf('\n', bodyStart);
      if (end < 0) {
        end = text.length() - 1;
      }
      String line = text.substring(bodyStart, end + 1).strip();
      if (line.startsWith(WRITTEN_AT)) {
        writtenAt = number(line.substring(WRITTEN_AT.length()));
      } else if (line.startsWith(CLIENT)) {
        writer = line.substring(CLIENT.length());
      } else if (line.startsWith(DIGEST)) {
        digest = line.substring(DIGEST.length());
      }
      bodyStart = end + 1;
    }
    if (writtenAt == null || digest == null) {
      throw new IOException("no " + (writtenAt == null ? WRITTEN_AT.substring(2) : DIGEST.substring(2))
          + " header line: it was not written by a Turnout client, or it is damaged");
    }
    String body = text.substring(bodyStart);
    if (!sha256(body).equals(digest)) {
      throw new IOException("its document does not match the SHA-256 in its header: it was altered or damaged");
    }
    Properties properties = new Properties();
    properties.load(new StringReader(body));
    Map<String, String> document = new TreeMap<>();
    for (String name : properties.stringPropertyNames()) {
      document.put(name, properties.getProperty(name));
    }
    return new Cached(Map.copyOf(document), writtenAt, writer);
  }

  private static Long number(String text) throws IOException {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IOException("malformed write time '" + text + "'");
    }
  }

  /** The file's text: header lines, then the document's keys sorted, one escaped {@code key=value} per line. */
  String render(Map<String, String> document, long epoch, long writtenAtMillis) {
    Properties properties = new Properties();
    properties.putAll(document);
    StringWriter out = new StringWriter();
    try {
      properties.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> lines = new ArrayList<>(out.toString().lines().toList());
    lines.remove(0); // the date comment of Properties.store; every entry is one line (line breaks are escaped)
    lines.sort(null);
    StringBuilder body = new StringBuilder();
    lines.forEach(line -> body.append(line).append('\n'));
    return TITLE + '\n'
        + WRITTEN_AT + writtenAtMillis + '\n'
        + WRITTEN_AT_TEXT + Instant.ofEpochMilli(writtenAtMillis) + '\n'
        + CLIENT + oneLine(owner) + '\n'
        + EPOCH + epoch + '\n'
        + DIGEST + sha256(body.toString()) + '\n'
        + body;
  }

  private static String oneLine(String text) {
    StringBuilder out = new StringBuilder();
    String value = text == null ? "" : text;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return out.toString();
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Writes a temporary file in the cache's directory, forces it to disk, then moves it over the cache. */
  private void write(String text) throws IOException {
    Path dir = file.getParent();
    Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Makes the rename durable where the platform allows opening a directory (not on Windows). */
  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      // Best effort: the file itself is on disk; only the rename may be lost on a crash.
    }
  }
}
