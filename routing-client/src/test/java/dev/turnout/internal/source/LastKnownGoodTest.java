package dev.turnout.internal.source;

import static dev.turnout.internal.source.AuthorityRefresherTest.doc;
import static dev.turnout.internal.source.AuthorityRefresherTest.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.LogCapture;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.DocumentProblem.Kind;
import dev.turnout.internal.source.AuthorityRefresherTest.FakeClock;
import dev.turnout.internal.source.AuthorityRefresherTest.FakeSource;
import dev.turnout.internal.source.AuthorityRefresherTest.RecordingListener;
import dev.turnout.source.AuthoritySource;
import dev.turnout.source.FileAuthoritySource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The last-known-good cache: written on every install, used at a start without a usable source, bounded by staleness. */
class LastKnownGoodTest {

  private static final List<String> CLUSTERS = List.of("onprem", "cloud");
  private static final long REFRESH_MS = 1_000;
  private static final long MAX_STALENESS_MS = 10_000;
  /** Wall-clock time of the first write in these tests. */
  private static final long T0 = 1_780_000_000_000L;

  @TempDir
  Path dir;

  private final AtomicLong wall = new AtomicLong(T0);
  private final FakeClock clock = new FakeClock(5_000_000_000L);
  private final RecordingListener events = new RecordingListener();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private Path cacheFile() {
    return dir.resolve("authority.cache");
  }

  private LastKnownGood cache(Path file) {
    return new LastKnownGood(file, "test-client", wall::get);
  }

  private AuthorityRefresher refresher(AuthoritySource source, Path cacheFile) {
    AuthorityRefresher r = new AuthorityRefresher(source, CLUSTERS, REFRESH_MS, MAX_STALENESS_MS, "test-client", clock);
    r.addListener(events);
    r.useCache(cache(cacheFile));
    toClose.add(r);
    return r;
  }

  /** A running client that installed {@code document} at wall time {@link #wall}: the cache holds it. */
  private void installed(Map<String, String> document) {
    FakeSource healthy = new FakeSource();
    healthy.serve(document);
    try (AuthorityRefresher first = new AuthorityRefresher(healthy, CLUSTERS, REFRESH_MS, MAX_STALENESS_MS,
        "earlier-client", clock)) {
      first.useCache(cache(cacheFile()));
      assertThat(first.refresh()).isTrue();
    }
  }

  private static FakeSource failing() {
    FakeSource source = new FakeSource();
    source.fail(new IOException("control cluster unreachable"));
    return source;
  }

  @Nested
  class Writing {

    @Test
    void everyInstalledDocumentIsWrittenWithItsWriteTimeAndClient() throws Exception {
      FakeSource source = new FakeSource();
      source.serve(doc(3));
      AuthorityRefresher r = refresher(source, cacheFile());
      r.refresh();

      LastKnownGood.Cached cached = cache(cacheFile()).read();
      assertThat(cached.document()).isEqualTo(doc(3));
      assertThat(cached.writtenAtMillis()).isEqualTo(T0);
      assertThat(cached.writer()).isEqualTo("test-client");
      String text = Files.readString(cacheFile(), StandardCharsets.UTF_8);
      assertThat(text).startsWith("# Turnout last-known-good authority document")
          .contains("# written-at-ms=" + T0 + "\n", "# client-id=test-client\n", "# epoch=3\n", "\nepoch=3\n");

      wall.addAndGet(50);
      source.serve(doc(4));
      r.refresh();
      assertThat(cache(cacheFile()).read().document()).isEqualTo(doc(4));
      assertThat(cache(cacheFile()).read().writtenAtMillis()).isEqualTo(T0 + 50);
    }

    @Test
    void valuesRoundTripExactly() throws Exception {
      Map<String, String> odd = with(doc(1), "rule.orders.topics", "orders,über=1:#x\\y", "rule.orders.state",
          "MIRROR");
      cache(cacheFile()).store(odd, 1, 0);
      assertThat(cache(cacheFile()).read().document()).isEqualTo(odd);
    }

    @Test
    void replacesTheFileAtomicallyAndLeavesNoTemporaryFile() throws Exception {
      LastKnownGood writer = cache(cacheFile());
      writer.store(doc(1), 1, 0);
      AtomicReference<Throwable> readerFailure = new AtomicReference<>();
      AtomicLong reads = new AtomicLong();
      Thread reader = new Thread(() -> {
        LastKnownGood readBack = cache(cacheFile());
        while (!Thread.currentThread().isInterrupted() && readerFailure.get() == null) {
          try {
            long epoch = Long.parseLong(readBack.read().document().get("epoch"));
            assertThat(epoch).isPositive();
            reads.incrementAndGet();
          } catch (Throwable e) {
            readerFailure.set(e);
          }
        }
      });
      reader.start();
      try {
        for (int epoch = 2; epoch <= 300 || reads.get() < 100; epoch++) {
          assertThat(writer.store(with(doc(epoch), "rule.orders.topics", "orders," + "x".repeat(epoch % 500)),
              epoch, 0)).isTrue();
        }
      } finally {
        reader.interrupt();
        reader.join(10_000);
      }
      // Every read while the file was being replaced hundreds of times saw a complete file whose digest matched.
      assertThat(readerFailure.get()).isNull();
      assertThat(reads.get()).isGreaterThanOrEqualTo(100);
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files).containsExactly(cacheFile());
      }
    }

    @Test
    void aConfirmedDocumentIsWrittenAgainOnlyAfterTheRewriteInterval() throws Exception {
      FakeSource source = new FakeSource();
      source.serve(doc(1));
      AuthorityRefresher r = refresher(source, cacheFile());
      r.refresh();
      // The rewrite interval is max(refresh interval, max staleness / 10) = 1000 ms.
      wall.addAndGet(999);
      r.refresh();
      assertThat(cache(cacheFile()).read().writtenAtMillis()).isEqualTo(T0);
      wall.addAndGet(1);
      r.refresh();
      assertThat(cache(cacheFile()).read().writtenAtMillis()).isEqualTo(T0 + 1_000);
    }

    @Test
    void aWriteFailureIsLoggedOnceAndRoutingIsUnaffected() {
      Path nowhere = dir.resolve("missing-dir").resolve("authority.cache");
      FakeSource source = new FakeSource();
      source.serve(doc(1));
      AuthorityRefresher r = refresher(source, nowhere);
      try (LogCapture logs = new LogCapture()) {
        assertThat(r.refresh()).isTrue();
        source.serve(doc(2));
        assertThat(r.refresh()).isTrue();
        assertThat(r.map().epoch()).isEqualTo(2);
        assertThat(r.isStale()).isFalse();
        assertThat(r.diagnosis()).isEmpty();
        List<String> warnings = logs.lines("WARN", "Cannot write the last-known-good cache " + nowhere);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("Routing is not affected",
            "directory " + nowhere.getParent() + " exists", "turnout.authority.cache.file");
      }
      assertThat(nowhere.getParent()).doesNotExist();
    }
  }

  @Nested
  class AtStart {

    @Test
    void aFailingSourceRoutesByTheCacheUntilMaxStalenessAfterItWasWritten() {
      installed(doc(5));
      wall.addAndGet(4_000);
      AuthorityRefresher r = refresher(failing(), cacheFile());
      try (LogCapture logs = new LogCapture()) {
        r.start();
        assertThat(logs.lines("WARN", "Routing by the last-known-good cache " + cacheFile())).singleElement()
            .asString().contains("epoch 5", "4000 ms ago", "IOException: control cluster unreachable");
      }
      assertThat(r.map().epoch()).isEqualTo(5);
      assertThat(events.installs).singleElement().satisfies(i -> {
        assertThat(i.previous()).isNull();
        assertThat(i.current().epoch()).isEqualTo(5);
      });
      assertThat(r.isStale()).isFalse();
      assertThat(r.isStale(clock.now())).isFalse();
      assertThat(r.ageMillis()).isEqualTo(4_000);
      assertThat(r.refreshCount()).isZero();
      assertThat(r.cacheNote()).contains("comes from the last-known-good cache " + cacheFile(), "epoch 5");
      assertThat(r.diagnosis()).contains("IOException: control cluster unreachable",
          "comes from the last-known-good cache");

      // Written 4 s before the start with a 10 s maximum staleness: fresh for 6 more seconds, then stale.
      clock.advanceMillis(5_999);
      assertThat(r.isStale()).isFalse();
      clock.advanceMillis(2);
      assertThat(r.isStale()).isTrue();
      assertThat(r.isStale(clock.now())).isTrue();
      assertThat(r.diagnosis()).contains("comes from the last-known-good cache");
    }

    @Test
    void aMissingAuthorityFileFallsBackToTheCache() {
      installed(doc(2));
      Path missing = dir.resolve("authority.properties");
      AuthorityRefresher r = refresher(new FileAuthoritySource(missing), cacheFile());
      r.start();
      assertThat(r.map().epoch()).isEqualTo(2);
      assertThat(r.isStale()).isFalse();
      assertThat(r.diagnosis()).contains("NoSuchFileException", "last-known-good cache");
    }

    @Test
    void anUnreadableAuthorityFileFallsBackToTheCache() throws Exception {
      installed(doc(2));
      Path unreadable = Files.createDirectory(dir.resolve("authority.properties"));
      AuthorityRefresher r = refresher(new FileAuthoritySource(unreadable), cacheFile());
      r.start();
      assertThat(r.map().epoch()).isEqualTo(2);
      assertThat(r.diagnosis()).contains("The last read of file " + unreadable, "last-known-good cache");
    }

    @Test
    void anInvalidSourceDocumentFallsBackToTheCache() {
      installed(doc(2));
      FakeSource invalid = new FakeSource();
      invalid.serve(with(doc(3), "rule.orders.state", "PROMOTED"));
      AuthorityRefresher r = refresher(invalid, cacheFile());
      r.start();
      assertThat(r.map().epoch()).isEqualTo(2);
      assertThat(r.diagnosis()).contains("UNKNOWN_STATE", "last-known-good cache");
    }

    @Test
    void aCacheAsOldAsMaxStalenessIsNotUsed() {
      installed(doc(5));
      wall.addAndGet(MAX_STALENESS_MS);
      AuthorityRefresher r = refresher(failing(), cacheFile());
      try (LogCapture logs = new LogCapture()) {
        r.start();
        assertThat(logs.lines("WARN", "The last-known-good cache " + cacheFile() + " was not used")).hasSize(1);
      }
      assertThat(r.map()).isNull();
      assertThat(r.isStale()).isTrue();
      assertThat(events.installs).isEmpty();
      assertThat(r.diagnosis()).contains("IOException: control cluster unreachable",
          "was not used: it was written at", "10000 ms ago", "turnout.authority.max.staleness.ms (10000)");
    }

    @Test
    void aCacheWrittenInTheFutureIsNotUsed() {
      wall.addAndGet(60_000);
      installed(doc(5));
      wall.addAndGet(-60_000);
      AuthorityRefresher r = refresher(failing(), cacheFile());
      r.start();
      assertThat(r.map()).isNull();
      assertThat(r.diagnosis()).contains("was not used", "later than now");
    }

    @Test
    void aDamagedCacheIsIgnoredWithAWarning() throws Exception {
      installed(doc(5));
      String text = Files.readString(cacheFile(), StandardCharsets.UTF_8);
      Files.writeString(cacheFile(), text.replace("state=MIRROR", "state=TARGET_AUTHORITY"), StandardCharsets.UTF_8);
      AuthorityRefresher r = refresher(failing(), cacheFile());
      try (LogCapture logs = new LogCapture()) {
        r.start();
        assertThat(logs.lines("WARN", "was not used: it is unreadable or damaged (its document does not match the SHA-256"))
            .hasSize(1);
      }
      assertThat(r.map()).isNull();
      assertThat(events.installs).isEmpty();
    }

    @Test
    void aFileThatIsNotACacheIsIgnoredWithAWarning() throws Exception {
      Files.writeString(cacheFile(), "epoch=5\nsource=onprem\ntarget=cloud\n", StandardCharsets.UTF_8);
      AuthorityRefresher r = refresher(failing(), cacheFile());
      try (LogCapture logs = new LogCapture()) {
        r.start();
        assertThat(logs.lines("WARN", "was not used: it is unreadable or damaged (no written-at-ms= header line")).hasSize(1);
      }
      assertThat(r.map()).isNull();
    }

    @Test
    void aCachedDocumentIsValidatedLikeAnyOtherIncludingTheDeclaredAliases() {
      cache(cacheFile()).store(with(doc(5), "target", "dr"), 5, 0);
      AuthorityRefresher r = refresher(failing(), cacheFile());
      r.start();
      assertThat(r.map()).isNull();
      assertThat(r.diagnosis()).contains("was not used: its document", "is not valid for this client (UNKNOWN_CLUSTER", "'dr'");
    }

    @Test
    void withoutACacheFileTheDiagnosisSaysSo() {
      AuthorityRefresher r = refresher(failing(), cacheFile());
      r.start();
      assertThat(r.map()).isNull();
      assertThat(r.diagnosis()).contains("There is no last-known-good cache " + cacheFile());
      assertThatThrownBy(() -> cache(cacheFile()).read()).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aUsableSourceIsReadAndTheCacheIsNotConsulted() throws Exception {
      Files.writeString(cacheFile(), "garbage", StandardCharsets.UTF_8);
      FakeSource source = new FakeSource();
      source.serve(doc(1));
      AuthorityRefresher r = refresher(source, cacheFile());
      try (LogCapture logs = new LogCapture()) {
        r.start();
        assertThat(logs.lines("WARN", "last-known-good")).isEmpty();
      }
      assertThat(r.map().epoch()).isEqualTo(1);
      assertThat(r.cacheNote()).isNull();
      assertThat(cache(cacheFile()).read().document()).isEqualTo(doc(1));
    }
  }

  @Nested
  class AfterStartingFromTheCache {

    @Test
    void aSuccessfulRefreshReplacesTheCachedMapAndRewritesTheCache() throws Exception {
      installed(doc(5));
      wall.addAndGet(3_000);
      FakeSource source = failing();
      AuthorityRefresher r = refresher(source, cacheFile());
      r.start();
      source.serve(doc(6));
      assertThat(r.refresh()).isTrue();
      assertThat(r.map().epoch()).isEqualTo(6);
      assertThat(r.cacheNote()).isNull();
      assertThat(r.diagnosis()).isEmpty();
      assertThat(r.ageMillis()).isZero();
      assertThat(cache(cacheFile()).read().document()).isEqualTo(doc(6));
      assertThat(cache(cacheFile()).read().writtenAtMillis()).isEqualTo(T0 + 3_000);
    }

    @Test
    void theSameDocumentFromTheSourceConfirmsItAndRefreshesTheWriteTime() throws Exception {
      installed(doc(5));
      wall.addAndGet(3_000);
      FakeSource source = failing();
      AuthorityRefresher r = refresher(source, cacheFile());
      r.start();
      source.serve(doc(5));
      assertThat(r.refresh()).isTrue();
      assertThat(events.installs).hasSize(1);
      assertThat(r.cacheNote()).isNull();
      assertThat(r.ageMillis()).isZero();
      assertThat(cache(cacheFile()).read().writtenAtMillis()).isEqualTo(T0 + 3_000);
    }

    @Test
    void aDifferentDocumentOfTheSameEpochFromTheSourceReplacesTheCachedOne() {
      installed(doc(5));
      FakeSource source = failing();
      AuthorityRefresher r = refresher(source, cacheFile());
      r.start();
      source.serve(with(doc(5), "rule.orders.state", "DUAL_READ"));
      try (LogCapture logs = new LogCapture()) {
        assertThat(r.refresh()).isTrue();
        assertThat(logs.lines("WARN", "differs from the cached one of the same epoch")).hasSize(1);
      }
      assertThat(r.map().document()).containsEntry("rule.orders.state", "DUAL_READ");
    }

    @Test
    void aLowerEpochFromTheSourceIsRejectedAsALoweredEpochThatNamesTheCache() throws Exception {
      installed(doc(5));
      FakeSource source = failing();
      AuthorityRefresher r = refresher(source, cacheFile());
      r.start();
      source.serve(doc(3));
      assertThat(r.refresh()).isFalse();
      assertThat(r.map().epoch()).isEqualTo(5);
      assertThat(r.lastLoweredEpoch()).isEqualTo(3);
      assertThat(r.lastRejectionProblems()).extracting(DocumentProblem::kind).containsExactly(Kind.EPOCH_REGRESSION);
      assertThat(r.diagnosis()).contains("EPOCH_REGRESSION", "epoch 3 is lower than epoch 5 in force (read at start "
          + "from the last-known-good cache " + cacheFile(), "remove that file and restart the client");
      // It stays a failed refresh: the cached map turns stale on the cache's schedule.
      clock.advanceMillis(MAX_STALENESS_MS + 1);
      assertThat(r.isStale()).isTrue();
      assertThat(r.diagnosis()).contains("EPOCH_REGRESSION");
      assertThat(cachedEpoch(cache(cacheFile()))).as("the rejected document is not cached").isEqualTo(5);
    }
  }

  /** Reads the cache's epoch, for assertions. */
  private static long cachedEpoch(LastKnownGood cache) throws IOException {
    return Long.parseLong(cache.read().document().get("epoch"));
  }
}
