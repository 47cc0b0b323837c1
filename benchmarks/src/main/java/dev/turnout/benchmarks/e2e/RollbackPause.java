package dev.turnout.benchmarks.e2e;

import dev.turnout.RoutedMetadata;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.report.TargetCheck;
import dev.turnout.reconcile.ReconcilePlan;
import dev.turnout.reconcile.ReconcileRequest;
import dev.turnout.reconcile.Reconciler;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.TwoClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The rollback pause of a slice with many target-only records: two in-process clusters, MirrorMaker 2
 * replicating source to target, and a RoutingProducer with {@code turnout.rollback.reconcile=auto} reading an
 * authority file that goes through epoch 1 MIRROR, epoch 2 WRITE_PROMOTION with slice {@code s10} (key buckets
 * 0-999) on the target, and epoch 3 with the slice back on the source.
 *
 * <p>Per round (a new topic each): under epoch 2 the producer sends {@code records} records of the slice's keys,
 * every one acknowledged by the target (target-only records). Then one application thread sends a record of the
 * slice every {@code sendIntervalMillis} while epoch 3 is published. Measured from the moment that thread first
 * sees the producer on epoch 3 (the flip): the latency (send call to acknowledgement) of every send made until
 * the barrier opened, and the pause itself, until the first acknowledgement of the slice by the source.
 */
public final class RollbackPause {

  static final String SOURCE = "source";
  static final String TARGET = "target";
  private static final int MOVED_BELOW = 1_000;
  private static final int KEYS = 1_000;
  private static final int VALUE_BYTES = 100;
  private static final int IN_FLIGHT = 2_000;

  /**
   * @param rounds measured rounds, each on a topic of its own
   * @param records target-only records of the slice written before each rollback
   * @param partitions partitions of each topic
   * @param sendIntervalMillis the application thread's pace during the rollback
   * @param refreshMillis the producer's {@code turnout.authority.refresh.ms}
   */
  public record Settings(int rounds, int records, int partitions, long sendIntervalMillis, long refreshMillis) {

    public Settings {
      if (rounds < 1 || records < 1 || partitions < 1 || sendIntervalMillis < 1 || refreshMillis < 1) {
        throw new IllegalArgumentException("rounds, records, partitions, interval and refresh must be positive");
      }
    }
  }

  /**
   * One rollback.
   *
   * @param targetOnly records of the slice acknowledged by the target before the flip (the written ones plus
   *     those the application thread sent before the producer reached epoch 3)
   * @param verified target-only records of the slice that {@code Reconciler.plan} found after the round, every
   *     one already on the source
   * @param pauseNanos from the flip to the first acknowledgement of the slice by the source
   * @param heldNanos send-to-acknowledgement latency of every send made from the flip until the barrier opened
   */
  public record Round(long targetOnly, long verified, double pauseNanos, double[] heldNanos) {

    Stats held() {
      return Stats.of(heldNanos);
    }

    /** Target-only records reconciled per second of pause. */
    double recordsPerSecond() {
      return targetOnly / (pauseNanos / 1e9);
    }
  }

  /** Every measured round, in order. */
  public record Results(Settings settings, List<Round> rounds) {

    Stats held() {
      List<Double> all = new ArrayList<>();
      for (Round r : rounds) {
        for (double d : r.heldNanos()) {
          all.add(d);
        }
      }
      return Stats.of(all);
    }

    Stats pause() {
      return Stats.of(rounds.stream().mapToDouble(Round::pauseNanos).toArray());
    }
  }

  private final Settings settings;
  private final Path workDir;
  private final Consumer<String> progress;

  public RollbackPause(Settings settings, Path workDir, Consumer<String> progress) {
    this.settings = settings;
    this.workDir = workDir;
    this.progress = progress;
  }

  /** Starts two clusters and MirrorMaker, runs the rounds, and closes everything. */
  public Results run() throws Exception {
    String run = Long.toString(System.nanoTime(), 36);
    try (TwoClusters clusters = TwoClusters.start()) {
      List<String> topics = new ArrayList<>();
      for (int round = 1; round <= settings.rounds(); round++) {
        String topic = "bench.rollback." + run + "." + round;
        clusters.createTopic(topic, settings.partitions());
        topics.add(topic);
      }
      try (InProcessMirrorMaker mm = InProcessMirrorMaker.builder(clusters).topics("bench\\.rollback\\..*")
          .start()) {
        progress.accept("rollback: two clusters and MirrorMaker up");
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i < topics.size(); i++) {
          Round r = round(clusters, topics.get(i), i + 1);
          rounds.add(r);
          Stats held = r.held();
          progress.accept(String.format(Locale.ROOT, "rollback round %d: %,d target-only records (%d found on the source), "
                  + "pause %.1f ms, %d held sends p50 %.1f ms p99 %.1f ms max %.1f ms, %,.0f records/s", i + 1,
              r.targetOnly(), r.verified(), r.pauseNanos() / 1e6, held.count(), held.percentile(50) / 1e6,
              held.percentile(99) / 1e6, held.max() / 1e6, r.recordsPerSecond()));
        }
        return new Results(settings, rounds);
      }
    }
  }

  private Round round(TwoClusters clusters, String topic, int round) throws Exception {
    Path file = workDir.resolve("rollback-" + round + ".properties");
    Variant.writeAtomically(file, document(topic, 1));
    byte[][] keys = sliceKeys(KEYS);
    try (RoutingProducer<byte[], byte[]> producer = new RoutingProducer<>(producerConfig(clusters, file, round))) {
      for (int i = 0; i < 100; i++) { // warms the source's client up under MIRROR
        producer.sendRouted(new ProducerRecord<>(topic, keys[i % keys.length], new byte[VALUE_BYTES]));
      }
      producer.flush();
      flip(producer, file, topic, 2);
      long onTarget = writeTargetOnly(producer, topic, keys);
      if (onTarget != settings.records()) {
        throw new IllegalStateException(onTarget + " of " + settings.records() + " records reached the target");
      }
      progress.accept("rollback round " + round + ": " + onTarget + " target-only records written");
      Round r = rollback(producer, file, topic, keys, onTarget);
      return new Round(r.targetOnly(), verify(clusters, topic, r.targetOnly()), r.pauseNanos(), r.heldNanos());
    }
  }

  /**
   * The reconciler's own plan after the round: every target-only record of the slice must be on the source
   * already. Returns how many target-only records it found.
   */
  private static long verify(TwoClusters clusters, String topic, long expected) {
    Map<String, String> document = new HashMap<>();
    for (String line : document(topic, 2).split("\n")) {
      String[] kv = line.split("=", 2);
      document.put(kv[0], kv[1]);
    }
    AuthorityMap promoted = AuthorityMap.parse(document, List.of(SOURCE, TARGET));
    try (Reconciler reconciler = Reconciler.builder().source(SOURCE, clusters.source().clientConfig())
        .target(TARGET, clusters.target().clientConfig()).build()) {
      ReconcilePlan plan = reconciler.plan(ReconcileRequest.forRule("r").slice("s10").epochs(2, 2)
          .documents(List.of(promoted)).build());
      if (plan.toCopy() != 0 || plan.targetOnly() < expected) {
        throw new IllegalStateException("after the rollback the reconciler plans " + plan + "; expected "
            + expected + " target-only records, all on the source");
      }
      return plan.targetOnly();
    }
  }

  /** Sends {@code records} records of the slice; the number acknowledged by the target. */
  private long writeTargetOnly(RoutingProducer<byte[], byte[]> producer, String topic, byte[][] keys)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    AtomicLong onTarget = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < settings.records(); i++) {
      inFlight.acquire();
      producer.sendRouted(new ProducerRecord<>(topic, keys[i % keys.length], new byte[VALUE_BYTES]))
          .whenComplete((m, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            } else if (TARGET.equals(m.cluster())) {
              onTarget.incrementAndGet();
            }
            inFlight.release();
          });
    }
    producer.flush();
    if (!inFlight.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("sends to the target did not complete within 60 s");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a send to the target failed", failure.get());
    }
    return onTarget.get();
  }

  private Round rollback(RoutingProducer<byte[], byte[]> producer, Path file, String topic, byte[][] keys,
      long written) throws Exception {
    Pacer pacer = new Pacer(producer, topic, keys, settings.sendIntervalMillis());
    Thread thread = new Thread(pacer, "bench-rollback-app");
    thread.start();
    try {
      Variant.writeAtomically(file, document(topic, 3));
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (pacer.flipNanos == 0 || pacer.firstOnSource.get() == 0 || !producer.status().barriers().isEmpty()) {
        if (pacer.failure.get() != null) {
          throw new IllegalStateException("a send of the slice failed", pacer.failure.get());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the rollback barrier did not open within 3 minutes: "
              + producer.status().barriers());
        }
        LockSupport.parkNanos(2_000_000);
      }
    } finally {
      pacer.stop.set(true);
      Measurements.join(thread);
    }
    producer.flush();
    long flip = pacer.flipNanos;
    long open = pacer.firstOnSource.get();
    List<Double> held = new ArrayList<>();
    for (long[] e : pacer.done) {
      if (e[0] >= flip && e[0] <= open) {
        held.add((double) (e[1] - e[0]));
      }
    }
    double[] heldNanos = held.stream().mapToDouble(Double::doubleValue).toArray();
    return new Round(written + pacer.onTargetBeforeFlip.get(), -1, open - flip, heldNanos);
  }

  /** Writes the document of {@code epoch} and waits until the producer applied it. */
  private static void flip(RoutingProducer<byte[], byte[]> producer, Path file, String topic, long epoch) {
    Variant.writeAtomically(file, document(topic, epoch));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (producer.epoch() < epoch) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the producer did not reach epoch " + epoch + " within 30 s");
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /**
   * The application thread: one record of the slice every interval; per send, when it was made and when it was
   * acknowledged.
   */
  private static final class Pacer implements Runnable {
    private final RoutingProducer<byte[], byte[]> producer;
    private final String topic;
    private final byte[][] keys;
    private final long intervalNanos;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicLong firstOnSource = new AtomicLong();
    final AtomicLong onTargetBeforeFlip = new AtomicLong();
    final ConcurrentLinkedQueue<long[]> done = new ConcurrentLinkedQueue<>();
    volatile long flipNanos;

    Pacer(RoutingProducer<byte[], byte[]> producer, String topic, byte[][] keys, long intervalMillis) {
      this.producer = producer;
      this.topic = topic;
      this.keys = keys;
      this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    @Override
    public void run() {
      long next = System.nanoTime();
      for (int i = 0; !stop.get(); i++) {
        long now = System.nanoTime();
        if (now < next) {
          LockSupport.parkNanos(next - now);
          continue;
        }
        next += intervalNanos;
        if (flipNanos == 0 && producer.epoch() >= 3) {
          flipNanos = System.nanoTime();
        }
        boolean afterFlip = flipNanos != 0;
        long sent = System.nanoTime();
        try {
          producer.sendRouted(new ProducerRecord<>(topic, keys[i % keys.length], new byte[VALUE_BYTES]))
              .whenComplete((m, e) -> completed(sent, afterFlip, m, e));
        } catch (RuntimeException e) {
          failure.compareAndSet(null, e);
        }
      }
    }

    private void completed(long sent, boolean afterFlip, RoutedMetadata m, Throwable e) {
      long now = System.nanoTime();
      if (e != null) {
        failure.compareAndSet(null, e);
        return;
      }
      done.add(new long[] {sent, now});
      if (SOURCE.equals(m.cluster())) {
        firstOnSource.compareAndSet(0, now);
      } else if (!afterFlip) {
        onTargetBeforeFlip.incrementAndGet();
      }
    }
  }

  /** {@code count} distinct keys whose bucket lies in slice {@code s10}. */
  static byte[][] sliceKeys(int count) {
    byte[][] keys = new byte[count][];
    int n = 0;
    for (int i = 0; n < count; i++) {
      byte[] key = ("rollback-" + i).getBytes(StandardCharsets.UTF_8);
      if (AuthorityMap.bucket(key) < MOVED_BELOW) {
        keys[n++] = key;
      }
    }
    return keys;
  }

  /** Epoch 1 MIRROR; 2 WRITE_PROMOTION with slice s10 on the target; 3 s10 back on the source. */
  static String document(String topic, long epoch) {
    String head = "epoch=" + epoch + "\nsource=" + SOURCE + "\ntarget=" + TARGET + "\nrule.r.topics=" + topic + "\n";
    if (epoch == 1) {
      return head + "rule.r.state=MIRROR\n";
    }
    return head + "rule.r.state=WRITE_PROMOTION\nrule.r.slice.s10.keys=0-" + (MOVED_BELOW - 1)
        + "\nrule.r.slice.rest.keys=" + MOVED_BELOW + "-9999\nrule.r.slice.rest.owner=" + SOURCE
        + "\nrule.r.slice.s10.owner=" + (epoch == 2 ? TARGET : SOURCE) + "\n";
  }

  private Map<String, Object> producerConfig(TwoClusters clusters, Path file, int round) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, SOURCE + "," + TARGET);
    config.put(TurnoutConfig.CLUSTER_PREFIX + SOURCE + ".bootstrap.servers", clusters.source().bootstrapServers());
    config.put(TurnoutConfig.CLUSTER_PREFIX + TARGET + ".bootstrap.servers", clusters.target().bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_FILE, file.toString());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, settings.refreshMillis());
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 60_000);
    config.put(TurnoutConfig.ROLLBACK_RECONCILE, "auto");
    config.put(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, 120_000);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-rollback-" + round);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return config;
  }

  /** The Markdown section. */
  public static String render(Results results) {
    Settings s = results.settings();
    MarkdownTable table = new MarkdownTable("round", "target-only records", "on the source after", "held sends", "held p50 ms",
        "held p99 ms", "held max ms", "pause ms", "reconciled records/s");
    int n = 1;
    for (Round r : results.rounds()) {
      Stats held = r.held();
      table.row(n++, Format.count(r.targetOnly()), Format.count(r.verified()), held.count(), Format.millis(held.percentile(50)),
          Format.millis(held.percentile(99)), Format.millis(held.max()), Format.millis(r.pauseNanos()),
          Format.count(r.recordsPerSecond()));
    }
    Stats all = results.held();
    table.row("all", "", "", all.count(), Format.millis(all.percentile(50)), Format.millis(all.percentile(99)),
        Format.millis(all.max()), Format.millis(results.pause().max()) + " (max)", "");
    return String.format(Locale.ROOT, "%d round(s), each on a new topic of %d partitions on two in-process clusters "
        + "with MirrorMaker 2 (source to target): %,d records of slice `s10` written to the target under epoch 2, "
        + "then, with one application thread sending a record of the slice every %d ms, epoch 3 moves the slice "
        + "back to the source (`turnout.rollback.reconcile=auto`, `turnout.authority.refresh.ms=%d`). Held sends: "
        + "send call to acknowledgement of every send made from the flip (the thread first sees epoch 3) until "
        + "the barrier opened; the pause: from the flip to the slice's first acknowledgement by the source. "
        + "Reconciled records/s: the target-only records (including those the thread sent before the flip) over "
        + "the pause. On the source after: the target-only records of the slice that `Reconciler.plan` finds after "
        + "the round, every one already on the source.%n%n", results.rounds().size(), s.partitions(), s.records(), s.sendIntervalMillis(),
        s.refreshMillis()) + table.render();
  }

  /**
   * No target: the issue asks for the pause to be published, and ties it to the copy time of the target-only
   * records without a number; {@code ReconcileComparison} measures that copy rate against a raw copy.
   */
  public static List<TargetCheck> targets(Results results) {
    return List.of();
  }
}
