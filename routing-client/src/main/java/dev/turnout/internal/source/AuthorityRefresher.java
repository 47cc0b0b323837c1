package dev.turnout.internal.source;

import dev.turnout.source.AuthorityListener;
import dev.turnout.source.AuthoritySource;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * the same epoch is a failed refresh: the map in force stays in force, and once no refresh has succeeded
 * for the maximum staleness, {@link #isStale(long)} turns true and routing fails closed.
 *
 * <p>The read path ({@link #map()}, {@link #lastSuccessNanos()}) is two volatile reads and never blocks.
 */
public final class AuthorityRefresher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AuthorityRefresher.class);

  private final AuthoritySource source;
  private final List<String> clusters;
  private final long refreshMillis;
  private final long maxStalenessNanos;
  private final LongSupplier nanoClock;
  private final String owner;
  private final List<AuthorityListener> listeners = new CopyOnWriteArrayList<>();

  private final LongAdder refreshes = new LongAdder();
  private final LongAdder readFailures = new LongAdder();
  private final Map<DocumentProblem.Kind, LongAdder> rejections = new EnumMap<>(DocumentProblem.Kind.class);

  private volatile AuthorityMap map;
  private volatile long lastSuccessNanos;
  private volatile boolean everSucceeded;

  // Refresh-thread state (guarded by this).
  private Map<String, String> lastRead;
  private InvalidAuthorityDocumentException lastRejection;
  private volatile String lastFailureMessage; // written under this, read by lastFailure()
  private boolean staleReported;
  private ScheduledExecutorService scheduler;
  private boolean closed;

  /**
   * @param owner names the client in logs and thread names (for example its client.id)
   */
  public AuthorityRefresher(AuthoritySource source, List<String> clusters, long refreshMillis,
      long maxStalenessMillis, String owner) {
    this(source, clusters, refreshMillis, maxStalenessMillis, owner, System::nanoTime);
  }

  AuthorityRefresher(AuthoritySource source, List<String> clusters, long refreshMillis, long maxStalenessMillis,
      String owner, LongSupplier nanoClock) {
    this.source = Objects.requireNonNull(source, "source");
    this.clusters = List.copyOf(clusters);
    this.refreshMillis = refreshMillis;
    this.maxStalenessNanos = TimeUnit.MILLISECONDS.toNanos(maxStalenessMillis);
    this.nanoClock = nanoClock;
    this.owner = owner;
    for (DocumentProblem.Kind kind : DocumentProblem.Kind.values()) {
      rejections.put(kind, new LongAdder());
    }
  }

  /** Reads the source once now, then every refresh interval on a daemon thread. */
  public synchronized void start() {
    if (scheduler != null || closed) {
      return;
    }
    refreshQuietly();
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "turnout-authority-refresh-" + owner);
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::refreshQuietly, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
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

  /** Whether no refresh has succeeded for longer than the maximum staleness, as of {@code nowNanos}. */
  public boolean isStale(long nowNanos) {
    return !everSucceeded || nowNanos - lastSuccessNanos > maxStalenessNanos;
  }

  /** Milliseconds since the last successful refresh, or -1 before the first. */
  public long ageMillis() {
    return everSucceeded ? TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - lastSuccessNanos) : -1;
  }

  /** The source read. */
  public AuthoritySource source() {
    return source;
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
    } catch (RuntimeException e) {
      log.error("[{}] Unexpected error refreshing the authority map from {}; will retry", owner,
          source.description(), e);
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
    Map<String, String> document;
    try {
      document = source.read();
      if (document == null || document.isEmpty()) {
        throw new IllegalStateException("the source returned an empty document");
      }
    } catch (Exception e) {
      readFailures.increment();
      String message = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!message.equals(lastFailureMessage)) {
        log.warn("[{}] Cannot read the authority document from {} ({}). The map of epoch {} stays in force "
            + "until it is {} ms stale, then every routing decision fails closed. Restore the source.",
            owner, source.description(), message, epochText(), maxStalenessMillis());
        lastFailureMessage = message;
      }
      listeners.forEach(l -> l.onReadFailed(e));
      reportStaleness();
      return false;
    }
    lastFailureMessage = null;
    if (document.equals(lastRead) && lastRejection == null && map != null) {
      succeeded();
      return true;
    }
    boolean sameAsLastRejected = document.equals(lastRead) && lastRejection != null;
    lastRead = document;
    AuthorityMap candidate;
    try {
      candidate = parse(document);
      checkSuccession(candidate);
    } catch (InvalidAuthorityDocumentException e) {
      if (!sameAsLastRejected) {
        EnumSet<DocumentProblem.Kind> kinds = EnumSet.noneOf(DocumentProblem.Kind.class);
        e.problems().forEach(p -> kinds.add(p.kind()));
        kinds.forEach(kind -> rejections.get(kind).increment());
        log.warn("[{}] {} (source: {}, epoch in force: {}). Fix the document; routing fails closed once no "
            + "refresh has succeeded for {} ms.", owner, e.getMessage(), source.description(), epochText(),
            maxStalenessMillis());
        listeners.forEach(l -> l.onRejected(e));
      }
      lastRejection = e;
      reportStaleness();
      return false;
    }
    lastRejection = null;
    AuthorityMap previous = map;
    if (previous == null || candidate.epoch() > previous.epoch()) {
      map = candidate;
      log.info("[{}] Authority map epoch {} in force (was {}), {} rule(s), from {}", owner, candidate.epoch(),
          previous == null ? "none" : previous.epoch(), candidate.rules().size(), source.description());
      listeners.forEach(l -> l.onInstalled(previous, candidate));
    }
    succeeded();
    return true;
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
    AuthorityMap current = map;
    if (current == null) {
      return;
    }
    if (candidate.epoch() < current.epoch()) {
      throw new InvalidAuthorityDocumentException(List.of(new DocumentProblem(DocumentProblem.Kind.EPOCH_REGRESSION,
          "epoch " + candidate.epoch() + " is lower than epoch " + current.epoch()
              + " in force; epochs only increase: raise it above " + current.epoch())));
    }
    if (candidate.epoch() == current.epoch() && !candidate.sameDocument(current)) {
      throw new InvalidAuthorityDocumentException(List.of(new DocumentProblem(DocumentProblem.Kind.EPOCH_CONFLICT,
          "the document changed but its epoch is still " + current.epoch()
              + "; every change needs a higher epoch")));
    }
  }

  private void succeeded() {
    refreshes.increment();
    lastSuccessNanos = nanoClock.getAsLong();
    everSucceeded = true;
    if (staleReported) {
      log.info("[{}] Authority refresh from {} succeeded again; routing resumes with epoch {}", owner,
          source.description(), epochText());
      staleReported = false;
    }
  }

  private void reportStaleness() {
    if (!staleReported && everSucceeded && isStale(nanoClock.getAsLong())) {
      log.error("[{}] No authority refresh from {} has succeeded for more than {} ms "
          + "(turnout.authority.max.staleness.ms): every routing decision now fails closed until a refresh "
          + "succeeds.", owner, source.description(), maxStalenessMillis());
      staleReported = true;
    }
  }

  private String epochText() {
    AuthorityMap m = map;
    return m == null ? "none" : Long.toString(m.epoch());
  }

  @Override
  public void close() {
    ScheduledExecutorService s;
    synchronized (this) {
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
