package dev.turnout.benchmarks.e2e;

import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.report.TargetCheck;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.TwoClusters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Cutover barrier wait against replication latency, in the same run: two in-process clusters, MirrorMaker 2
 * replicating source to target with an emulated lag, and a RoutingProducer with the {@code replicated} barrier
 * sending keyed records at a steady rate while successive epochs each move one more range of key buckets from
 * source to target ({@link CutoverPlan}).
 *
 * <ul>
 *   <li>Barrier wait, per cutover: from the moment the producer's map reached the new epoch (the barrier's
 *       start) to the moment the first moved record routed by that epoch was handed to the target's client
 *       (its release), seen by a producer interceptor ({@link HandoffProbe}) inside that client.
 *   <li>Replication latency, per record: from the acknowledgement of a record by the source to its first sight
 *       on the target by a consumer there, the copy matched to the record by its {@code turnout.id}.
 *   <li>The producer's own {@code cutover-barrier-wait-ms-*} metrics, as a cross-check.
 * </ul>
 *
 * <p>The first cutover is a warm-up and not counted: it creates the target's client and the producer's
 * replication watcher on the target.
 */
public final class CutoverBarrier {

  static final String TOPIC = "cutover.bench";
  /** The target: barrier wait p99 at most this many times the replication latency p99. */
  static final double TARGET_RATIO = 1.5;
  private static final String CLIENT_ID = "bench-cutover";
  private static final int VALUE_BYTES = 100;

  /**
   * @param cutovers measured cutovers (one warm-up cutover runs before them)
   * @param lead sending time before the warm-up cutover
   * @param interval least time between two cutovers
   * @param jitter up to this much more between two cutovers, uniformly at random (spreads cutovers over the
   *     phases of MirrorMaker's fetch cycle)
   * @param recordsPerSecond offered rate of the producer (open loop)
   * @param keys distinct keys, spread over all buckets
   * @param refreshMillis the producer's {@code turnout.authority.refresh.ms}
   * @param replicationLagMillis MirrorMaker's emulated lag ({@code InProcessMirrorMaker.replicationLagMillis})
   * @param partitions partitions of the topic on both clusters
   * @param seed seed of the random part of the schedule
   */
  public record Settings(int cutovers, Duration lead, Duration interval, Duration jitter, int recordsPerSecond,
      int keys, long refreshMillis, long replicationLagMillis, int partitions, long seed) {

    public Settings {
      if (cutovers < 1 || recordsPerSecond < 1 || keys < 1 || partitions < 1) {
        throw new IllegalArgumentException("cutovers, rate, keys and partitions must be positive");
      }
    }

    /** Sending time after the last cutover, so that its barrier opens while records still flow. */
    public Duration tail() {
      Duration threeLags = Duration.ofMillis(3 * replicationLagMillis);
      return threeLags.compareTo(interval) > 0 ? threeLags : interval;
    }

    /** The longest the sending phase can take. */
    public Duration maxSending() {
      return lead.plus(interval.plus(jitter).multipliedBy(cutovers)).plus(tail());
    }
  }

  /**
   * @param cutovers the measured cutovers, in order
   * @param replication replication latencies and how the copies matched
   * @param records records sent
   * @param refused records refused ({@code OwnershipAmbiguousException}, for example a barrier timeout)
   * @param producerMetrics the producer's cutover metrics at the end of the run
   */
  public record Results(Settings settings, List<CutoverAnalysis.CutoverResult> cutovers,
      CutoverAnalysis.Replication replication, int records, long refused, Map<String, Object> producerMetrics) {

    /** Barrier waits of the measured cutovers that had a moved record, nanoseconds. */
    Stats barrierWait() {
      return Stats.of(cutovers.stream().mapToDouble(CutoverAnalysis.CutoverResult::barrierWaitNanos)
          .filter(d -> !Double.isNaN(d)).toArray());
    }

    Stats firstMoved() {
      return Stats.of(cutovers.stream().mapToDouble(CutoverAnalysis.CutoverResult::firstMovedSendToAckNanos)
          .filter(d -> !Double.isNaN(d)).toArray());
    }

    Stats unmoved() {
      return Stats.of(cutovers.stream().mapToDouble(CutoverAnalysis.CutoverResult::unmovedMedianNanos)
          .filter(d -> !Double.isNaN(d)).toArray());
    }

    Stats replicationLatency() {
      return Stats.of(replication.latencies());
    }

    /** Barrier wait p99 over replication latency p99 (NaN without samples). */
    double ratio() {
      return barrierWait().percentile(99) / replicationLatency().percentile(99);
    }
  }

  private final Settings settings;
  private final Path workDir;
  private final Consumer<String> progress;

  public CutoverBarrier(Settings settings, Path workDir, Consumer<String> progress) {
    this.settings = settings;
    this.workDir = workDir;
    this.progress = progress;
  }

  /** Starts two clusters and MirrorMaker, runs the cutovers, and closes everything. */
  public Results run() {
    try (TwoClusters clusters = TwoClusters.start()) {
      clusters.createTopic(TOPIC, settings.partitions());
      try (InProcessMirrorMaker mm = InProcessMirrorMaker.builder(clusters).topics(TOPIC)
          .replicationLagMillis(settings.replicationLagMillis()).start()) {
        progress.accept("cutover: two clusters and MirrorMaker (lag " + settings.replicationLagMillis() + " ms) up");
        HandoffProbe.Recording probe = HandoffProbe.arm(capacity());
        try {
          return run(clusters, probe);
        } finally {
          HandoffProbe.disarm();
        }
      }
    }
  }

  private int capacity() {
    return (int) (settings.recordsPerSecond() * (settings.maxSending().toNanos() / 1e9) * 1.2) + 1024;
  }

  private Results run(TwoClusters clusters, HandoffProbe.Recording probe) {
    CutoverPlan plan = new CutoverPlan(TOPIC, settings.cutovers() + 1);
    Path file = workDir.resolve("cutover-authority.properties");
    Variant.writeAtomically(file, plan.initialDocument());
    Map<String, Object> config = producerConfig(clusters, file);

    int capacity = probe.handoff.length();
    long[] sent = new long[capacity];
    int[] bucketOf = new int[capacity];
    AtomicLongArray acked = new AtomicLongArray(capacity);
    LongAdder refused = new LongAdder();
    AtomicReference<Exception> failure = new AtomicReference<>();
    byte[][] keys = new byte[settings.keys()][];
    int[] keyBuckets = new int[settings.keys()];
    for (int k = 0; k < keys.length; k++) {
      keys[k] = String.format(Locale.ROOT, "customer-%06d", k * 7919 % 1_000_000).getBytes(StandardCharsets.UTF_8);
      keyBuckets[k] = AuthorityMap.bucket(keys[k]);
    }
    byte[] filler = new byte[VALUE_BYTES];
    new Random(settings.seed()).nextBytes(filler);

    TargetReader reader = new TargetReader(clusters, capacity);
    Thread readerThread = new Thread(reader, "bench-cutover-target-reader");
    readerThread.setDaemon(true);
    readerThread.start();
    int sentCount;
    Map<String, Object> metrics;
    CutoverAnalysis.Records records;
    long[] cutoverStart = new long[plan.cutovers()];
    try {
      reader.awaitPositioned();

      long[] schedule = CutoverPlan.schedule(plan.cutovers(), settings.lead().toNanos(), settings.interval().toNanos(),
          settings.jitter().toNanos(), settings.seed());
      try (RoutingProducer<byte[], byte[]> producer = new RoutingProducer<>(config)) {
        long interval = Math.round(1e9 / settings.recordsPerSecond());
        long start = System.nanoTime();
        long end = start + schedule[schedule.length - 1] + settings.tail().toNanos();
        int written = 0;
        int observed = 0;
        int i = 0;
        while (i < capacity) {
          long now = System.nanoTime();
          if (now >= end) {
            break;
          }
          long epoch = producer.epoch();
          while (observed < plan.cutovers() && epoch >= CutoverPlan.epochOf(observed + 1)) {
            cutoverStart[observed++] = now;
          }
          if (written < plan.cutovers() && now - start >= schedule[written]) {
            Variant.writeAtomically(file, plan.document(++written));
            progress.accept("cutover " + written + " of " + plan.cutovers() + " written (epoch "
                + CutoverPlan.epochOf(written) + (written == 1 ? ", warm-up)" : ")"));
          }
          long due = start + (long) i * interval;
          if (now < due) {
            LockSupport.parkNanos(Math.min(due - now, 200_000));
            continue;
          }
          int seq = i++;
          int k = seq % keys.length;
          byte[] value = filler.clone();
          ByteBuffer.wrap(value).putLong(seq);
          bucketOf[seq] = keyBuckets[k];
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
        if (observed < plan.cutovers()) {
          throw new IllegalStateException("the producer reached " + observed + " of " + plan.cutovers()
              + " cutover epochs; refresh.ms=" + settings.refreshMillis());
        }
        metrics = cutoverMetrics(producer);
      }
      records = records(sentCount, sent, bucketOf, probe, acked);
      long sourceAcked = 0;
      for (int i = 0; i < sentCount; i++) {
        sourceAcked += records.handedTo()[i] == CutoverAnalysis.SOURCE && records.acked()[i] != 0 ? 1 : 0;
      }
      // Replication of the last records, then the reader stops.
      reader.awaitSightings(sourceAcked, Duration.ofMillis(5_000 + 5 * settings.replicationLagMillis()));
    } finally {
      reader.stop();
      Measurements.join(readerThread);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a send failed", failure.get());
    }
    if (reader.failure.get() != null) {
      throw new IllegalStateException("the consumer on the target failed", reader.failure.get());
    }

    List<CutoverAnalysis.Cutover> cutovers = new ArrayList<>();
    for (int k = 1; k <= plan.cutovers(); k++) {
      cutovers.add(new CutoverAnalysis.Cutover(k, CutoverPlan.epochOf(k), plan.movedFrom(k), plan.movedTo(k),
          cutoverStart[k - 1]));
    }
    List<CutoverAnalysis.CutoverResult> all = CutoverAnalysis.perCutover(records, cutovers);
    CutoverAnalysis.Replication replication = CutoverAnalysis.replication(records, reader.sightings());
    if (replication.mismatched() > 0) {
      throw new IllegalStateException(replication.mismatched() + " copies on the target matched another record by "
          + "turnout.id than by their value");
    }
    Results results = new Results(settings, all.subList(1, all.size()), replication, sentCount, refused.sum(),
        metrics);
    progress.accept(String.format(Locale.ROOT, "cutover: %d cutovers, barrier wait p50 %.1f ms / p99 %.1f ms, "
            + "replication p50 %.1f ms / p99 %.1f ms (%d records), ratio %.2f, %d refused",
        results.cutovers().size(), results.barrierWait().percentile(50) / 1e6,
        results.barrierWait().percentile(99) / 1e6, results.replicationLatency().percentile(50) / 1e6,
        results.replicationLatency().percentile(99) / 1e6, replication.matched(), results.ratio(), refused.sum()));
    return results;
  }

  private Map<String, Object> producerConfig(TwoClusters clusters, Path file) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "source,target");
    config.put(TurnoutConfig.CLUSTER_PREFIX + "source.bootstrap.servers", clusters.source().bootstrapServers());
    config.put(TurnoutConfig.CLUSTER_PREFIX + "target.bootstrap.servers", clusters.target().bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_FILE, file.toString());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, settings.refreshMillis());
    // The default, set explicitly so that the benchmark measures it whatever the default becomes.
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, HandoffProbe.class.getName());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID);
    return config;
  }

  private static CutoverAnalysis.Records records(int count, long[] sent, int[] bucketOf, HandoffProbe.Recording probe,
      AtomicLongArray acked) {
    long[] handoff = new long[count];
    byte[] handedTo = new byte[count];
    long[] routedEpoch = new long[count];
    long[] idSequence = new long[count];
    long[] ack = new long[count];
    for (int i = 0; i < count; i++) {
      handoff[i] = probe.handoff.get(i);
      String origin = probe.handedTo.get(i);
      handedTo[i] = origin == null ? CutoverAnalysis.NOT_HANDED
          : origin.equals("source") ? CutoverAnalysis.SOURCE : CutoverAnalysis.TARGET;
      routedEpoch[i] = probe.routedEpoch.get(i);
      idSequence[i] = probe.idSequence.get(i);
      ack[i] = acked.get(i);
    }
    return new CutoverAnalysis.Records(count, sent.clone(), bucketOf.clone(), handoff, handedTo, routedEpoch,
        probe.idInstance.get(0), idSequence, ack);
  }

  /**
   * Reads the topic on the target from its end, and notes when each copy of a record written to the source
   * (its {@code turnout.route} origin) first appears, with its {@code turnout.id}.
   */
  private static final class TargetReader implements Runnable {

    private final TwoClusters clusters;
    private final long[] idInstance;
    private final long[] idSequence;
    private final long[] seen;
    private final long[] valueSequence;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch positioned = new CountDownLatch(1);
    final AtomicReference<Exception> failure = new AtomicReference<>();

    TargetReader(TwoClusters clusters, int capacity) {
      this.clusters = clusters;
      int size = capacity + capacity / 4;
      idInstance = new long[size];
      idSequence = new long[size];
      seen = new long[size];
      valueSequence = new long[size];
    }

    @Override
    public void run() {
      Map<String, Object> config = clusters.target().clientConfig();
      config.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-cutover-target-reader");
      config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
          new ByteArrayDeserializer())) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(TOPIC)) {
          partitions.add(new TopicPartition(TOPIC, p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        positioned.countDown();
        while (running.get()) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
            long now = System.nanoTime();
            Header route = record.headers().lastHeader(ProvenanceHeaders.ROUTE);
            Header id = record.headers().lastHeader(ProvenanceHeaders.ID);
            ProvenanceHeaders.RouteStamp stamp = route == null ? null : ProvenanceHeaders.parseRoute(route.value());
            if (stamp == null || !stamp.origin().equals("source") || id == null
                || id.value().length != ProvenanceHeaders.ID_LENGTH || record.value().length < Long.BYTES) {
              continue;
            }
            int n = count.get();
            if (n == seen.length) {
              throw new IllegalStateException("more copies on the target than records sent");
            }
            idInstance[n] = RecordIds.instanceOf(id.value());
            idSequence[n] = RecordIds.sequenceOf(id.value());
            seen[n] = now;
            valueSequence[n] = ByteBuffer.wrap(record.value()).getLong();
            count.set(n + 1);
          }
        }
      } catch (Exception e) {
        failure.compareAndSet(null, e);
      } finally {
        positioned.countDown();
      }
    }

    void awaitPositioned() {
      try {
        if (!positioned.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the consumer on the target did not start within 60 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      if (failure.get() != null) {
        throw new IllegalStateException("the consumer on the target failed", failure.get());
      }
    }

    void awaitSightings(long expected, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (count.get() < expected && System.nanoTime() < deadline && failure.get() == null) {
        BenchBroker.sleep(Duration.ofMillis(50));
      }
    }

    void stop() {
      running.set(false);
    }

    /** The sightings; call after the reader's thread has ended. */
    CutoverAnalysis.Sightings sightings() {
      int n = count.get();
      return new CutoverAnalysis.Sightings(n, idInstance, idSequence, seen, valueSequence);
    }
  }

  private static Map<String, Object> cutoverMetrics(RoutingProducer<?, ?> producer) {
    Map<String, Object> found = new LinkedHashMap<>();
    List<String> names = List.of("cutover-barrier-wait-ms-p50", "cutover-barrier-wait-ms-p99",
        "cutover-barrier-wait-ms-max", "cutover-barrier-wait-ms-avg", "cutovers-total", "cutover-barriers-total",
        "cutover-barrier-timeouts-total");
    for (String wanted : names) {
      for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
        MetricName name = e.getKey();
        if (name.group().equals("turnout") && name.name().equals(wanted)) {
          found.put(wanted, e.getValue().metricValue());
        }
      }
    }
    return found;
  }

  /** The Markdown section. */
  public static String render(Results results) {
    Settings s = results.settings();
    CutoverPlan plan = new CutoverPlan(TOPIC, s.cutovers() + 1);
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "One warm-up cutover %d ms after sending started (not counted: it creates "
            + "the target's client and the producer's replication watcher there), then %d measured cutovers, one "
            + "every %d-%d ms (%d ms plus a uniformly random part), each moving %d of the 10,000 key buckets from "
            + "source to target; %,d records/s of %d B over %d keys, %d partitions, acks=all, linger.ms=5, "
            + "`turnout.authority.refresh.ms=%d`, `turnout.cutover.barrier=replicated` (the default). MirrorMaker 2 "
            + "with `replicationLagMillis(%d)`: its source consumer fetches once per %d ms.%n%n",
        s.lead().toMillis(), results.cutovers().size(), s.interval().toMillis(),
        s.interval().plus(s.jitter()).toMillis(), s.interval().toMillis(), plan.step(), s.recordsPerSecond(),
        VALUE_BYTES, s.keys(), s.partitions(), s.refreshMillis(), s.replicationLagMillis(),
        s.replicationLagMillis()));
    MarkdownTable table = new MarkdownTable("distribution", "samples", "p50 ms", "p90 ms", "p99 ms", "max ms");
    row(table, "barrier wait: cutover to the first moved record handed to the target", results.barrierWait());
    row(table, "replication latency: ack on the source to seen on the target, matched by `turnout.id`",
        results.replicationLatency());
    row(table, "first moved record after a cutover: send to ack", results.firstMoved());
    row(table, "unmoved records in the second after a cutover: send to ack (median per cutover)", results.unmoved());
    out.append(table.render());
    out.append(String.format(Locale.ROOT, "%nBarrier wait p99 / replication latency p99 = %s (target <= %.1f).%n",
        Format.fixed(results.ratio(), 2), TARGET_RATIO));

    CutoverAnalysis.Replication r = results.replication();
    out.append(String.format(Locale.ROOT, "%nRecords sent: %,d; refused: %,d. Of the %,d records acknowledged by "
            + "the source, %,d were found on the target by `turnout.id` (%d copies matched no record, %d were "
            + "duplicates, %d were seen before their acknowledgement was recorded).%n%n", results.records(),
        results.refused(), r.sourceAcknowledged(), r.matched(), r.unmatched(), r.duplicates(), r.notAcknowledged()));

    MarkdownTable per = new MarkdownTable("cutover", "epoch", "buckets moved", "barrier wait ms", "records that waited",
        "first moved record send to ack ms", "unmoved median send to ack ms", "overlapped the next");
    for (CutoverAnalysis.CutoverResult c : results.cutovers()) {
      per.row(c.cutover().index() - 1, c.cutover().epoch(), c.cutover().movedFrom() + "-" + c.cutover().movedTo(),
          Format.millis(c.barrierWaitNanos()), c.waited(), Format.millis(c.firstMovedSendToAckNanos()),
          Format.millis(c.unmovedMedianNanos()), c.overlapped() ? "yes" : "no");
    }
    out.append(per.render());

    if (!results.producerMetrics().isEmpty()) {
      out.append("\nThe producer's own cutover metrics at the end of the run (the warm-up cutover included; "
          + "`-p50`/`-p99` come from a histogram with 120 ms bins, and all four cover the metrics window, the last "
          + "30 to 60 s):\n\n");
      MarkdownTable metrics = new MarkdownTable("metric", "value");
      results.producerMetrics().forEach((name, value) -> metrics.row("`" + name + "`", metricValue(value)));
      out.append(metrics.render());
    }
    return out.toString();
  }

  /** A metric's value: whole numbers (counts) without decimals, others with one. */
  static String metricValue(Object value) {
    if (!(value instanceof Number n)) {
      return String.valueOf(value);
    }
    double d = n.doubleValue();
    return d == Math.rint(d) && !Double.isInfinite(d) ? Format.count(d) : Format.fixed(d, 1);
  }

  private static void row(MarkdownTable table, String name, Stats s) {
    table.row(name, s.count(), Format.millis(s.percentile(50)), Format.millis(s.percentile(90)),
        Format.millis(s.percentile(99)), Format.millis(s.max()));
  }

  /** Barrier wait p99 <= 1.5 x replication latency p99. */
  public static List<TargetCheck> targets(Results results) {
    String target = "Cutover barrier wait p99 <= 1.5 x replication latency p99 (same run)";
    double barrier = results.barrierWait().percentile(99);
    double replication = results.replicationLatency().percentile(99);
    if (Double.isNaN(barrier) || Double.isNaN(replication)) {
      return List.of(TargetCheck.notMeasured(target, "no barrier released a moved record, or no copy was seen"));
    }
    return List.of(TargetCheck.atMost(target, results.ratio(), TARGET_RATIO, "ratio " + Format.fixed(results.ratio(), 2)
        + ": barrier p99 " + Format.millis(barrier) + " ms over " + results.barrierWait().count() + " cutovers, "
        + "replication p99 " + Format.millis(replication) + " ms over " + results.replication().matched() + " records",
        "", 2));
  }
}
