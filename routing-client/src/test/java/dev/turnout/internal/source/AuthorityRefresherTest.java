package dev.turnout.internal.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.LogCapture;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.DocumentProblem.Kind;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import dev.turnout.source.AuthorityListener;
import dev.turnout.source.AuthoritySource;
import dev.turnout.source.FileAuthoritySource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorityRefresherTest {

  private static final List<String> CLUSTERS = List.of("onprem", "cloud");
  private static final long REFRESH_MS = 1_000;
  private static final long MAX_STALENESS_MS = 10_000;
  private static final long MAX_STALENESS_NANOS = TimeUnit.MILLISECONDS.toNanos(MAX_STALENESS_MS);

  private final FakeSource source = new FakeSource();
  private final FakeClock clock = new FakeClock(5_000_000_000L);
  private final RecordingListener events = new RecordingListener();
  private final List<AuthorityRefresher> toClose = new ArrayList<>();

  @AfterEach
  void closeRefreshers() {
    toClose.forEach(AuthorityRefresher::close);
  }

  // ---------------------------------------------------------------------------------------------------
  // Fixtures

  /** The example document of the format (epoch given), as a fresh mutable map each time. */
  static Map<String, String> doc(long epoch) {
    Map<String, String> doc = new LinkedHashMap<>();
    doc.put("epoch", Long.toString(epoch));
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    doc.put("rule.orders.topics", "orders");
    doc.put("rule.orders.state", "MIRROR");
    return doc;
  }

  static Map<String, String> with(Map<String, String> base, String... keysAndValues) {
    Map<String, String> doc = new LinkedHashMap<>(base);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (keysAndValues[i + 1] == null) {
        doc.remove(keysAndValues[i]);
      } else {
        doc.put(keysAndValues[i], keysAndValues[i + 1]);
      }
    }
    return doc;
  }

  private AuthorityRefresher refresher() {
    return refresher(source, REFRESH_MS, MAX_STALENESS_MS);
  }

  private AuthorityRefresher refresher(AuthoritySource src, long refreshMs, long maxStalenessMs) {
    AuthorityRefresher r = new AuthorityRefresher(src, CLUSTERS, refreshMs, maxStalenessMs, "test-client", clock);
    r.addListener(events);
    toClose.add(r);
    return r;
  }

  static final class FakeSource implements AuthoritySource {
    volatile Map<String, String> document;
    volatile Exception failure;
    /** Thrown once by the next read. */
    volatile Error errorOnce;
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    volatile Runnable changed;

    @Override
    public void onChange(Runnable callback) {
      this.changed = callback;
    }

    void serve(Map<String, String> doc) {
      this.document = doc;
      this.failure = null;
    }

    void fail(Exception e) {
      this.failure = e;
    }

    @Override
    public Map<String, String> read() throws Exception {
      reads.incrementAndGet();
      Error error = errorOnce;
      if (error != null) {
        errorOnce = null;
        throw error;
      }
      Exception f = failure;
      if (f != null) {
        throw f;
      }
      // a fresh (equal) copy each time, as a real source would return
      return document == null ? null : new HashMap<>(document);
    }

    @Override
    public String description() {
      return "fake source";
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  static final class FakeClock implements java.util.function.LongSupplier {
    private final AtomicLong nanos;

    FakeClock(long start) {
      nanos = new AtomicLong(start);
    }

    long now() {
      return nanos.get();
    }

    void advanceMillis(long millis) {
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    void advanceNanos(long n) {
      nanos.addAndGet(n);
    }

    @Override
    public long getAsLong() {
      return nanos.get();
    }
  }

  record Install(AuthorityMap previous, AuthorityMap current) {}

  static final class RecordingListener implements AuthorityListener {
    final List<Install> installs = new CopyOnWriteArrayList<>();
    final List<InvalidAuthorityDocumentException> rejections = new CopyOnWriteArrayList<>();
    final List<Exception> readFailures = new CopyOnWriteArrayList<>();

    @Override
    public void onInstalled(AuthorityMap previous, AuthorityMap current) {
      installs.add(new Install(previous, current));
    }

    @Override
    public void onRejected(InvalidAuthorityDocumentException rejection) {
      rejections.add(rejection);
    }

    @Override
    public void onReadFailed(Exception failure) {
      readFailures.add(failure);
    }
  }

  private static List<Kind> kinds(InvalidAuthorityDocumentException e) {
    return e.problems().stream().map(DocumentProblem::kind).toList();
  }

  // ---------------------------------------------------------------------------------------------------
  // Installing and succession

  @Nested
  class Succession {

    @Test
    void installsTheFirstValidDocument() {
      AuthorityRefresher r = refresher();
      assertThat(r.map()).isNull();
      source.serve(doc(12));

      assertThat(r.refresh()).isTrue();

      assertThat(r.map()).isNotNull();
      assertThat(r.map().epoch()).isEqualTo(12);
      assertThat(r.map().ruleFor("orders")).isNotNull();
      assertThat(r.refreshCount()).isEqualTo(1);
      assertThat(r.lastRejection()).isNull();
      assertThat(events.installs).containsExactly(new Install(null, r.map()));
      assertThat(events.rejections).isEmpty();
      assertThat(events.readFailures).isEmpty();
    }

    @Test
    void installsAHigherEpochAndTellsListenersThePreviousAndCurrentMaps() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      AuthorityMap first = r.map();

      source.serve(with(doc(13), "rule.orders.state", "DUAL_READ"));
      assertThat(r.refresh()).isTrue();

      AuthorityMap second = r.map();
      assertThat(second.epoch()).isEqualTo(13);
      assertThat(second).isNotSameAs(first);
      assertThat(events.installs).hasSize(2);
      assertThat(events.installs.get(1).previous()).isSameAs(first);
      assertThat(events.installs.get(1).current()).isSameAs(second);
      assertThat(r.refreshCount()).isEqualTo(2);
    }

    @Test
    void aLowerEpochIsRejectedAsRegressionAndTheOldMapStays() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      AuthorityMap inForce = r.map();

      source.serve(doc(11));
      assertThat(r.refresh()).isFalse();

      assertThat(r.map()).isSameAs(inForce);
      assertThat(r.refreshCount()).isEqualTo(1);
      assertThat(r.rejectionCount(Kind.EPOCH_REGRESSION)).isEqualTo(1);
      assertThat(r.lastRejection()).isNotNull();
      assertThat(kinds(r.lastRejection())).containsExactly(Kind.EPOCH_REGRESSION);
      assertThat(events.rejections).hasSize(1);
      assertThat(kinds(events.rejections.get(0))).containsExactly(Kind.EPOCH_REGRESSION);
      assertThat(events.installs).hasSize(1);
    }

    @Test
    void aDifferentDocumentWithTheSameEpochIsRejectedAsConflict() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      r.refresh(); // read again unchanged: confirmed
      AuthorityMap inForce = r.map();

      source.serve(with(doc(12), "rule.orders.state", "DUAL_READ"));
      assertThat(r.refresh()).isFalse();

      assertThat(r.map()).isSameAs(inForce);
      assertThat(r.rejectionCount(Kind.EPOCH_CONFLICT)).isEqualTo(1);
      assertThat(r.rejectionCount(Kind.EPOCH_REGRESSION)).isZero();
      assertThat(kinds(r.lastRejection())).containsExactly(Kind.EPOCH_CONFLICT);
      assertThat(events.rejections).singleElement()
          .satisfies(e -> assertThat(kinds(e)).containsExactly(Kind.EPOCH_CONFLICT));
      assertThat(events.installs).hasSize(1);
    }

    @Test
    void theSameDocumentReadAgainIsASuccessWithoutAnInstallEvent() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      AuthorityMap inForce = r.map();

      assertThat(r.refresh()).isTrue();
      assertThat(r.refresh()).isTrue();

      assertThat(r.refreshCount()).isEqualTo(3);
      assertThat(r.map()).isSameAs(inForce);
      assertThat(events.installs).hasSize(1);
      assertThat(events.rejections).isEmpty();
      assertThat(source.reads).hasValue(3);
    }

    @Test
    void theSameCanonicalDocumentWithDifferentWhitespaceIsASuccessNotAConflict() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      AuthorityMap inForce = r.map();

      source.serve(with(doc(12), "epoch", " 12 ", "rule.orders.state", "MIRROR  "));
      assertThat(r.refresh()).isTrue();

      assertThat(r.map()).isSameAs(inForce);
      assertThat(r.refreshCount()).isEqualTo(2);
      assertThat(r.rejectionCount(Kind.EPOCH_CONFLICT)).isZero();
      assertThat(events.installs).hasSize(1);
    }

    @Test
    void revertingToTheDocumentInForceAfterARejectionSucceedsAgain() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      AuthorityMap inForce = r.map();

      source.serve(doc(11));
      assertThat(r.refresh()).isFalse();
      source.serve(doc(12));
      assertThat(r.refresh()).isTrue();

      assertThat(r.map()).isSameAs(inForce);
      assertThat(r.lastRejection()).isNull();
      assertThat(r.refreshCount()).isEqualTo(2);
      assertThat(events.installs).hasSize(1);
    }

    @Test
    void aHigherEpochAfterARejectedOneIsInstalled() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      source.serve(with(doc(13), "rule.orders.state", "BOGUS"));
      assertThat(r.refresh()).isFalse();
      assertThat(r.map().epoch()).isEqualTo(12);

      source.serve(with(doc(13), "rule.orders.state", "DUAL_READ"));
      assertThat(r.refresh()).isTrue();

      assertThat(r.map().epoch()).isEqualTo(13);
      assertThat(r.lastRejection()).isNull();
      assertThat(events.installs).extracting(i -> i.current().epoch()).containsExactly(12L, 13L);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Rejections

  @Nested
  class Rejections {

    @Test
    void anInvalidFirstDocumentIsRejectedWholeAndNothingIsInstalled() {
      AuthorityRefresher r = refresher();
      source.serve(with(doc(12), "rule.orders.state", "BOGUS", "colour", "blue"));

      assertThat(r.refresh()).isFalse();

      assertThat(r.map()).isNull();
      assertThat(r.refreshCount()).isZero();
      assertThat(r.rejectionCount(Kind.UNKNOWN_STATE)).isEqualTo(1);
      assertThat(r.rejectionCount(Kind.UNKNOWN_KEY)).isEqualTo(1);
      assertThat(r.rejectionCount(Kind.MISSING_VALUE)).isZero();
      assertThat(r.rejectionCount(Kind.EPOCH_REGRESSION)).isZero();
      assertThat(events.installs).isEmpty();
      assertThat(events.rejections).singleElement()
          .satisfies(e -> assertThat(kinds(e)).containsExactlyInAnyOrder(Kind.UNKNOWN_STATE, Kind.UNKNOWN_KEY));
      assertThat(r.lastRejection()).isSameAs(events.rejections.get(0));
    }

    @Test
    void anInvalidDocumentLeavesTheMapInForceInForce() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      AuthorityMap inForce = r.map();

      // a valid rule plus an invalid one: rejected whole, not partially applied
      source.serve(with(doc(13), "rule.audit.topics", "audit", "rule.audit.state", "NOPE"));
      assertThat(r.refresh()).isFalse();

      assertThat(r.map()).isSameAs(inForce);
      assertThat(r.map().ruleFor("audit")).isNull();
      assertThat(r.rejectionCount(Kind.UNKNOWN_STATE)).isEqualTo(1);
      assertThat(events.installs).hasSize(1);
    }

    @Test
    void reReadingTheSameBadDocumentDoesNotCountOrNotifyAgain() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      source.serve(with(doc(13), "rule.orders.state", "BOGUS"));

      assertThat(r.refresh()).isFalse();
      assertThat(r.refresh()).isFalse();
      assertThat(r.refresh()).isFalse();

      assertThat(r.rejectionCount(Kind.UNKNOWN_STATE)).isEqualTo(1);
      assertThat(events.rejections).hasSize(1);
      assertThat(r.lastRejection()).isNotNull();
      assertThat(r.refreshCount()).isEqualTo(1);
    }

    @Test
    void reReadingTheSameRegressionDoesNotCountAgain() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      source.serve(doc(3));

      r.refresh();
      r.refresh();

      assertThat(r.rejectionCount(Kind.EPOCH_REGRESSION)).isEqualTo(1);
      assertThat(events.rejections).hasSize(1);
    }

    @Test
    void theSameBadDocumentAfterAReadFailureIsNotCountedAgain() {
      AuthorityRefresher r = refresher();
      Map<String, String> bad = with(doc(12), "rule.orders.state", "BOGUS");
      source.serve(bad);
      r.refresh();
      source.fail(new IOException("blip"));
      r.refresh();
      source.serve(bad);
      r.refresh();

      assertThat(r.rejectionCount(Kind.UNKNOWN_STATE)).isEqualTo(1);
      assertThat(events.rejections).hasSize(1);
      assertThat(r.readFailureCount()).isEqualTo(1);
    }

    @Test
    void aDifferentBadDocumentIsCountedAgain() {
      AuthorityRefresher r = refresher();
      source.serve(with(doc(12), "rule.orders.state", "BOGUS"));
      r.refresh();
      source.serve(with(doc(12), "rule.orders.state", "ALSO_BOGUS"));
      r.refresh();

      assertThat(r.rejectionCount(Kind.UNKNOWN_STATE)).isEqualTo(2);
      assertThat(events.rejections).hasSize(2);
    }

    /**
     * {@link AuthorityRefresher#rejectionCount} documents "distinct documents rejected for a reason": a single
     * document with two problems of the same kind is one document rejected for that reason.
     */
    @Test
    void aDocumentWithTwoProblemsOfTheSameKindCountsOnceForThatKind() {
      AuthorityRefresher r = refresher();
      source.serve(with(doc(12), "colour", "blue", "flavour", "mint"));

      assertThat(r.refresh()).isFalse();
      assertThat(kinds(r.lastRejection())).containsExactly(Kind.UNKNOWN_KEY, Kind.UNKNOWN_KEY);

      assertThat(r.rejectionCount(Kind.UNKNOWN_KEY))
          .as("distinct documents rejected for UNKNOWN_KEY (one document, two unknown keys)")
          .isEqualTo(1);
    }

    @Test
    void aRejectionIsClearedByTheNextAcceptedDocument() {
      AuthorityRefresher r = refresher();
      source.serve(with(doc(12), "rule.orders.state", "BOGUS"));
      r.refresh();
      assertThat(r.lastRejection()).isNotNull();

      source.serve(doc(12));
      assertThat(r.refresh()).isTrue();

      assertThat(r.lastRejection()).isNull();
      assertThat(r.map().epoch()).isEqualTo(12);
      assertThat(events.installs).singleElement().satisfies(i -> assertThat(i.previous()).isNull());
    }

    /**
     * A document the parser cannot even process (here: a null key from a custom source makes the parser
     * throw a NullPointerException instead of an InvalidAuthorityDocumentException) must never be taken for the
     * document in force: reading it again must not count as a successful refresh, or staleness is reset while
     * the old map stays in force and routing never fails closed.
     */
    @Test
    void aDocumentThatBreaksTheParserNeverCountsAsASuccessfulRefresh() {
      Map<String, String> broken = new HashMap<>(doc(13));
      broken.put(null, "x"); // HashMap allows a null key; AuthorityDocumentParser calls k.trim() on it
      AtomicInteger calls = new AtomicInteger();
      AuthorityRefresher r = refresher(new AuthoritySource() {
        @Override
        public Map<String, String> read() {
          return calls.getAndIncrement() == 0 ? doc(12) : new HashMap<>(broken);
        }

        @Override
        public String description() {
          return "valid, then unparseable";
        }
      }, REFRESH_MS, MAX_STALENESS_MS);
      assertThat(r.refresh()).isTrue();
      long success = clock.now();
      clock.advanceMillis(MAX_STALENESS_MS / 2);

      boolean first = refreshIgnoringExceptions(r);
      boolean second = refreshIgnoringExceptions(r);

      assertThat(first).as("first read of the unparseable document").isFalse();
      assertThat(second).as("second read of the same unparseable document").isFalse();
      assertThat(r.refreshCount()).isEqualTo(1);
      assertThat(r.lastSuccessNanos()).as("staleness must not be reset").isEqualTo(success);
      assertThat(r.map().epoch()).isEqualTo(12);
    }

    private boolean refreshIgnoringExceptions(AuthorityRefresher r) {
      try {
        return r.refresh();
      } catch (RuntimeException e) {
        return false; // the scheduled path (refreshQuietly) swallows this too
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Read failures

  @Nested
  class ReadFailures {

    @Test
    void anUnreadableSourceIsAFailedRefresh() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      AuthorityMap inForce = r.map();
      IOException failure = new IOException("disk on fire");
      source.fail(failure);

      assertThat(r.refresh()).isFalse();

      assertThat(r.readFailureCount()).isEqualTo(1);
      assertThat(events.readFailures).containsExactly(failure);
      assertThat(r.map()).isSameAs(inForce);
      assertThat(r.refreshCount()).isEqualTo(1);
      assertThat(events.rejections).isEmpty();
    }

    @Test
    void everyFailedReadIsCountedAndReported() {
      AuthorityRefresher r = refresher();
      source.fail(new IOException("nope"));

      r.refresh();
      r.refresh();
      source.fail(new IllegalStateException("other"));
      r.refresh();

      assertThat(r.readFailureCount()).isEqualTo(3);
      assertThat(events.readFailures).hasSize(3);
      assertThat(r.map()).isNull();
      assertThat(r.refreshCount()).isZero();
    }

    @Test
    void aNullOrEmptyDocumentIsAReadFailureNotAnEmptyMap() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      AuthorityMap inForce = r.map();

      source.serve(null);
      assertThat(r.refresh()).isFalse();
      source.serve(Map.of());
      assertThat(r.refresh()).isFalse();

      assertThat(r.readFailureCount()).isEqualTo(2);
      assertThat(events.readFailures).hasSize(2);
      assertThat(r.map()).isSameAs(inForce);
      assertThat(r.rejectionCount(Kind.MISSING_VALUE)).isZero();
    }

    @Test
    void recoversWhenTheSourceBecomesReadableAgain() {
      AuthorityRefresher r = refresher();
      source.fail(new IOException("not yet"));
      assertThat(r.refresh()).isFalse();

      source.serve(doc(12));
      assertThat(r.refresh()).isTrue();

      assertThat(r.map().epoch()).isEqualTo(12);
      assertThat(r.readFailureCount()).isEqualTo(1);
      assertThat(r.refreshCount()).isEqualTo(1);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Staleness (fake clock)

  @Nested
  class Staleness {

    @Test
    void isStaleBeforeAnySuccessAndAgeIsMinusOne() {
      AuthorityRefresher r = refresher();
      assertThat(r.isStale(clock.now())).isTrue();
      assertThat(r.ageMillis()).isEqualTo(-1);

      source.fail(new IOException("nope"));
      r.refresh();
      source.serve(with(doc(12), "rule.orders.state", "BOGUS"));
      r.refresh();

      assertThat(r.isStale(clock.now())).isTrue();
      assertThat(r.ageMillis()).isEqualTo(-1);
    }

    @Test
    void turnsStaleOnlyAfterMaxStalenessWithoutASuccess() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      long success = clock.now();

      assertThat(r.lastSuccessNanos()).isEqualTo(success);
      assertThat(r.isStale(success)).isFalse();
      assertThat(r.isStale(success + MAX_STALENESS_NANOS - 1)).isFalse();
      assertThat(r.isStale(success + MAX_STALENESS_NANOS)).isFalse();
      assertThat(r.isStale(success + MAX_STALENESS_NANOS + 1)).isTrue();
      assertThat(r.maxStalenessMillis()).isEqualTo(MAX_STALENESS_MS);
    }

    @Test
    void aRejectedDocumentDoesNotResetStaleness() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      r.refresh(); // confirmed, so that a changed epoch-12 document is a conflict
      long success = clock.now();

      clock.advanceMillis(MAX_STALENESS_MS - 1_000);
      source.serve(with(doc(13), "rule.orders.state", "BOGUS"));
      assertThat(r.refresh()).isFalse();
      source.serve(doc(11));
      assertThat(r.refresh()).isFalse();
      source.serve(with(doc(12), "rule.orders.state", "DUAL_READ"));
      assertThat(r.refresh()).isFalse();

      assertThat(r.lastSuccessNanos()).isEqualTo(success);
      clock.advanceMillis(2_000);
      assertThat(r.isStale(clock.now())).isTrue();
      assertThat(r.ageMillis()).isEqualTo(MAX_STALENESS_MS + 1_000);
    }

    @Test
    void aFailedReadDoesNotResetStaleness() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      long success = clock.now();

      clock.advanceMillis(MAX_STALENESS_MS - 1);
      source.fail(new IOException("gone"));
      assertThat(r.refresh()).isFalse();
      clock.advanceMillis(2);
      assertThat(r.refresh()).isFalse();

      assertThat(r.lastSuccessNanos()).isEqualTo(success);
      assertThat(r.isStale(clock.now())).isTrue();
      assertThat(r.map()).as("the map stays in force; staleness is what fails routing closed").isNotNull();
    }

    @Test
    void aSuccessfulReadOfTheSameDocumentResetsStaleness() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();

      clock.advanceMillis(MAX_STALENESS_MS + 5_000);
      assertThat(r.isStale(clock.now())).isTrue();

      assertThat(r.refresh()).isTrue();
      long second = clock.now();

      assertThat(r.lastSuccessNanos()).isEqualTo(second);
      assertThat(r.isStale(clock.now())).isFalse();
      assertThat(r.isStale(second + MAX_STALENESS_NANOS)).isFalse();
      assertThat(r.isStale(second + MAX_STALENESS_NANOS + 1)).isTrue();
      assertThat(r.ageMillis()).isZero();
    }

    @Test
    void recoveringFromAFailureResetsStaleness() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      clock.advanceMillis(MAX_STALENESS_MS * 2);
      source.fail(new IOException("gone"));
      r.refresh();
      assertThat(r.isStale(clock.now())).isTrue();

      source.serve(doc(13));
      assertThat(r.refresh()).isTrue();

      assertThat(r.isStale(clock.now())).isFalse();
      assertThat(r.map().epoch()).isEqualTo(13);
    }

    @Test
    void ageMillisCountsFromTheLastSuccess() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      assertThat(r.ageMillis()).isZero();

      clock.advanceMillis(1_500);
      assertThat(r.ageMillis()).isEqualTo(1_500);

      source.fail(new IOException("gone"));
      r.refresh();
      clock.advanceMillis(250);
      assertThat(r.ageMillis()).isEqualTo(1_750);
    }

    @Test
    void stalenessSurvivesNanoTimeWrapAround() {
      FakeClock wrapping = new FakeClock(Long.MAX_VALUE - TimeUnit.MILLISECONDS.toNanos(1));
      AuthorityRefresher r = new AuthorityRefresher(source, CLUSTERS, REFRESH_MS, MAX_STALENESS_MS, "wrap", wrapping);
      toClose.add(r);
      source.serve(doc(12));
      r.refresh();
      long success = wrapping.now();

      wrapping.advanceMillis(5); // overflows to a negative nanoTime
      assertThat(wrapping.now()).isNegative();
      assertThat(r.isStale(wrapping.now())).isFalse();
      assertThat(r.ageMillis()).isEqualTo(5);
      assertThat(r.isStale(success + MAX_STALENESS_NANOS + 1)).isTrue();
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Torn reads and the same-epoch rule

  /** Epoch 13 with two rules, and the torn read of it a writer rewriting it in place leaves: the first rule. */
  static Map<String, String> twoRules(long epoch) {
    return with(doc(epoch), "rule.audit.topics", "audit", "rule.audit.state", "MIRROR");
  }

  static String fileText(long epoch, String state) {
    return "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\nrule.orders.state="
        + state + "\n";
  }

  @Nested
  class TornReads {

    @TempDir
    Path dir;

    @Test
    void aTruncatedDocumentWithKeyCountIsIncompleteAndNeverInstalled() {
      AuthorityRefresher r = refresher();
      Map<String, String> complete = with(twoRules(13), "key-count", "8");
      Map<String, String> torn = with(complete, "rule.audit.state", null, "rule.audit.topics", null);
      source.serve(torn);

      assertThat(r.refresh()).isFalse();

      assertThat(r.map()).as("an incomplete document is never installed").isNull();
      assertThat(r.rejectionCount(Kind.INCOMPLETE)).isEqualTo(1);
      assertThat(r.lastRejectionProblems()).extracting(DocumentProblem::kind).containsExactly(Kind.INCOMPLETE);
      assertThat(r.diagnosis()).contains("INCOMPLETE: 'key-count' is 8 but the document read has 6 key(s)");
      source.serve(complete);
      assertThat(r.refresh()).isTrue();
      assertThat(r.map().epoch()).isEqualTo(13);
      assertThat(r.map().ruleFor("audit")).isNotNull();
    }

    @Test
    void aTornReadInstalledOnceIsReplacedByTheCompleteDocumentOfTheSameEpoch() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      r.refresh();
      source.serve(doc(13)); // a valid prefix of twoRules(13)
      assertThat(r.refresh()).isTrue();
      AuthorityMap torn = r.map();

      source.serve(twoRules(13));
      assertThat(r.refresh()).as("not wedged as EPOCH_CONFLICT").isTrue();

      assertThat(r.map().epoch()).isEqualTo(13);
      assertThat(r.map().ruleFor("audit")).isNotNull();
      assertThat(r.rejectionCount(Kind.EPOCH_CONFLICT)).isZero();
      assertThat(events.installs).extracting(Install::previous).last().isSameAs(torn);
      // Once confirmed (read again unchanged), a different document of epoch 13 is a conflict again.
      assertThat(r.refresh()).isTrue();
      source.serve(doc(13));
      assertThat(r.refresh()).isFalse();
      assertThat(r.rejectionCount(Kind.EPOCH_CONFLICT)).isEqualTo(1);
      assertThat(r.map().ruleFor("audit")).isNotNull();
    }

    @Test
    void aRealFileRewrittenInPlaceIsNotWedgedByItsTornRead() throws IOException {
      Path file = dir.resolve("authority.properties");
      Files.writeString(file, fileText(12, "MIRROR"));
      AuthorityRefresher r = refresher(new FileAuthoritySource(file), 3_600_000, 7_200_000);
      r.refresh();
      r.refresh();
      String complete = fileText(13, "MIRROR") + "rule.audit.topics=audit\nrule.audit.state=MIRROR\n";

      // The writer truncated the file and stalled after the first rule.
      Files.writeString(file, fileText(13, "MIRROR"));
      r.refresh();
      assertThat(r.map().epoch()).isEqualTo(13);
      Files.writeString(file, complete);
      assertThat(r.refresh()).isTrue();

      assertThat(r.map().ruleFor("audit")).isNotNull();
      assertThat(r.rejectionCount(Kind.EPOCH_CONFLICT)).isZero();
    }

    @Test
    void aRealFileRewrittenInPlaceWithKeyCountIsInstalledOnlyComplete() throws IOException {
      Path file = dir.resolve("authority.properties");
      Files.writeString(file, fileText(12, "MIRROR"));
      AuthorityRefresher r = refresher(new FileAuthoritySource(file), 3_600_000, 7_200_000);
      r.refresh();
      String complete = "key-count=8\n" + fileText(13, "MIRROR") + "rule.audit.topics=audit\nrule.audit.state=MIRROR\n";

      Files.writeString(file, complete.substring(0, complete.indexOf("rule.audit")));
      assertThat(r.refresh()).isFalse();
      assertThat(r.map().epoch()).as("the torn epoch 13 is not installed").isEqualTo(12);
      assertThat(r.rejectionCount(Kind.INCOMPLETE)).isEqualTo(1);
      Files.writeString(file, complete);
      assertThat(r.refresh()).isTrue();

      assertThat(r.map().epoch()).isEqualTo(13);
      assertThat(r.map().ruleFor("audit")).isNotNull();
      assertThat(events.installs).extracting(i -> i.current().epoch()).containsExactly(12L, 13L);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Surviving errors, reporting staleness, and reasons

  @Nested
  class Survival {

    @Test
    void anErrorThrownByTheSourceDoesNotStopRefreshing() {
      AuthorityRefresher r = refresher(source, 20, 5_000);
      source.serve(doc(12));
      r.start();
      try (LogCapture logs = new LogCapture()) {
        source.errorOnce = new NoClassDefFoundError("com/example/Missing");
        await().atMost(Duration.ofSeconds(5)).until(() -> source.errorOnce == null);
        source.serve(doc(13));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(r.map().epoch()).isEqualTo(13));
        assertThat(r.readFailureCount()).isEqualTo(1);
        assertThat(logs.lines("ERROR", "The authority source fake source threw NoClassDefFoundError: "
            + "com/example/Missing")).hasSize(1);
      }
    }

    @Test
    void anErrorThrownByAListenerDoesNotStopRefreshing() {
      AuthorityRefresher r = refresher(source, 20, 5_000);
      source.serve(doc(12));
      r.start();
      AtomicInteger thrown = new AtomicInteger();
      r.addListener(new AuthorityListener() {
        @Override
        public void onInstalled(AuthorityMap previous, AuthorityMap current) {
          if (current.epoch() == 13 && thrown.getAndIncrement() == 0) {
            throw new AssertionError("listener bug");
          }
        }
      });
      try (LogCapture logs = new LogCapture()) {
        source.serve(doc(13));
        await().atMost(Duration.ofSeconds(5)).until(() -> thrown.get() == 1);
        source.serve(doc(14));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(r.map().epoch()).isEqualTo(14));
        assertThat(logs.lines("ERROR", "Unexpected error refreshing the authority map from fake source: "
            + "java.lang.AssertionError: listener bug. Refreshing goes on every 20 ms")).hasSize(1);
      }
    }

    @Test
    void isStaleIsOneDecisionForEveryCaller() {
      AuthorityRefresher r = refresher();
      assertThat(r.isStale()).as("no map yet").isTrue();
      source.serve(doc(12));
      r.refresh();
      assertThat(r.isStale()).isFalse();

      clock.advanceMillis(MAX_STALENESS_MS);
      assertThat(r.isStale()).isFalse();
      clock.advanceNanos(1);
      assertThat(r.isStale()).isTrue();
      assertThat(r.isStale(clock.now())).isTrue();
      r.refresh();
      assertThat(r.isStale()).isFalse();
    }

    @Test
    void staleIsReportedOnceFromTheCallersWhenNoRefreshRuns() {
      AuthorityRefresher r = refresher();
      source.serve(doc(12));
      r.refresh();
      try (LogCapture logs = new LogCapture()) {
        assertThat(r.reportStale()).as("fresh: nothing to report").isFalse();
        clock.advanceMillis(MAX_STALENESS_MS + 1);

        assertThat(r.reportStale()).isTrue();
        assertThat(r.reportStale()).isFalse();

        assertThat(logs.lines("ERROR", "No authority refresh from fake source has succeeded for more than 10000 ms"))
            .singleElement().asString().contains("The last refresh started 10001 ms ago although one is due every "
                + "1000 ms: reading the source hangs or refreshing has stopped");
        r.refresh();
        clock.advanceMillis(MAX_STALENESS_MS + 1);
        assertThat(r.reportStale()).as("a new stale spell").isTrue();
      }
    }

    @Test
    void theDiagnosisCarriesTheReadErrorTheProblemsAndTheLoweredEpoch() {
      AuthorityRefresher r = refresher();
      source.fail(new java.nio.file.NoSuchFileException("/etc/turnout/authority.properties"));
      r.refresh();
      assertThat(r.lastReadError()).isEqualTo("NoSuchFileException: /etc/turnout/authority.properties");
      assertThat(r.diagnosis()).isEqualTo(
          "The last read of fake source failed: NoSuchFileException: /etc/turnout/authority.properties.");

      source.serve(with(doc(12), "rule.orders.state", "BOGUS", "colour", "blue"));
      r.refresh();
      assertThat(r.lastReadError()).isNull();
      assertThat(r.lastRejectionProblems()).extracting(DocumentProblem::kind)
          .containsExactlyInAnyOrder(Kind.UNKNOWN_STATE, Kind.UNKNOWN_KEY);
      assertThat(r.diagnosis()).startsWith("The last document read from fake source was rejected (2 problems): ")
          .contains("UNKNOWN_KEY: unknown key 'colour'").contains("UNKNOWN_STATE: 'rule.orders.state' is 'BOGUS'");

      source.serve(doc(12));
      r.refresh();
      source.serve(doc(11));
      r.refresh();
      assertThat(r.lastLoweredEpoch()).isEqualTo(11);
      assertThat(r.diagnosis()).contains("EPOCH_REGRESSION: epoch 11 is lower than epoch 12 in force");

      source.serve(doc(12));
      r.refresh();
      assertThat(r.diagnosis()).isEmpty();
      assertThat(r.lastRejectionProblems()).isEmpty();
      assertThat(r.lastLoweredEpoch()).isEqualTo(-1);
    }

    @Test
    void withoutAMapTheLogSaysEveryDecisionIsRefusedNotThatAMapStaysInForce() {
      AuthorityRefresher r = refresher();
      source.fail(new IOException("not there"));
      try (LogCapture logs = new LogCapture()) {
        r.refresh();
        source.serve(with(doc(12), "rule.orders.state", "BOGUS"));
        r.refresh();

        assertThat(logs.lines("WARN", "")).hasSize(2).allSatisfy(line -> assertThat(line)
            .contains("No authority map is in force: every routing decision is refused (NO_AUTHORITY_MAP) until a "
                + "valid document is read; the source is re-read every 1000 ms.")
            .doesNotContain("stays in force").doesNotContain("ms stale"));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Lifecycle

  @Nested
  class Lifecycle {

    @TempDir
    Path dir;

    private void writeAtomically(Path file, String text) throws IOException {
      Path tmp = Files.createTempFile(dir, "authority", ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private String text(long epoch, String state) {
      return "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\nrule.orders.state="
          + state + "\n";
    }

    @Test
    void startRefreshesSynchronouslyBeforeReturning() {
      AuthorityRefresher r = refresher(source, 3_600_000, 7_200_000);
      source.serve(doc(12));

      r.start();

      assertThat(r.map()).isNotNull();
      assertThat(r.map().epoch()).isEqualTo(12);
      assertThat(r.refreshCount()).isEqualTo(1);
      assertThat(events.installs).hasSize(1);
    }

    @Test
    void aChangeSignalledByTheSourceIsReadAtOnceWithoutWaitingForTheRefreshInterval() {
      AuthorityRefresher r = refresher(source, 3_600_000, 7_200_000);
      source.serve(doc(12));
      r.start();
      assertThat(source.changed).as("start() registers the change callback").isNotNull();

      source.serve(doc(13));
      source.changed.run();

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(r.map().epoch()).isEqualTo(13));
      assertThat(events.installs).hasSize(2);
    }

    @Test
    void changeSignalsAfterCloseAreIgnored() {
      AuthorityRefresher r = refresher(source, 3_600_000, 7_200_000);
      source.serve(doc(12));
      r.start();
      r.close();
      int readsBefore = source.reads.get();

      source.serve(doc(13));
      source.changed.run();

      assertThat(r.refresh()).as("a closed refresher reads nothing").isFalse();
      assertThat(source.reads).hasValue(readsBefore);
      assertThat(r.map().epoch()).isEqualTo(12);
    }

    @Test
    void startIsIdempotent() {
      AuthorityRefresher r = refresher(source, 3_600_000, 7_200_000);
      source.serve(doc(12));

      r.start();
      r.start();

      assertThat(source.reads).hasValue(1);
      assertThat(r.refreshCount()).isEqualTo(1);
    }

    @Test
    void startWithAnUnreadableSourceStillSchedulesRefreshes() {
      AuthorityRefresher r = refresher(source, 50, 5_000);
      source.fail(new IOException("not there yet"));

      r.start();
      assertThat(r.map()).isNull();
      // At least the read made by start(); on a busy machine a scheduled read (every 50 ms) may follow at once.
      assertThat(r.readFailureCount()).isGreaterThanOrEqualTo(1);

      source.serve(doc(12));
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(r.map()).isNotNull());
      assertThat(r.map().epoch()).isEqualTo(12);
    }

    @Test
    void picksUpAFileChangePeriodically() throws IOException {
      Path file = dir.resolve("authority.properties");
      writeAtomically(file, text(12, "MIRROR"));
      FileAuthoritySource fileSource = new FileAuthoritySource(file);
      AuthorityRefresher r = new AuthorityRefresher(fileSource, CLUSTERS, 50, 5_000, "periodic");
      toClose.add(r);
      r.addListener(events);

      r.start();
      assertThat(r.map().epoch()).isEqualTo(12);
      AuthorityMap first = r.map();

      writeAtomically(file, text(13, "DUAL_READ"));

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(r.map().epoch()).isEqualTo(13));
      assertThat(events.installs).hasSize(2);
      assertThat(events.installs.get(1).previous()).isSameAs(first);
      assertThat(events.installs.get(1).current()).isSameAs(r.map());
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(r.refreshCount()).isGreaterThan(2));
      assertThat(r.isStale(System.nanoTime())).isFalse();
    }

    @Test
    void periodicRefreshKeepsTheMapWhenTheFileIsReplacedByABadOne() throws IOException {
      Path file = dir.resolve("authority.properties");
      writeAtomically(file, text(12, "MIRROR"));
      AuthorityRefresher r = new AuthorityRefresher(new FileAuthoritySource(file), CLUSTERS, 50, 5_000, "bad");
      toClose.add(r);
      r.addListener(events);
      r.start();

      writeAtomically(file, text(13, "SIDEWAYS"));

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events.rejections).hasSize(1));
      assertThat(r.map().epoch()).isEqualTo(12);
      assertThat(r.rejectionCount(Kind.UNKNOWN_STATE)).isEqualTo(1);
    }

    @Test
    void closeStopsRefreshingAndClosesTheSource() {
      AuthorityRefresher r = new AuthorityRefresher(source, CLUSTERS, 20, 5_000, "close-test", clock);
      toClose.add(r);
      source.serve(doc(12));
      r.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> source.reads.get() >= 3);

      r.close();
      int readsAtClose = source.reads.get();
      long refreshesAtClose = r.refreshCount();

      assertThat(source.closes).hasValue(1);
      // Once the refresh thread has ended, nothing reads the source any more.
      await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.getName().equals("turnout-authority-refresh-close-test")));
      int settled = source.reads.get();
      assertThat(settled).isLessThanOrEqualTo(readsAtClose + 1); // at most one in flight
      assertThat(r.refresh()).as("refresh after close").isFalse();
      assertThat(source.reads).hasValue(settled);
      assertThat(r.refreshCount()).isLessThanOrEqualTo(refreshesAtClose + 1);
      assertThat(r.map()).as("the last map stays readable").isNotNull();
    }

    @Test
    void closeDoesNotWaitForAReadThatHangs() throws Exception {
      java.util.concurrent.CountDownLatch hanging = new java.util.concurrent.CountDownLatch(1);
      AtomicInteger interrupted = new AtomicInteger();
      AuthoritySource hangs = new AuthoritySource() {
        private final AtomicInteger reads = new AtomicInteger();

        @Override
        public Map<String, String> read() throws Exception {
          if (reads.getAndIncrement() > 0) {
            hanging.countDown();
            try {
              new java.util.concurrent.CountDownLatch(1).await();
            } catch (InterruptedException e) {
              interrupted.incrementAndGet();
              throw e;
            }
          }
          return doc(12);
        }

        @Override
        public String description() {
          return "hanging source";
        }
      };
      AuthorityRefresher r = refresher(hangs, 20, 5_000);
      r.start();
      assertThat(hanging.await(5, TimeUnit.SECONDS)).isTrue();

      java.util.concurrent.CompletableFuture.runAsync(r::close).get(5, TimeUnit.SECONDS);

      await().atMost(Duration.ofSeconds(5)).until(() -> interrupted.get() == 1);
      assertThat(r.map().epoch()).isEqualTo(12);
    }

    @Test
    void closeIsIdempotentAndStartAfterCloseDoesNothing() {
      AuthorityRefresher r = refresher(source, 20, 5_000);
      source.serve(doc(12));

      r.close();
      r.close();
      r.start();

      assertThat(source.closes).hasValue(1);
      assertThat(source.reads).hasValue(0);
      assertThat(r.map()).isNull();
    }

    @Test
    void closeSwallowsASourceCloseFailure() {
      AuthoritySource failingClose = new AuthoritySource() {
        @Override
        public Map<String, String> read() {
          return doc(12);
        }

        @Override
        public String description() {
          return "failing close";
        }

        @Override
        public void close() {
          throw new IllegalStateException("cannot close");
        }
      };
      AuthorityRefresher r = refresher(failingClose, 1_000, 5_000);
      r.start();

      r.close();

      assertThat(r.refresh()).isFalse();
      assertThat(r.source()).isSameAs(failingClose);
    }

    @Test
    void everyListenerReceivesEvents() {
      AuthorityRefresher r = refresher();
      RecordingListener second = new RecordingListener();
      r.addListener(second);
      source.serve(doc(12));
      r.refresh();
      source.serve(doc(13));
      r.refresh();

      assertThat(second.installs).hasSize(2);
      assertThat(second.installs).containsExactlyElementsOf(events.installs);
      assertThat(second.installs.get(0).previous()).isNull();
      assertThat(second.installs.get(1).previous().epoch()).isEqualTo(12);
      assertThat(second.installs.get(1).current().epoch()).isEqualTo(13);
    }
  }
}
