package dev.turnout.benchmarks.e2e;

import dev.turnout.RoutingProducer;
import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.report.TargetCheck;
import dev.turnout.benchmarks.workload.Payloads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Flip propagation with the file source: the time from the atomic replacement of the authority file to the
 * first send routed by the new epoch (seen by {@link EpochProbe} in the routed record's {@code turnout.route}
 * header), while one application thread sends a record every millisecond. Each flip waits a random fraction
 * of the refresh interval first, so flips land at every phase of the refresh schedule.
 */
public final class FlipPropagation {

  /**
   * @param trialsByRefreshMillis flips to measure per {@code turnout.authority.refresh.ms} value
   * @param sendInterval pause between two sends of the application thread
   */
  public record Settings(Map<Long, Integer> trialsByRefreshMillis, Duration sendInterval) {}

  /** Propagation delays in nanoseconds, per refresh interval. */
  public record Results(Map<Long, Stats> byRefreshMillis) {}

  private static final long TARGET_SLACK_MILLIS = 50;

  private final BenchBroker broker;
  private final Settings settings;
  private final Path workDir;
  private final Consumer<String> progress;

  public FlipPropagation(BenchBroker broker, Settings settings, Path workDir, Consumer<String> progress) {
    this.broker = broker;
    this.settings = settings;
    this.workDir = workDir;
    this.progress = progress;
  }

  /** Measures every refresh interval in turn. */
  public Results run() {
    Map<Long, Stats> results = new LinkedHashMap<>();
    for (Map.Entry<Long, Integer> e : settings.trialsByRefreshMillis().entrySet()) {
      results.put(e.getKey(), measure(e.getKey(), e.getValue()));
    }
    return new Results(results);
  }

  private Stats measure(long refreshMillis, int trials) {
    String topic = broker.newTopic("flip", 1);
    Path file = workDir.resolve("flip-" + refreshMillis + ".properties");
    long epoch = 1;
    Variant.writeAtomically(file, Variant.routedDocument(epoch));
    EpochProbe.reset();
    Map<String, Object> config = Variant.routedConfig(broker.bootstrapServers(), file, "bench-flip-" + refreshMillis,
        "none", refreshMillis);
    config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, EpochProbe.class.getName());
    List<Double> delays = new ArrayList<>();
    Random random = new Random(refreshMillis);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (RoutingProducer<byte[], byte[]> producer = new RoutingProducer<>(config)) {
      Payloads payloads = new Payloads(100, 16, 3);
      Thread sender = new Thread(() -> {
        long i = 0;
        while (running.get()) {
          producer.send(new ProducerRecord<>(topic, payloads.key(i), payloads.value(i)), (m, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            }
          });
          i++;
          LockSupport.parkNanos(settings.sendInterval().toNanos());
        }
      }, "bench-flip-sender");
      sender.setUncaughtExceptionHandler((t, e) -> failure.set(e));
      sender.start();
      awaitEpoch(epoch, Duration.ofSeconds(10));
      for (int trial = 0; trial < trials; trial++) {
        BenchBroker.sleep(Duration.ofMillis(refreshMillis / 4 + random.nextInt((int) Math.max(1, refreshMillis))));
        epoch++;
        long replaced = System.nanoTime();
        Variant.writeAtomically(file, Variant.routedDocument(epoch));
        long seen = awaitEpoch(epoch, Duration.ofMillis(5 * refreshMillis + 5_000));
        delays.add((double) (seen - replaced));
        if (failure.get() != null) {
          throw new IllegalStateException("a send failed", failure.get());
        }
      }
      running.set(false);
      Measurements.join(sender);
    } finally {
      running.set(false);
      broker.deleteTopic(topic);
    }
    Stats stats = Stats.of(delays);
    progress.accept(String.format("flip propagation, refresh %d ms: p50 %.1f ms, p99 %.1f ms over %d flips",
        refreshMillis, stats.percentile(50) / 1e6, stats.percentile(99) / 1e6, stats.count()));
    return stats;
  }

  private static long awaitEpoch(long epoch, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Long seen = EpochProbe.firstSeen(epoch);
      if (seen != null) {
        return seen;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no send was routed by epoch " + epoch + " within " + timeout);
      }
      LockSupport.parkNanos(100_000);
    }
  }

  /** The Markdown section. */
  public static String render(Results results) {
    MarkdownTable table = new MarkdownTable("refresh.ms", "flips", "p50 ms", "p90 ms", "p99 ms", "max ms");
    results.byRefreshMillis().forEach((refresh, s) -> table.row(refresh, s.count(), Format.millis(s.percentile(50)),
        Format.millis(s.percentile(90)), Format.millis(s.percentile(99)), Format.millis(s.max())));
    return table.render();
  }

  /** Flip propagation p99 <= refresh interval + 50 ms. */
  public static List<TargetCheck> targets(Results results) {
    List<TargetCheck> checks = new ArrayList<>();
    results.byRefreshMillis().forEach((refresh, s) -> {
      double p99 = s.percentile(99) / 1e6;
      checks.add(TargetCheck.atMost("Flip propagation p99 <= " + refresh + " + " + TARGET_SLACK_MILLIS
          + " ms (file source, refresh.ms=" + refresh + ")", p99, refresh + TARGET_SLACK_MILLIS,
          "p99 " + Format.fixed(p99, 1) + " ms over " + s.count() + " flips", "ms", 1));
    });
    return checks;
  }
}
