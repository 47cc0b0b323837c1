package dev.turnout.internal.source;

import dev.turnout.source.AuthorityListener;
import dev.turnout.source.AuthoritySource;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import java.security.PublicKey;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the authority map in force fresh: reads an {@link AuthoritySource} every refresh interval,
 * validates what it reads, and installs only valid documents whose epoch is higher than the one in force.
 *
 * <p>A refresh succeeds when the source is readable and its document is either the one in force or a
 * valid successor. An unreadable source, a rejected document, a lower epoch, or a different document with
 * the same epoch as a confirmed map is a failed refresh: the map in force stays in force, and once no refresh
 * has succeeded for the maximum staleness, {@link #isStale()} turns true and routing fails closed.
 *
 * <p>Same-epoch rule: a map is <em>confirmed</em> once a later refresh reads its document again unchanged.
 * A valid document that differs from the map in force but carries the same epoch replaces that map (with a
 * WARN line and an install event) when the map was never confirmed: the first one was most likely a torn
 * read of a file being rewritten in place. Against a confirmed map it is rejected as {@code EPOCH_CONFLICT}
 * and re-read at every refresh, so the complete document of an epoch is never wedged out by a torn read
 * that was seen only once.
 *
 * <p>Last-known-good cache ({@link #useCache}): every document the source confirms is written to the cache (see
 * {@link LastKnownGood}); when the first read at {@link #start()} leaves no map, a usable cache is installed with
 * the staleness deadline its write time gives, and {@link #diagnosis()} says so. A source document with a lower
 * epoch than the cached one is then rejected as {@code EPOCH_REGRESSION}, as against any map in force.
 *
 * <p>A source that knows when its document changed calls the callback given to
 * {@link AuthoritySource#onChange}; the refresher then reads it at once on its own thread, coalescing calls
 * that arrive while a read is waiting. The fixed-interval refresh stays as the backstop.
 *
 * <p>Refreshing never stops by itself: whatever a refresh throws, {@link Error}s included, is logged at
 * ERROR and the next refresh runs on schedule.
 *
 * <p>The hot path ({@link #map()}, {@link #isStale()}) is volatile reads, one clock read and a compare; it
 * never blocks or allocates. {@link #diagnosis()} says why there is no map or why it is stale, for the
 * messages of refusals.
 */
public final class AuthorityRefresher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AuthorityRefresher.class);

  private final AuthoritySource source;
  private final List<String> clusters;
  private final long refreshMillis;
  private final long maxStalenessNanos;
  private final LongSupplier nanoClock;
  private final String owner;
  private final SignatureCheck signatures;
  private final List<AuthorityListener> listeners = new CopyOnWriteArrayList<>();

  private final LongAdder refreshes = new LongAdder();
  private final LongAdder readFailures = new LongAdder();
  private final Map<DocumentProblem.Kind, LongAdder> rejections = new EnumMap<>(DocumentProblem.Kind.class);

  private volatile AuthorityMap map;
  private volatile long lastSuccessNanos;
  /** {@code lastSuccessNanos + maxStalenessNanos}; before the first success, a time already past. */
  private volatile long staleAtNanos;
  private volatile boolean everSucceeded;
  private volatile long lastAttemptNanos;
  private volatile String lastReadError;
  private volatile List<DocumentProblem> lastProblems = List.of();
  private volatile long lastLoweredEpoch = -1;
  private final AtomicBoolean staleReported = new AtomicBoolean();
  private final AtomicBoolean changePending = new AtomicBoolean();
  private volatile LastKnownGood cache;
  /** What the cache gave at start (where the map comes from, or why the cache was not used); null once a refresh succeeded. */
  private volatile String cacheNote;
  /** Whether the map in force was read from the cache (no refresh has succeeded since). */
  private volatile boolean fromCache;

  // Refresh-thread state (guarded by this).
  private Map<String, String> lastRead;
  private InvalidAuthorityDocumentException lastRejection;
  private volatile String lastFailureMessage; // written under this, read by lastReadFailure()
  /** Whether the document of the map in force was read again unchanged after it was installed. */
  private boolean confirmed;

  // Lifecycle state (guarded by lifecycle, never by this: close must not wait for a refresh that hangs).
  private final Object lifecycle = new Object();
  private ScheduledExecutorService scheduler;
  private boolean started;
  private volatile boolean closed;

  /**
   * @param owner names the client in logs and thread names (for example its client.id)
   */
  public AuthorityRefresher(AuthoritySource source, List<String> clusters, long refreshMillis,
      long maxStalenessMillis, String owner) {
    this(source, clusters, refreshMillis, maxStalenessMillis, owner, List.of());
  }

  /**
   * @param trustedKeys Ed25519 public keys: a document is installed only when signed by one of them
   *     ({@code UNSIGNED}, {@code UNKNOWN_SIGNING_KEY} and {@code BAD_SIGNATURE} rejections otherwise); empty:
   *     signatures are not required
   */
  public AuthorityRefresher(AuthoritySource source, List<String> clusters, long refreshMillis,
      long maxStalenessMillis, String owner, Collection<PublicKey> trustedKeys) {
    this(source, clusters, refreshMillis, maxStalenessMillis, owner, System::nanoTime, trustedKeys);
  }

  AuthorityRefresher(AuthoritySource source, List<String> clusters, long refreshMillis, long maxStalenessMillis,
      String owner, LongSupplier nanoClock) {
    this(source, clusters, refreshMillis, maxStalenessMillis, owner, nanoClock, List.of());
  }

  AuthorityRefresher(AuthoritySource source, List<String> clusters, long refreshMillis, long maxStalenessMillis,
      String owner, LongSupplier nanoClock, Collection<PublicKey> trustedKeys) {
    this.signatures = new SignatureCheck(trustedKeys, owner);
    this.source = Objects.requireNonNull(source, "source");
    this.clusters = List.copyOf(clusters);
    this.refreshMillis = refreshMillis;
    this.maxStalenessNanos = TimeUnit.MILLISECONDS.toNanos(maxStalenessMillis);
    this.nanoClock = nanoClock;
    this.owner = owner;
    long now = nanoClock.getAsLong();
    this.staleAtNanos = now - 1;
    this.lastAttemptNanos = now;
    for (DocumentProblem.Kind kind : DocumentProblem.Kind.values()) {
      rejections.put(kind, new LongAdder());
    }
  }

  /** Writes every confirmed document to {@code cache}, and falls back to it at start; call before {@link #start()}. */
  public void useCache(LastKnownGood cache) {
    this.cache = Objects.requireNonNull(cache, "cache");
  }

  /** Reads the source once now (falling back to the cache, if any), then every refresh interval on a daemon thread. */
  public void start() {
    synchronized (lifecycle) {
      if (started || closed) {
        return;
      }
      started = true;
    }
    refreshQuietly();
    installFromCache();
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "turnout-authority-refresh-" + owner);
        t.setDaemon(true);
        return t;
      });
      scheduler.scheduleWithFixedDelay(this::refreshQuietly, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
    }
    source.onChange(this::refreshSoon);
  }

  /** Schedules one refresh now, unless one is already waiting to run (source change notifications coalesce). */
  private void refreshSoon() {
    if (!changePending.compareAndSet(false, true)) {
      return;
    }
    synchronized (lifecycle) {
      if (closed || scheduler == null) {
        changePending.set(false);
        return;
      }
      try {
        scheduler.execute(() -> {
          changePending.set(false);
          refreshQuietly();
        });
      } catch (RejectedExecutionException e) {
        changePending.set(false); // closing
      }
    }
  }

  /** Adds a listener for installs, rejections and read failures. */
  public void addListener(AuthorityListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** The map in force, or {@code null} when no valid map has been loaded yet. */
  public AuthorityMap map() {
    return map;
  }

  /** {@link System#nanoTime()} of the last successful refresh (meaningless before the first). */
  public long lastSuccessNanos() {
    return lastSuccessNanos;
  }

  /**
   * Whether routing must fail closed for want of a fresh map: no refresh has ever succeeded, or none has
   * succeeded for longer than the maximum staleness. The one place staleness is decided; cheap enough for
   * every send and poll (a volatile read, one clock read and a compare).
   */
  public boolean isStale() {
    return nanoClock.getAsLong() - staleAtNanos > 0;
  }

  /** {@link #isStale()} as of {@code nowNanos} (a {@link System#nanoTime()} value). */
  public boolean isStale(long nowNanos) {
    return !everSucceeded || nowNanos - staleAtNanos > 0;
  }

  /**
   * The last failed read of the source ("NoSuchFileException: /etc/turnout/authority.properties: ..."), or
   * {@code null} when the last read succeeded.
   */
  public String lastReadError() {
    return lastReadError;
  }

  /** The problems of the last document read when it was rejected, each with its kind; empty otherwise. */
  public List<DocumentProblem> lastRejectionProblems() {
    return lastProblems;
  }

  /**
   * The epoch of the last document rejected because its epoch was lower than the one in force, or -1 when the
   * last document read was not such a regression.
   */
  public long lastLoweredEpoch() {
    return lastLoweredEpoch;
  }

  /**
   * Why there is no map or why it is stale, in one or more sentences for the message of a refusal: the last
   * read error, or every problem of the last rejected document, and whether refreshing has stopped running.
   * Empty when nothing went wrong. Not for the hot path: it builds a string.
   */
  public String diagnosis() {
    StringBuilder why = new StringBuilder();
    String readError = lastReadError;
    List<DocumentProblem> problems = lastProblems;
    if (readError != null) {
      why.append("The last read of ").append(source.description()).append(" failed: ").append(readError).append('.');
    } else if (!problems.isEmpty()) {
      why.append("The last document read from ").append(source.description()).append(" was rejected (")
          .append(problems.size()).append(problems.size() == 1 ? " problem): " : " problems): ");
      for (int i = 0; i < problems.size(); i++) {
        why.append(i == 0 ? "" : "; ").append(problems.get(i));
      }
      why.append('.');
    }
    String note = cacheNote;
    if (note != null) {
      why.append(why.length() == 0 ? "" : " ").append(note);
    }
    long sinceAttemptMillis = TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - lastAttemptNanos);
    if (sinceAttemptMillis > 2 * refreshMillis + 1_000) {
      why.append(why.length() == 0 ? "" : " ").append("The last refresh started ").append(sinceAttemptMillis)
          .append(" ms ago although one is due every ").append(refreshMillis)
          .append(" ms: reading the source hangs or refreshing has stopped (the log says why).");
    }
    return why.toString();
  }

  /**
   * Logs at ERROR, once per stale spell, that routing now fails closed because the map is stale, with the
   * {@link #diagnosis()}; for the refusal paths of the clients, so that staleness is reported even when the
   * refresh thread cannot report it. Lock-free.
   *
   * @return whether this call logged
   */
  public boolean reportStale() {
    if (!everSucceeded || !isStale() || !staleReported.compareAndSet(false, true)) {
      return false;
    }
    String why = diagnosis();
    log.error("[{}] No authority refresh from {} has succeeded for more than {} ms "
        + "(turnout.authority.max.staleness.ms): every routing decision now fails closed until a refresh "
        + "succeeds.{}", owner, source.description(), maxStalenessMillis(), why.isEmpty() ? "" : " " + why);
    return true;
  }

  /**
   * Where the map in force comes from when it was read from the last-known-good cache at start, or why the cache
   * was not used; {@code null} without a cache or once a refresh from the source succeeded.
   */
  public String cacheNote() {
    return cacheNote;
  }

  /** Milliseconds since the last successful refresh (for a map from the cache: since it was written), or -1. */
  public long ageMillis() {
    return everSucceeded ? TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - lastSuccessNanos) : -1;
  }

  /** The source read. */
  public AuthoritySource source() {
    return source;
  }

  /** The refresh interval in milliseconds. */
  public long refreshMillis() {
    return refreshMillis;
  }

  /** The maximum staleness in milliseconds. */
  public long maxStalenessMillis() {
    return TimeUnit.NANOSECONDS.toMillis(maxStalenessNanos);
  }

  /** Successful refreshes so far. */
  public long refreshCount() {
    return refreshes.sum();
  }

  /** Reads of the source that failed. */
  public long readFailureCount() {
    return readFailures.sum();
  }

  /** Distinct documents rejected for a reason (a rejected document read again is not counted again). */
  public long rejectionCount(DocumentProblem.Kind kind) {
    return rejections.get(kind).sum();
  }

  /**
   * Why the last read of the source failed, or {@code null} when it was read (a document read but rejected is
   * reported by {@link #lastRejection()}) or none has run.
   */
  public String lastReadFailure() {
    return lastFailureMessage;
  }

  /** The most recent rejection, or {@code null} when the last document read was accepted. */
  public synchronized InvalidAuthorityDocumentException lastRejection() {
    return lastRejection;
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (Throwable e) {
      // A task of a ScheduledExecutorService that throws is never run again: catch everything.
      log.error("[{}] Unexpected error refreshing the authority map from {}: {}. Refreshing goes on every {} ms; "
          + "routing fails closed once no refresh has succeeded for {} ms. If this repeats, fix or replace the "
          + "source (turnout.authority.source) or report the error with this stack trace.", owner,
          source.description(), e, refreshMillis, maxStalenessMillis(), e);
    }
  }

  /**
   * Reads and applies the source once.
   *
   * @return whether the refresh succeeded
   */
  public synchronized boolean refresh() {
    if (closed) {
      return false;
    }
    lastAttemptNanos = nanoClock.getAsLong();
    Map<String, String> document;
    try {
      document = source.read();
      if (document == null || document.isEmpty()) {
        throw new IllegalStateException("the source returned an empty document");
      }
    } catch (Exception | Error e) {
      readFailed(e);
      return false;
    }
    lastFailureMessage = null;
    lastReadError = null;
    if (document.equals(lastRead) && lastRejection == null && map != null) {
      confirmed = true;
      succeeded();
      return true;
    }
    boolean sameAsLastRejected = document.equals(lastRead) && lastRejection != null;
    lastRead = document;
    AuthorityMap candidate;
    try {
      signatures.check(document);
      candidate = parse(document);
      checkSuccession(candidate);
    } catch (InvalidAuthorityDocumentException e) {
      rejected(e, sameAsLastRejected);
      return false;
    }
    lastRejection = null;
    lastProblems = List.of();
    lastLoweredEpoch = -1;
    AuthorityMap previous = map;
    if (previous == null || candidate.epoch() > previous.epoch()) {
      install(candidate);
      log.info("[{}] Authority map epoch {} in force (was {}), {} rule(s), from {}", owner, candidate.epoch(),
          previous == null ? "none" : previous.epoch(), candidate.rules().size(), source.description());
      listeners.forEach(l -> l.onInstalled(previous, candidate));
    } else if (!candidate.sameDocument(previous) && fromCache) {
      install(candidate);
      log.warn("[{}] The document of epoch {} from {} differs from the cached one of the same epoch; the source's "
          + "replaces it. Raise the epoch on every change.", owner, candidate.epoch(), source.description());
      listeners.forEach(l -> l.onInstalled(previous, candidate));
    } else if (!candidate.sameDocument(previous)) {
      install(candidate);
      log.warn("[{}] Authority map epoch {} replaced by a different document of the same epoch from {}: the one "
          + "installed before was never read a second time, so it was most likely a torn read of a file being "
          + "rewritten in place. Replace the file atomically (write a temporary file, then rename it), and raise "
          + "the epoch on every change.", owner, candidate.epoch(), source.description());
      listeners.forEach(l -> l.onInstalled(previous, candidate));
    } else {
      confirmed = true;
    }
    succeeded();
    return true;
  }

  private void install(AuthorityMap candidate) {
    map = candidate;
    confirmed = false;
  }

  private void readFailed(Throwable e) {
    readFailures.increment();
    String message = e.getClass().getSimpleName() + ": " + e.getMessage();
    lastReadError = message;
    if (!message.equals(lastFailureMessage)) {
      if (e instanceof Error) {
        log.error("[{}] The authority source {} threw {}. {} Refreshing goes on every {} ms; fix or replace the "
            + "source (turnout.authority.source).", owner, source.description(), message, inForceText(),
            refreshMillis, e);
      } else {
        log.warn("[{}] Cannot read the authority document from {} ({}). {} Restore the source.", owner,
            source.description(), message, inForceText());
      }
      lastFailureMessage = message;
    }
    Exception failure = e instanceof Exception ex ? ex : new IllegalStateException(message, e);
    listeners.forEach(l -> l.onReadFailed(failure));
    reportStaleness();
  }

  private void rejected(InvalidAuthorityDocumentException e, boolean sameAsLastRejected) {
    lastProblems = e.problems();
    lastLoweredEpoch = -1;
    for (DocumentProblem p : e.problems()) {
      if (p.kind() == DocumentProblem.Kind.EPOCH_REGRESSION) {
        lastLoweredEpoch = loweredEpoch(lastRead);
      }
    }
    if (!sameAsLastRejected) {
      EnumSet<DocumentProblem.Kind> kinds = EnumSet.noneOf(DocumentProblem.Kind.class);
      e.problems().forEach(p -> kinds.add(p.kind()));
      kinds.forEach(kind -> rejections.get(kind).increment());
      log.warn("[{}] Authority document from {} rejected ({} problem{}): {}. {} Fix the document.", owner,
          source.description(), e.problems().size(), e.problems().size() == 1 ? "" : "s", problemsText(e.problems()),
          inForceText());
      listeners.forEach(l -> l.onRejected(e));
    }
    lastRejection = e;
    reportStaleness();
  }

  private static long loweredEpoch(Map<String, String> document) {
    try {
      return Long.parseLong(document.get("epoch").trim());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static String problemsText(List<DocumentProblem> problems) {
    StringBuilder text = new StringBuilder();
    for (DocumentProblem p : problems) {
      text.append(text.length() == 0 ? "" : "; ").append(p);
    }
    return text.toString();
  }

  /** What the failed refresh means for routing, for log lines. */
  private String inForceText() {
    AuthorityMap m = map;
    if (m == null) {
      return "No authority map is in force: every routing decision is refused (NO_AUTHORITY_MAP) until a valid "
          + "document is read; the source is re-read every " + refreshMillis + " ms.";
    }
    return "The map of epoch " + m.epoch() + " stays in force until it is " + maxStalenessMillis()
        + " ms stale, then every routing decision fails closed.";
  }

  private AuthorityMap verifiedParse(Map<String, String> document) {
    signatures.check(document);
    return parse(document);
  }

  private AuthorityMap parse(Map<String, String> document) {
    try {
      return AuthorityMap.parse(document, clusters);
    } catch (InvalidAuthorityDocumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidAuthorityDocumentException(new DocumentProblem(DocumentProblem.Kind.UNREADABLE,
          "the document could not be parsed (" + e + ")"), e);
    }
  }

  private void checkSuccession(AuthorityMap candidate) {
    String cacheHint = fromCache ? " (read at start from the last-known-good cache " + cache.file() + "; if the lower "
        + "epoch is meant, remove that file and restart the client)" : "";
    List<DocumentProblem> problems = Succession.problems(map, candidate, confirmed, cacheHint);
    if (!problems.isEmpty()) {
      throw new InvalidAuthorityDocumentException(problems);
    }
  }

  private void succeeded() {
    refreshes.increment();
    long now = nanoClock.getAsLong();
    lastSuccessNanos = now;
    staleAtNanos = now + maxStalenessNanos;
    everSucceeded = true;
    fromCache = false;
    cacheNote = null;
    LastKnownGood c = cache;
    if (c != null) {
      c.store(lastRead, map.epoch(), Math.max(refreshMillis, maxStalenessMillis() / 10));
    }
    if (staleReported.getAndSet(false)) {
      log.info("[{}] Authority refresh from {} succeeded again; routing resumes with epoch {}", owner,
          source.description(), map.epoch());
    }
  }

  /**
   * At start, when the source gave no map: installs the cache if it is usable, with the staleness deadline of its
   * write time (its age counts as time since a successful refresh).
   */
  private synchronized void installFromCache() {
    LastKnownGood c = cache;
    if (c == null || map != null || closed) {
      return;
    }
    // The cached document passes the same checks as one read from the source: signature first, then validation.
    LastKnownGood.Outcome outcome = c.load(this::verifiedParse, maxStalenessMillis(), diagnosis());
    cacheNote = outcome.note();
    AuthorityMap cached = outcome.map();
    if (cached == null) {
      return;
    }
    install(cached);
    fromCache = true;
    lastSuccessNanos = nanoClock.getAsLong() - TimeUnit.MILLISECONDS.toNanos(outcome.ageMillis());
    staleAtNanos = lastSuccessNanos + maxStalenessNanos;
    everSucceeded = true;
    listeners.forEach(l -> l.onInstalled(null, cached));
  }

  private void reportStaleness() {
    reportStale();
  }

  /**
   * Stops refreshing and closes the source. Never waits for a refresh in progress (a read of the source that
   * hangs is interrupted, and does not hold up the client's close).
   */
  @Override
  public void close() {
    ScheduledExecutorService s;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      s = scheduler;
    }
    if (s != null) {
      s.shutdownNow();
    }
    try {
      source.close();
    } catch (Exception e) {
      log.warn("[{}] Error closing authority source {}", owner, source.description(), e);
    }
  }
}
