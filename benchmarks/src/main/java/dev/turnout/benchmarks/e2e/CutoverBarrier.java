package dev.turnout.benchmarks.e2e;

import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.report.TargetCheck;
import dev.turnout.provenance.ProvenanceHeaders;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.TwoClusters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Cutover barrier wait against replication latency, in the same run: two in-process clusters, MirrorMaker 2
 * replicating source to target, and a RoutingProducer sending keyed records at a steady rate while successive
 * epochs move key ranges from source to target.
 *
 * <ul>
 *   <li>Barrier wait, per flip: the send-to-acknowledgement time of the first record of the moved range sent
 *       after the producer's map reached the new epoch (a barrier holds exactly that record), next to the
 *       median send-to-acknowledgement time of unmoved records in the same second.
 *   <li>Replication latency: from the acknowledgement of a record on the source to its first sight on the
 *       target by a consumer there.
 * </ul>
 *
 * <p>Whether the producer has a cutover barrier is probed through its public setting
 * {@code turnout.cutover.barrier}: a build that rejects the key has none, and the run then measures the
 * baseline without one (moved records are not held back).
 */
public final class CutoverBarrier {

  /** The barrier setting probed, and set to {@code replicated}. */
  public static final String BARRIER_KEY = "turnout.cutover.barrier";
  static final String TOPIC = "cutover.bench";

  /**
   * @param flips measured epochs that each move one more key range to the target (after one warm-up flip)
   * @param flipInterval time between two flips
   * @param recordsPerSecond offered rate of the producer
   * @param keys distinct keys, spread over all buckets
   * @param refreshMillis the producer's {@code turnout.authority.refresh.ms}
   * @param replicationLagMillis MirrorMaker's emulated lag ({@code InProcessMirrorMaker.replicationLagMillis})
   * @param partitions partitions of the topic on both clusters
   */
  public record Settings(int flips, Duration flipInterval, int recordsPerSecond, int keys, long refreshMillis,
      long replicationLagMillis, int partitions) {}

  /**
   * @param barrierMissing why there is no barrier, or {@code null} when the producer has one
   * @param movedFirst per flip, send-to-ack nanoseconds of the first moved record after the flip
   * @param unmoved per flip, median send-to-ack nanoseconds of unmoved records in the second after it
   * @param replication replication latencies in nanoseconds
   * @param refused records refused ({@code OwnershipAmbiguousException})
   * @param producerMetrics the producer's own cutover/barrier metrics, if it reports any
   */
  public record Results(String barrierMissing, Stats movedFirst, Stats unmoved, Stats replication, long refused,
      Map<String, Object> producerMetrics, Settings settings) {}

  private final Settings settings;
  private final Path workDir;
  private final Consumer<String> progress;

  public CutoverBarrier(Settings settings, Path workDir, Consumer<String> progress) {
    this.settings = settings;
    this.workDir = workDir;
    this.progress = progress;
  }

  /** Starts two clusters and MirrorMaker, runs the flips, and closes everything. */
  public Results run() {
    try (TwoClusters clusters = TwoClusters.start()) {
      clusters.createTopic(TOPIC, settings.partitions());
      try (InProcessMirrorMaker mm = InProcessMirrorMaker.builder(clusters).topics(TOPIC)
          .replicationLagMillis(settings.replicationLagMillis()).start()) {
        return run(clusters, mm);
      }
    }
  }

  private Results run(TwoClusters clusters, InProcessMirrorMaker mm) {
    Path file = workDir.resolve("cutover-authority.properties");
    // Flip 0 is a warm-up, not measured: it is the first write to the target, which creates that cluster's client.
    int flips = settings.flips() + 1;
    int step = AuthorityMap.BUCKETS / (flips + 1);
    Variant.writeAtomically(file, document(1, 0));
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "source,target");
    config.put(TurnoutConfig.CLUSTER_PREFIX + "source.bootstrap.servers", clusters.source().bootstrapServers());
    config.put(TurnoutConfig.CLUSTER_PREFIX + "target.bootstrap.servers", clusters.target().bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_FILE, file.toString());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, settings.refreshMillis());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-cutover");
    String missing = barrierMissing(config);
    if (missing == null) {
      config.put(BARRIER_KEY, "replicated");
    }

    long totalNanos = Duration.ofSeconds(3).toNanos() + settings.flipInterval().toNanos() * (flips + 1);
    int capacity = (int) (settings.recordsPerSecond() * (totalNanos / 1e9) * 1.5) + 1024;
    long[] sent = new long[capacity];
    long[] epochAtSend = new long[capacity];
    int[] bucketOf = new int[capacity];
    AtomicLongArray acked = new AtomicLongArray(capacity);
    LongAdder refused = new LongAdder();
    AtomicReference<Exception> failure = new AtomicReference<>();
    byte[][] keys = new byte[settings.keys()][];
    int[] keyBuckets = new int[settings.keys()];
    for (int k = 0; k < keys.length; k++) {
      keys[k] = String.format("customer-%06d", k * 7919 % 1_000_000).getBytes(StandardCharsets.UTF_8);
      keyBuckets[k] = AuthorityMap.bucket(keys[k]);
    }
    List<Double> replication = new ArrayList<>();
    AtomicBoolean consuming = new AtomicBoolean(true);
    Thread consumer = new Thread(() -> consumeTarget(clusters, acked, replication, consuming, failure),
        "bench-cutover-target-consumer");
    long[] flipEpochs = new long[flips];
    long[] flipSeen = new long[flips];
    int sentCount;
    Map<String, Object> metrics;
    try (RoutingProducer<byte[], byte[]> producer = new RoutingProducer<>(config)) {
      consumer.start();
      long interval = Math.round(1e9 / settings.recordsPerSecond());
      long start = System.nanoTime();
      long nextFlip = start + Duration.ofSeconds(2).toNanos();
      int flip = 0;
      int i = 0;
      long end = start + totalNanos;
      while (i < capacity && System.nanoTime() < end) {
        long now = System.nanoTime();
        if (flip < flips && now >= nextFlip) {
          flipEpochs[flip] = flip + 2;
          Variant.writeAtomically(file, document(flip + 2, (flip + 1) * step));
          flip++;
          nextFlip += settings.flipInterval().toNanos();
        }
        long due = start + (long) i * interval;
        if (now < due) {
          LockSupport.parkNanos(Math.min(due - now, 200_000));
          continue;
        }
        int seq = i++;
        int k = seq % keys.length;
        byte[] value = new byte[100];
        ByteBuffer.wrap(value).putLong(seq);
        bucketOf[seq] = keyBuckets[k];
        epochAtSend[seq] = producer.epoch();
        for (int f = 0; f < flip; f++) {
          if (flipSeen[f] == 0 && epochAtSend[seq] >= flipEpochs[f]) {
            flipSeen[f] = seq + 1L;
          }
        }
        sent[seq] = System.nanoTime();
        producer.send(new ProducerRecord<>(TOPIC, keys[k], value), (metadata, e) -> {
          if (e == null) {
            acked.set(seq, System.nanoTime());
          } else if (e instanceof OwnershipAmbiguousException) {
            refused.increment();
          } else {
            failure.compareAndSet(null, e);
          }
        });
      }
      sentCount = i;
      producer.flush();
      metrics = barrierMetrics(producer);
      BenchBroker.sleep(Duration.ofMillis(Math.max(2_000, 3 * settings.replicationLagMillis())));
    } finally {
      consuming.set(false);
      Measurements.join(consumer);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a send or the target consumer failed", failure.get());
    }
    List<Double> movedFirst = new ArrayList<>();
    List<Double> unmoved = new ArrayList<>();
    for (int f = 1; f < flips; f++) {
      if (flipSeen[f] == 0) {
        continue;
      }
      int movedFrom = f * step;
      int movedTo = (f + 1) * step - 1;
      long epoch = flipEpochs[f];
      List<Double> steady = new ArrayList<>();
      boolean found = false;
      for (int seq = (int) flipSeen[f] - 1; seq < sentCount; seq++) {
        if (epochAtSend[seq] != epoch || acked.get(seq) == 0) {
          continue;
        }
        boolean moved = bucketOf[seq] >= movedFrom && bucketOf[seq] <= movedTo;
        double latency = acked.get(seq) - sent[seq];
        if (moved && !found) {
          movedFirst.add(latency);
          found = true;
        } else if (!moved && sent[seq] - sent[(int) flipSeen[f] - 1] < 1_000_000_000L) {
          steady.add(latency);
        }
      }
      if (!steady.isEmpty()) {
        unmoved.add(Stats.of(steady).median());
      }
    }
    Stats replicationStats;
    synchronized (replication) {
      replicationStats = Stats.of(replication);
    }
    Results results = new Results(missing, Stats.of(movedFirst), Stats.of(unmoved), replicationStats, refused.sum(),
        metrics, settings);
    progress.accept(String.format("cutover: %d flips, first moved record p50 %.1f ms / p99 %.1f ms, "
        + "replication p50 %.1f ms / p99 %.1f ms, %d refused%s", movedFirst.size(),
        results.movedFirst().percentile(50) / 1e6, results.movedFirst().percentile(99) / 1e6,
        replicationStats.percentile(50) / 1e6, replicationStats.percentile(99) / 1e6, refused.sum(),
        missing == null ? "" : " (no barrier in this build)"));
    return results;
  }

  /** Why this build has no cutover barrier, or {@code null} when the producer accepts the setting. */
  static String barrierMissing(Map<String, Object> config) {
    Map<String, Object> probe = new HashMap<>(config);
    probe.put(BARRIER_KEY, "replicated");
    probe.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-cutover-probe");
    try {
      new RoutingProducer<byte[], byte[]>(probe).close();
      return null;
    } catch (ConfigException e) {
      if (String.valueOf(e.getMessage()).contains(BARRIER_KEY)) {
        return "RoutingProducer rejects " + BARRIER_KEY + ": the cutover barrier is not in this build";
      }
      throw e;
    }
  }

  private void consumeTarget(TwoClusters clusters, AtomicLongArray acked, List<Double> replication,
      AtomicBoolean consuming, AtomicReference<Exception> failure) {
    Map<String, Object> config = clusters.target().clientConfig();
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-cutover-target-reader");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(TOPIC)) {
        partitions.add(new TopicPartition(TOPIC, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      while (consuming.get()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          long now = System.nanoTime();
          Header route = record.headers().lastHeader(ProvenanceHeaders.ROUTE);
          ProvenanceHeaders.RouteStamp stamp = route == null ? null : ProvenanceHeaders.parseRoute(route.value());
          if (stamp == null || !stamp.origin().equals("source") || record.value().length < 8) {
            continue;
          }
          int seq = (int) ByteBuffer.wrap(record.value()).getLong();
          long ack = seq >= 0 && seq < acked.length() ? acked.get(seq) : 0;
          if (ack != 0) {
            synchronized (replication) {
              replication.add((double) (now - ack));
            }
          }
        }
      }
    } catch (Exception e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Epoch 1 routes everything to the source; later epochs give buckets 0..toTarget-1 to the target. */
  static String document(long epoch, int toTarget) {
    StringBuilder doc = new StringBuilder()
        .append("epoch=").append(epoch).append('\n')
        .append("source=source\ntarget=target\n")
        .append("rule.orders.topics=").append(TOPIC).append('\n');
    if (toTarget == 0) {
      return doc.append("rule.orders.state=MIRROR\n").toString();
    }
    return doc.append("rule.orders.state=WRITE_PROMOTION\n")
        .append("rule.orders.slice.moved.keys=0-").append(toTarget - 1).append('\n')
        .append("rule.orders.slice.moved.owner=target\n")
        .append("rule.orders.slice.rest.keys=").append(toTarget).append("-9999\n")
        .append("rule.orders.slice.rest.owner=source\n").toString();
  }

  private static Map<String, Object> barrierMetrics(RoutingProducer<?, ?> producer) {
    Map<String, Object> found = new TreeMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
      MetricName name = e.getKey();
      if (name.group().equals("turnout") && (name.name().contains("barrier") || name.name().contains("cutover"))) {
        found.put(name.name() + name.tags(), e.getValue().metricValue());
      }
    }
    return found;
  }

  /** The Markdown section. */
  public static String render(Results results) {
    StringBuilder out = new StringBuilder();
    if (results.barrierMissing() != null) {
      out.append("No barrier measured: ").append(results.barrierMissing()).append(". The rows below are the "
          + "baseline without a barrier: moved records are written to the new owner at once, before the old "
          + "owner's records for the same keys have been replicated.\n\n");
    }
    Settings s = results.settings();
    out.append(String.format("%d flips, one every %d ms, %d records/s over %d keys, refresh.ms=%d, MirrorMaker "
            + "emulated lag %d ms.%n%n", s.flips(), s.flipInterval().toMillis(), s.recordsPerSecond(), s.keys(),
        s.refreshMillis(), s.replicationLagMillis()));
    MarkdownTable table = new MarkdownTable("distribution", "samples", "p50 ms", "p90 ms", "p99 ms", "max ms");
    row(table, "first moved record after a flip, send to ack", results.movedFirst());
    row(table, "unmoved records after a flip, send to ack (median per flip)", results.unmoved());
    row(table, "replication latency, ack on source to visible on target", results.replication());
    out.append(table.render());
    out.append('\n').append("Records refused: ").append(results.refused()).append(".\n");
    if (!results.producerMetrics().isEmpty()) {
      out.append("\nThe producer's own cutover metrics at the end of the run:\n\n");
      MarkdownTable metrics = new MarkdownTable("metric", "value");
      results.producerMetrics().forEach(metrics::row);
      out.append(metrics.render());
    }
    return out.toString();
  }

  private static void row(MarkdownTable table, String name, Stats s) {
    table.row(name, s.count(), Format.millis(s.percentile(50)), Format.millis(s.percentile(90)),
        Format.millis(s.percentile(99)), Format.millis(s.max()));
  }

  /** Barrier wait p99 <= 1.5 x replication latency p99. */
  public static List<TargetCheck> targets(Results results) {
    String target = "Cutover barrier wait p99 <= 1.5 x replication latency p99 (same run)";
    if (results.barrierMissing() != null) {
      return List.of(TargetCheck.notMeasured(target, results.barrierMissing()));
    }
    double barrier = results.movedFirst().percentile(99) / 1e6;
    double limit = 1.5 * results.replication().percentile(99) / 1e6;
    return List.of(TargetCheck.atMost(target, barrier, limit, "barrier p99 " + Format.fixed(barrier, 1)
        + " ms, replication p99 " + Format.fixed(limit / 1.5, 1) + " ms", "ms", 1));
  }
}
