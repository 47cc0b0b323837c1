package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import dev.turnout.internal.source.AuthorityRefresher;
import dev.turnout.source.AuthorityListener;
import dev.turnout.source.AuthoritySource;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Reads an {@link AuthoritySource} the way the routing clients do (same validation, same succession of
 * epochs, same staleness), without routing anything: for monitoring the authority state before, beside or
 * without a client, for example in an actuator endpoint. Every reader method is safe from any thread and never
 * blocks on the source.
 *
 * <pre>{@code
 * try (AuthorityMonitor monitor = AuthorityMonitor.open(source, List.of("onprem", "cloud"),
 *     Duration.ofSeconds(1), Duration.ofMinutes(5))) {
 *   long epoch = monitor.epoch();
 * }
 * }</pre>
 */
public final class AuthorityMonitor implements AutoCloseable {

  private final AuthorityRefresher refresher;

  /**
   * A monitor that does not read the source until {@link #start()} or {@link #refresh()}.
   *
   * @param source the authority source, as given to the clients
   * @param clusters the declared cluster aliases (a document naming another alias is rejected, as by clients)
   * @param refreshInterval how often the source is read ({@code turnout.authority.refresh.ms})
   * @param maxStaleness after how long without a successful refresh the map counts as stale
   *     ({@code turnout.authority.max.staleness.ms}); longer than {@code refreshInterval}
   * @throws IllegalArgumentException when an interval is not positive or the staleness is not longer than the
   *     refresh interval
   */
  public AuthorityMonitor(AuthoritySource source, List<String> clusters, Duration refreshInterval,
      Duration maxStaleness) {
    this(source, clusters, refreshInterval, maxStaleness, List.of());
  }

  /**
   * A monitor that, like clients configured with {@code turnout.authority.trusted.keys}, installs only documents
   * signed by one of {@code trustedKeys} (read them with {@link TrustedKeys#read}); empty: signatures are not
   * required. The other parameters are those of {@link #AuthorityMonitor(AuthoritySource, List, Duration,
   * Duration)}.
   *
   * @throws IllegalArgumentException also when a trusted key is not an Ed25519 public key
   */
  public AuthorityMonitor(AuthoritySource source, List<String> clusters, Duration refreshInterval,
      Duration maxStaleness, Collection<PublicKey> trustedKeys) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(clusters, "clusters");
    long refresh = positive("refreshInterval", refreshInterval);
    long staleness = positive("maxStaleness", maxStaleness);
    if (staleness <= refresh) {
      throw new IllegalArgumentException("maxStaleness (" + staleness + " ms) must be longer than refreshInterval ("
          + refresh + " ms): otherwise the map turns stale between two refreshes");
    }
    this.refresher = new AuthorityRefresher(source, clusters, refresh, staleness, "turnout-monitor",
        Objects.requireNonNull(trustedKeys, "trustedKeys"));
  }

  /** A started monitor: reads the source once now, then every {@code refreshInterval}. See the constructor. */
  public static AuthorityMonitor open(AuthoritySource source, List<String> clusters, Duration refreshInterval,
      Duration maxStaleness) {
    AuthorityMonitor monitor = new AuthorityMonitor(source, clusters, refreshInterval, maxStaleness);
    monitor.start();
    return monitor;
  }

  /**
   * A started monitor of signed documents. See
   * {@link #AuthorityMonitor(AuthoritySource, List, Duration, Duration, Collection)}.
   */
  public static AuthorityMonitor open(AuthoritySource source, List<String> clusters, Duration refreshInterval,
      Duration maxStaleness, Collection<PublicKey> trustedKeys) {
    AuthorityMonitor monitor = new AuthorityMonitor(source, clusters, refreshInterval, maxStaleness, trustedKeys);
    monitor.start();
    return monitor;
  }

  private static long positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.toMillis() <= 0) {
      throw new IllegalArgumentException(name + " must be at least 1 ms, got " + value);
    }
    return value.toMillis();
  }

  /** Reads the source once now, then every refresh interval on a daemon thread. Idempotent. */
  public void start() {
    refresher.start();
  }

  /** Reads the source once now, on the calling thread; whether the refresh succeeded. */
  public boolean refresh() {
    return refresher.refresh();
  }

  /** The map in force, or {@code null} when no valid document has been read. */
  public AuthorityMap map() {
    return refresher.map();
  }

  /** The epoch in force, -1 when none. */
  public long epoch() {
    AuthorityMap map = refresher.map();
    return map == null ? -1 : map.epoch();
  }

  /** Milliseconds since the last successful refresh, -1 before the first. */
  public long ageMillis() {
    return refresher.ageMillis();
  }

  /** The maximum staleness in milliseconds. */
  public long maxStalenessMillis() {
    return refresher.maxStalenessMillis();
  }

  /** Whether no refresh has succeeded for longer than the maximum staleness (or none ever has). */
  public boolean isStale() {
    return refresher.isStale(System.nanoTime());
  }

  /**
   * Why clients of this source refuse every decision now (no valid map, or a stale one), or {@code null} when
   * they may route.
   */
  public String failingClosedReason() {
    return Freshness.failingClosedReason(refresher);
  }

  /** The source read. */
  public AuthoritySource source() {
    return refresher.source();
  }

  /** Successful refreshes. */
  public long refreshCount() {
    return refresher.refreshCount();
  }

  /** Reads of the source that failed. */
  public long readFailureCount() {
    return refresher.readFailureCount();
  }

  /** Distinct rejected documents with a problem of {@code kind}. */
  public long rejectionCount(DocumentProblem.Kind kind) {
    return refresher.rejectionCount(kind);
  }

  /**
   * Why the last read of the source failed (for example an I/O error), or {@code null} when the source was
   * read: a document that was read but rejected is reported by {@link #lastRejection()} and
   * {@link #rejectionProblems()}.
   */
  public String lastReadError() {
    return refresher.lastReadFailure();
  }

  /** The last rejection, or {@code null} when the last document read was accepted. */
  public InvalidAuthorityDocumentException lastRejection() {
    return refresher.lastRejection();
  }

  /** The problems of the last rejected document; empty when the last document read was accepted. */
  public List<DocumentProblem> rejectionProblems() {
    InvalidAuthorityDocumentException rejection = refresher.lastRejection();
    return rejection == null ? List.of() : rejection.problems();
  }

  /** Adds a listener of installs, rejections and read failures (called on the refresh thread). */
  public void addListener(AuthorityListener listener) {
    refresher.addListener(listener);
  }

  /** Stops reading the source. */
  @Override
  public void close() {
    refresher.close();
  }
}
