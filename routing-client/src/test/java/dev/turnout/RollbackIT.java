package dev.turnout;

import static dev.turnout.Records.producerConfig;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.cutover.RollbackScope;
import dev.turnout.reconcile.ReconcileReport;
import dev.turnout.reconcile.ReconcileRequest;
import dev.turnout.reconcile.Reconciler;
import dev.turnout.status.BarrierStatus;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback after write promotion, end to end: real clusters, MirrorMaker 2 copying onprem (source) to cloud
 * (target), continuous keyed load through RoutingProducers with the default reconciliation, and the authority
 * file rewritten through epoch 1 MIRROR, 2 WRITE_PROMOTION (slice s10 = buckets 0-999 on cloud), 3 s10 back on
 * onprem, 4 TARGET_AUTHORITY, 5 every slice back on onprem. Afterwards the source holds the whole history.
 */
@TwoKafkaClusters
class RollbackIT {

  private static final int MOVED_BELOW = 1_000;
  private static final List<String> ALIASES = List.of("onprem", "cloud");

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static InProcessMirrorMaker mirror;

  @TempDir
  Path dir;

  @BeforeAll
  static void start(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("rb-auto", 3);
    clusters.createTopic("rb-manual", 3);
    clusters.createTopic("rb-fail", 1);
    clusters.createTopic("rb-bound", 1);
    mirror = InProcessMirrorMaker.builder(clusters).topics("rb-.*").start();
  }

  @AfterAll
  static void stop() {
    if (mirror != null) {
      mirror.close();
    }
  }

  /** The document of an epoch of the sequence above. */
  static String document(String topic, long epoch) {
    String head = "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.r.topics=" + topic + "\n";
    String split = "rule.r.state=WRITE_PROMOTION\nrule.r.slice.s10.keys=0-" + (MOVED_BELOW - 1)
        + "\nrule.r.slice.rest.keys=" + MOVED_BELOW + "-9999\nrule.r.slice.rest.owner=onprem\n";
    return head + switch ((int) epoch) {
      case 1 -> "rule.r.state=MIRROR\n";
      case 2 -> split + "rule.r.slice.s10.owner=cloud\n";
      case 3 -> split + "rule.r.slice.s10.owner=onprem\n";
      case 4 -> "rule.r.state=TARGET_AUTHORITY\n";
      default -> split + "rule.r.slice.s10.owner=onprem\nrule.r.rollback.allowed=true\n";
    };
  }

  /** Who owns a key bucket at an epoch of the sequence. */
  static String ownerAt(int bucket, long epoch) {
    return epoch == 4 || epoch == 2 && bucket < MOVED_BELOW ? "cloud" : "onprem";
  }

  static AuthorityMap map(String topic, long epoch) {
    Map<String, String> document = new HashMap<>();
    for (String line : document(topic, epoch).split("\n")) {
      String[] kv = line.split("=", 2);
      document.put(kv[0], kv[1]);
    }
    return AuthorityMap.parse(document, ALIASES);
  }

  static boolean moved(String topic, String key) {
    return AuthorityMap.bucket(new StringSerializer().serialize(topic, key)) < MOVED_BELOW;
  }

  private RoutingProducer<String, String> producer(Path file, String clientId, String mode) {
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put("client.id", clientId);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 20_000);
    config.put(TurnoutConfig.ROLLBACK_RECONCILE, mode);
    config.put(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, 30_000);
    return new RoutingProducer<>(config);
  }

  private static void flip(Path file, String topic, long epoch, List<RoutingProducer<String, String>> producers) {
    writeDocument(file, document(topic, epoch));
    await().atMost(Duration.ofSeconds(10)).until(() -> producers.stream().allMatch(p -> p.epoch() == epoch));
  }

  private static boolean barriersOpen(List<RoutingProducer<String, String>> producers) {
    return producers.stream().allMatch(p -> p.status().barriers().isEmpty());
  }

  @Test
  void autoModeReconcilesEveryProducersRecordsAndTheSourceKeepsTheWholeHistory() throws Exception {
    String topic = "rb-auto";
    Path file = dir.resolve("auto.properties");
    writeDocument(file, document(topic, 1));
    HistoryCheck.Sends sends = new HistoryCheck.Sends();
    RoutingProducer<String, String> a = producer(file, "rb-auto-a", "auto");
    RoutingProducer<String, String> b = producer(file, "rb-auto-b", "auto");
    List<Long> pauses = new ArrayList<>();
    try (Load loadA = new Load(a, topic, "a-", 100, sends); Load loadB = new Load(b, topic, "b-", 100, sends)) {
      List<RoutingProducer<String, String>> both = List.of(a, b);
      loadA.awaitAcked(c -> true, 200);
      flip(file, topic, 2, both);
      loadA.awaitAcked(c -> c.equals("cloud"), 40);
      loadB.awaitAcked(c -> c.equals("cloud"), 40);

      Window window = new Window(k -> moved(topic, k));
      loadA.window = window;
      loadB.window = window;
      flip(file, topic, 3, both);
      await().atMost(Duration.ofSeconds(40)).until(() -> window.openedOn("onprem") && barriersOpen(both));
      pauses.addAll(window.close());
      loadA.awaitAcked(c -> c.equals("onprem"), 100);

      flip(file, topic, 4, both);
      loadA.awaitAcked(c -> c.equals("cloud"), 100);
      loadB.awaitAcked(c -> c.equals("cloud"), 150);
      loadB.close();
      b.close(); // its records on cloud are now those of a stopped instance

      Window all = new Window(k -> true);
      loadA.window = all;
      writeDocument(file, document(topic, 5));
      await().atMost(Duration.ofSeconds(10)).until(() -> a.epoch() == 5);
      await().atMost(Duration.ofSeconds(40)).until(() -> all.openedOn("onprem") && barriersOpen(List.of(a)));
      pauses.addAll(all.close());
      loadA.awaitAcked(c -> c.equals("onprem"), 100);
    } finally {
      b.close(); // a second close does nothing
      a.close();
    }
    assertHistory(topic, sends, "auto", pauses);
  }

  @Test
  void manualModeOpensOnlyAfterTheOperatorReconciles() throws Exception {
    String topic = "rb-manual";
    Path file = dir.resolve("manual.properties");
    writeDocument(file, document(topic, 1));
    HistoryCheck.Sends sends = new HistoryCheck.Sends();
    RoutingProducer<String, String> m = producer(file, "rb-manual", "manual");
    List<Long> pauses = new ArrayList<>();
    try (Load load = new Load(m, topic, "m-", 200, sends);
        Reconciler reconciler = Reconciler.builder()
            .source("onprem", Map.of("bootstrap.servers", onprem.bootstrapServers()))
            .target("cloud", Map.of("bootstrap.servers", cloud.bootstrapServers()))
            .build()) {
      List<RoutingProducer<String, String>> one = List.of(m);
      load.awaitAcked(c -> true, 200);
      flip(file, topic, 2, one);
      load.awaitAcked(c -> c.equals("cloud"), 60);

      Window window = new Window(k -> moved(topic, k));
      load.window = window;
      flip(file, topic, 3, one);
      ReconcileReport first = operatorReconciles(m, window, reconciler, ReconcileRequest.forRule("r").slice("s10")
          .epochs(2, 2).documents(List.of(map(topic, 2))).build());
      pauses.addAll(window.close());
      assertThat(first.copied()).isPositive();

      flip(file, topic, 4, one);
      load.awaitAcked(c -> c.equals("cloud"), 150);
      Window all = new Window(k -> true);
      load.window = all;
      flip(file, topic, 5, one);
      ReconcileReport second = operatorReconciles(m, all, reconciler, ReconcileRequest.forRule("r").epochs(4, 4)
          .documents(List.of(map(topic, 4))).build());
      pauses.addAll(all.close());
      assertThat(second.copied()).isPositive();
      load.awaitAcked(c -> c.equals("onprem"), 100);
    } finally {
      m.close();
    }
    assertHistory(topic, sends, "manual", pauses);
  }

  /** Waits until the rolled-back slice waits for the operator, reconciles, and checks that it opens only then. */
  private static ReconcileReport operatorReconciles(RoutingProducer<String, String> producer, Window window,
      Reconciler reconciler, ReconcileRequest request) {
    await().atMost(Duration.ofSeconds(20)).until(() -> producer.status().barriers().stream()
        .anyMatch(b -> b.state().equals("WAITING") && b.detail().startsWith("waiting for")
            && b.detail().endsWith("(manual)")));
    BarrierStatus waiting = producer.status().barriers().get(0);
    assertThat(waiting.from()).isEqualTo("cloud");
    assertThat(waiting.to()).isEqualTo("onprem");
    assertThat(waiting.detail()).contains("target-only record(s)", "reconciled to 'onprem' (manual)");
    assertThat(window.openedOn("onprem")).as("nothing of the slice reached the source before reconciling").isFalse();
    long applying = System.nanoTime();
    ReconcileReport report = reconciler.apply(request);
    long applied = System.nanoTime();
    await().atMost(Duration.ofSeconds(20)).until(() -> window.openedOn("onprem") && barriersOpen(List.of(producer)));
    System.out.printf("ROLLBACK-MANUAL %s: barrier seen waiting %d ms after the flip; apply took %d ms (%d copied); "
        + "the barrier opened %d ms after apply returned%n", request, (applying - window.start) / 1_000_000,
        (applied - applying) / 1_000_000, report.copied(), (window.firstOnNanos("onprem") - applied) / 1_000_000);
    assertThat(window.firstOnNanos("onprem")).as("the barrier opened after the reconciliation began")
        .isGreaterThan(applying);
    assertThat(reconciler.plan(request).toCopy()).isZero();
    return report;
  }

  private static void assertHistory(String topic, HistoryCheck.Sends sends, String mode, List<Long> pauses) {
    await().atMost(Duration.ofSeconds(10)).until(() -> sends.completed.get() == sends.sent.get());
    HistoryCheck.Report report = HistoryCheck.check(onprem, topic, sends, RollbackIT::ownerAt);
    long[] sorted = pauses.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("ROLLBACK-PAUSE mode=%s p50=%d p99=%d max=%d records=%d (ms per send to a rolled-back slice, "
        + "from the rollback flip until its barrier opened)%n", mode, percentile(sorted, 50), percentile(sorted, 99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1], sorted.length);
    System.out.printf("ROLLBACK-HISTORY mode=%s sent=%d acked=%d failed=%d; source: %s%n", mode, sends.sent.get(),
        sends.acked(), sends.failed(), report);
    assertThat(report.clean()).as(report.toString()).isTrue();
    assertThat(report.reconciledCopies).isPositive();
    assertThat(sends.untypedFailures()).isEmpty();
    assertThat(sends.acked() + sends.failed()).isEqualTo(sends.sent.get());
    assertThat(sorted).isNotEmpty();
  }

  private static long percentile(long[] sorted, int p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  @Test
  void aReconciliationThatFailsKeepsTheSliceClosedWithTheReasonWhileOtherSlicesFlow() throws Exception {
    String topic = "rb-fail";
    Path file = dir.resolve("fail.properties");
    writeDocument(file, document(topic, 1));
    List<String> movedKeys = new ArrayList<>();
    List<String> otherKeys = new ArrayList<>();
    for (int i = 0; movedKeys.size() < 5 || otherKeys.size() < 5; i++) {
      (moved(topic, "f-" + i) ? movedKeys : otherKeys).add("f-" + i);
    }
    try (RoutingProducer<String, String> producer = producer(file, "rb-fail", "auto")) {
      for (String key : otherKeys) {
        producer.send(new ProducerRecord<>(topic, key, key + ":0")).get(10, TimeUnit.SECONDS);
      }
      flip(file, topic, 2, List.of(producer));
      sendAll(producer, topic, movedKeys, 0);
      Map<String, Object> raw = cloud.clientConfig();
      try (KafkaProducer<String, String> intruder = new KafkaProducer<>(raw, new StringSerializer(),
          new StringSerializer())) {
        intruder.send(new ProducerRecord<>(topic, 0, "intruder", "no headers")).get(10, TimeUnit.SECONDS);
      }
      sendAll(producer, topic, movedKeys, 1);

      flip(file, topic, 3, List.of(producer));
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, movedKeys.get(0), "after")).get(20,
          TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.ROLLBACK_NOT_RECONCILED);
            assertThat(e.getMessage()).contains("the reconciliation failed: MISSING_PROVENANCE", "offset",
                "slice 's10'");
          });
      for (String key : otherKeys) {
        assertThat(producer.sendRouted(new ProducerRecord<>(topic, key, key + ":1")).get(10, TimeUnit.SECONDS)
            .cluster()).isEqualTo("onprem");
      }
      assertThat(producer.status().barriers()).singleElement().satisfies(b -> {
        assertThat(b.state()).isEqualTo("FAILED");
        assertThat(b.detail()).contains("MISSING_PROVENANCE");
      });
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, movedKeys.get(1), "later")).get(10,
          TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(OwnershipAmbiguousException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.ROLLBACK_NOT_RECONCILED));
    }
    assertThat(Records.readAll(onprem, topic)).noneMatch(r -> movedKeys.contains(r.key()));
  }

  @Test
  void theProducersReconciliationCountsOnlyBelowItsBoundsAndFindsNullKeyRecords() throws Exception {
    String topic = "rb-bound";
    Path file = dir.resolve("bound.properties");
    String promoted = document(topic, 2) + "rule.r.null-key-owner=cloud\n";
    writeDocument(file, promoted);
    List<String> movedKeys = new ArrayList<>();
    for (int i = 0; movedKeys.size() < 10; i++) {
      if (moved(topic, "n-" + i)) {
        movedKeys.add("n-" + i);
      }
    }
    try (RoutingProducer<String, String> producer = producer(file, "rb-bound", "manual")) {
      sendAll(producer, topic, movedKeys, 0); // offsets 0-9 on cloud
      for (int i = 0; i < 3; i++) {
        assertThat(producer.sendRouted(new ProducerRecord<>(topic, null, "null:" + i)).get(10, TimeUnit.SECONDS)
            .cluster()).isEqualTo("cloud");
      }
    }
    Map<String, String> parsed = new HashMap<>();
    for (String line : promoted.split("\n")) {
      parsed.put(line.split("=", 2)[0], line.split("=", 2)[1]);
    }
    List<AuthorityMap> documents = List.of(AuthorityMap.parse(parsed, ALIASES));
    TopicPartition p0 = new TopicPartition(topic, 0);
    try (ReconcilerReconciliation reconciliation = new ReconcilerReconciliation("rb-bound", ALIASES,
        List.of(Map.of("bootstrap.servers", onprem.bootstrapServers()),
            Map.of("bootstrap.servers", cloud.bootstrapServers())))) {
      long since = System.currentTimeMillis() - 60_000;
      assertThat(reconciliation.missing(new RollbackScope("r", "s10", 2, 2, documents,
          Map.of(p0, 7L), since))).as("records at offsets 0-6 only").isEqualTo(7);
      assertThat(reconciliation.missing(new RollbackScope("r", "s10", 2, 2, documents,
          Map.of(), -1))).isEqualTo(10);
      RollbackScope nullKeys = new RollbackScope("r",
          "null-key", 2, 2, documents, Map.of(), since);
      assertThat(reconciliation.missing(nullKeys)).isEqualTo(3);
      reconciliation.reconcile(nullKeys);
      assertThat(reconciliation.missing(nullKeys)).isZero();
    }
    assertThat(Records.readAll(onprem, topic, true)).extracting(r -> r.value())
        .containsExactly("null:0", "null:1", "null:2");
  }

  private static void sendAll(RoutingProducer<String, String> producer, String topic, List<String> keys, int seq)
      throws Exception {
    for (String key : keys) {
      assertThat(producer.sendRouted(new ProducerRecord<>(topic, key, key + ":" + seq)).get(10, TimeUnit.SECONDS)
          .cluster()).isEqualTo("cloud");
    }
  }

  /**
   * The sends to a rolled-back slice from a rollback flip on: per send, when it was made and when it completed
   * (and where), to measure the slice's pause until its barrier opened.
   */
  static final class Window {
    private final Predicate<String> keys;
    private final long start = System.nanoTime();
    private final ConcurrentLinkedQueue<long[]> done = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<long[]> onSource = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    Window(Predicate<String> keys) {
      this.keys = keys;
    }

    boolean watches(String key) {
      return !closed && keys.test(key);
    }

    void completed(long sentNanos, long doneNanos, String cluster) {
      long[] entry = {sentNanos, doneNanos};
      done.add(entry);
      if ("onprem".equals(cluster)) {
        onSource.add(entry);
      }
    }

    boolean openedOn(String cluster) {
      return !onSource.isEmpty();
    }

    long firstOnNanos(String cluster) {
      return onSource.stream().mapToLong(e -> e[1]).min().orElse(Long.MAX_VALUE);
    }

    /** Stops watching; the latency (ms) of every send made before the barrier opened. */
    List<Long> close() {
      closed = true;
      long open = firstOnNanos("onprem");
      List<Long> out = new ArrayList<>();
      for (long[] e : done) {
        if (e[0] >= start && e[0] <= open) {
          out.add(TimeUnit.NANOSECONDS.toMillis(e[1] - e[0]));
        }
      }
      return out;
    }
  }

  /**
   * Continuous keyed load on one thread: {@code keys} keys sent in turn with values {@code <key>:<seq>}, about 300
   * records a second, every result recorded in {@link HistoryCheck.Sends}.
   */
  static final class Load implements AutoCloseable {
    private final RoutingProducer<String, String> producer;
    private final String topic;
    private final HistoryCheck.Sends sends;
    private final Map<String, Long> ackedOn = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    volatile Window window;

    Load(RoutingProducer<String, String> producer, String topic, String prefix, int keys, HistoryCheck.Sends sends) {
      this.producer = producer;
      this.topic = topic;
      this.sends = sends;
      this.thread = new Thread(() -> run(prefix, keys), "load-" + prefix);
      thread.start();
    }

    private void run(String prefix, int keys) {
      int[] seq = new int[keys];
      try {
        while (!stop.get()) {
          for (int k = 0; k < keys && !stop.get(); k++) {
            send(prefix + k, seq[k]++);
            if (k % 3 == 2) {
              Thread.sleep(10); // the load's rate, not a wait for a condition
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void send(String key, int seq) {
      Window w = window;
      boolean watched = w != null && w.watches(key);
      long sent = System.nanoTime();
      sends.sending();
      try {
        producer.sendRouted(new ProducerRecord<>(topic, key, key + ":" + seq)).whenComplete((m, e) -> {
          Exception error = e == null ? null : e instanceof Exception ex ? ex : new RuntimeException(e);
          sends.completed(key, seq, error);
          if (m != null) {
            ackedOn.merge(m.cluster(), 1L, Long::sum);
          }
          if (watched) {
            w.completed(sent, System.nanoTime(), m == null ? null : m.cluster());
          }
        });
      } catch (RuntimeException e) {
        sends.completed(key, seq, e);
      }
    }

    /** Waits until {@code count} more sends than now were acknowledged on a cluster that {@code cluster} accepts. */
    void awaitAcked(Predicate<String> cluster, long count) {
      long base = acked(cluster);
      await().atMost(Duration.ofSeconds(30)).until(() -> acked(cluster) >= base + count);
    }

    private long acked(Predicate<String> cluster) {
      return ackedOn.entrySet().stream().filter(e -> cluster.test(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(thread.isAlive()).isFalse();
    }
  }
}
