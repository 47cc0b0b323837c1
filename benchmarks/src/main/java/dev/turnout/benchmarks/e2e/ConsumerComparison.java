package dev.turnout.benchmarks.e2e;

import dev.turnout.TurnoutConfig;
import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.report.TargetCheck;
import dev.turnout.benchmarks.workload.HeaderEncoding;
import dev.turnout.benchmarks.workload.Payloads;
import dev.turnout.RoutingConsumer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumer poll throughput, RoutingConsumer against KafkaConsumer (and a second KafkaConsumer, the A/A pair),
 * on the same in-process broker, reading the same pre-filled topic (records carrying Turnout's two headers)
 * from the beginning with a fresh group each time, in interleaved rounds after a discarded warm-up round. The
 * clock starts at the first non-empty poll, so group joining is not counted.
 *
 * <p>The RoutingConsumer's authority map puts the topics in {@code MIRROR} with that broker's alias as the
 * rule's source, so it reads them from the one cluster, as a KafkaConsumer does; the rule's target is a second
 * alias of the same broker, never read.
 */
public final class ConsumerComparison {

  private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /**
   * @param rounds rounds (new consumers and groups each)
   * @param passes measured reads of the whole topic per consumer and round, the consumers taking turns
   * @param recordsBySize records pre-filled per value size
   * @param partitions partitions of each topic
   * @param timeout longest time one consumer may take to read everything
   */
  public record Settings(int rounds, int passes, Map<Integer, Integer> recordsBySize, int partitions,
      Duration timeout) {}

  /**
   * One consumer's timed reads in one round.
   *
   * @param recordsPerSecond records read per second
   * @param appCpuMicros CPU microseconds per record of the thread calling {@code poll}
   * @param processCpuMicros process CPU microseconds per record (the consumer, the co-located broker, the idle
   *     consumers of the round, GC and JIT)
   */
  record Read(double recordsPerSecond, double appCpuMicros, double processCpuMicros) {}

  /** Per value size and variant, one {@link Read} per round. */
  public record Results(Map<Integer, Map<String, List<Read>>> bySize) {

    Stats rate(int size, String variant) {
      return Stats.of(reads(size, variant).stream().map(Read::recordsPerSecond).toList());
    }

    Stats cpu(int size, String variant, ToDoubleFunction<Read> figure) {
      return Stats.of(reads(size, variant).stream().map(figure::applyAsDouble).toList());
    }

    /** Per-round ratio of {@code variant}'s throughput to raw's. */
    Stats ratio(int size, String variant) {
      return ProducerComparison.perRound(reads(size, ProducerComparison.RAW), reads(size, variant),
          (raw, other) -> other.recordsPerSecond() / raw.recordsPerSecond());
    }

    /** Per-round ratio of raw's process CPU per record to {@code variant}'s. */
    Stats cpuRatio(int size, String variant) {
      return ProducerComparison.perRound(reads(size, ProducerComparison.RAW), reads(size, variant),
          (raw, other) -> raw.processCpuMicros() / other.processCpuMicros());
    }

    private List<Read> reads(int size, String variant) {
      return bySize.get(size).getOrDefault(variant, List.of());
    }
  }

  private final BenchBroker broker;
  private final Settings settings;
  private final Path workDir;
  private final Consumer<String> progress;

  public ConsumerComparison(BenchBroker broker, Settings settings, Path workDir, Consumer<String> progress) {
    this.broker = broker;
    this.settings = settings;
    this.workDir = workDir;
    this.progress = progress;
  }

  /** Runs the rounds; pre-fills one topic per value size first. */
  public Results run() {
    Path authority = workDir.resolve("consumer-authority.properties");
    Variant.writeAtomically(authority, consumerDocument());
    Map<Integer, Map<String, List<Read>>> bySize = new LinkedHashMap<>();
    int groupSeq = 0;
    for (Map.Entry<Integer, Integer> sizeAndCount : settings.recordsBySize().entrySet()) {
      int size = sizeAndCount.getKey();
      int count = sizeAndCount.getValue();
      String topic = prefill(size, count);
      Map<String, List<Read>> byVariant = new LinkedHashMap<>();
      bySize.put(size, byVariant);
      List<String> variants = List.of(ProducerComparison.RAW, ProducerComparison.ROUTED, ProducerComparison.RAW_AA);
      // Round 0 is a warm-up (JIT, page cache, broker fetch path) and is discarded, as in the producer comparison.
      // In each round the three consumers join their groups and read the topic once (not counted), then take
      // turns reading it again from the beginning, so that a slow spell of the machine falls on all of them.
      for (int round = 0; round <= settings.rounds(); round++) {
        List<String> order = ProducerComparison.rotate(variants, round);
        List<org.apache.kafka.clients.consumer.Consumer<byte[], byte[]>> consumers = new ArrayList<>();
        try {
          for (String variant : order) {
            org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer =
                create(variant, "bench-group-" + groupSeq++, authority);
            consumers.add(consumer);
            consumer.subscribe(List.of(topic));
            read(consumer, count + settings.partitions());
          }
          long[] records = new long[order.size()];
          long[] nanos = new long[order.size()];
          long[] appCpu = new long[order.size()];
          long[] processCpu = new long[order.size()];
          for (int pass = 0; pass < settings.passes(); pass++) {
            for (int j = 0; j < order.size(); j++) {
              int i = (j + pass) % order.size();
              org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer = consumers.get(i);
              consumer.seekToBeginning(consumer.assignment());
              long[] timed = read(consumer, count + settings.partitions());
              records[i] += timed[0];
              nanos[i] += timed[1];
              appCpu[i] += timed[2];
              processCpu[i] += timed[3];
            }
          }
          for (int i = 0; i < order.size(); i++) {
            if (consumers.get(i) instanceof RoutingConsumer<byte[], byte[]> routed) {
              requireReadFromOrigin(routed, (long) (settings.passes() + 1) * (count + settings.partitions()));
            }
            double rate = records[i] / (nanos[i] / 1e9);
            double perRecord = Math.max(1, records[i]) * 1000.0;
            if (round > 0) {
              byVariant.computeIfAbsent(order.get(i), v -> new ArrayList<>())
                  .add(new Read(rate, appCpu[i] / perRecord, processCpu[i] / perRecord));
            }
            progress.accept(String.format("consumer %s, %d B, %s: %,.0f records/s",
                round == 0 ? "warm-up" : "round " + round, size, order.get(i), rate));
          }
        } finally {
          consumers.forEach(org.apache.kafka.clients.consumer.Consumer::close);
        }
      }
      broker.deleteTopic(topic);
    }
    return new Results(bySize);
  }

  private String prefill(int size, int count) {
    String topic = broker.newTopic("consume", settings.partitions());
    Payloads payloads = new Payloads(size, 4096, 5L * size);
    Variant raw = Variant.raw("prefill", broker.bootstrapServers(), HeaderEncoding.TWO_HEADERS);
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (Producer<byte[], byte[]> producer = raw.create("bench-prefill-" + size, "none")) {
      for (long i = 0; i < count; i++) {
        producer.send(raw.record(topic, payloads, i), (m, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("pre-filling " + topic + " failed", failure.get());
    }
    progress.accept(String.format("consumer: pre-filled %s with %,d records of %d B", topic, count, size));
    return topic;
  }

  private org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> create(String variant, String group,
      Path authority) {
    if (variant.equals(ProducerComparison.ROUTED)) {
      return new RoutingConsumer<>(routedConfig(broker.bootstrapServers(), authority, group),
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
    Map<String, Object> config = commonConfig(group);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** What both kinds of consumer are given: a fresh group, from the earliest offset, no commits. */
  private static Map<String, Object> commonConfig(String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return config;
  }

  /**
   * The RoutingConsumer's configuration: the raw consumer's settings, plus two aliases of the one broker and the
   * authority file of {@link #consumerDocument()}, which makes it read the topics from {@link Variant#ORIGIN}.
   */
  static Map<String, Object> routedConfig(String bootstrapServers, Path authority, String group) {
    Map<String, Object> config = commonConfig(group);
    config.put(TurnoutConfig.CLUSTERS, Variant.ORIGIN + ',' + Variant.OTHER);
    config.put(TurnoutConfig.CLUSTER_PREFIX + Variant.ORIGIN + ".bootstrap.servers", bootstrapServers);
    config.put(TurnoutConfig.CLUSTER_PREFIX + Variant.OTHER + ".bootstrap.servers", bootstrapServers);
    config.put(TurnoutConfig.AUTHORITY_FILE, authority.toString());
    return config;
  }

  /**
   * Checks, by the consumer's own {@code records-consumed-total} per cluster, that it read every record from
   * {@link Variant#ORIGIN} and none from the other alias: the measurement is of the routed path it claims.
   */
  private static void requireReadFromOrigin(RoutingConsumer<?, ?> consumer, long count) {
    Map<String, Double> byCluster = new HashMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
      MetricName name = e.getKey();
      if (name.group().equals("turnout") && name.name().equals("records-consumed-total")) {
        byCluster.put(name.tags().get("cluster"), ((Number) e.getValue().metricValue()).doubleValue());
      }
    }
    double origin = byCluster.getOrDefault(Variant.ORIGIN, 0.0);
    double other = byCluster.getOrDefault(Variant.OTHER, 0.0);
    if (origin < count || other != 0) {
      throw new IllegalStateException("the RoutingConsumer read " + origin + " records from " + Variant.ORIGIN
          + " and " + other + " from " + Variant.OTHER + ", expected " + count + " and 0");
    }
  }

  /**
   * Reads {@code count} records from the consumer's position; returns the records read after the first
   * non-empty poll, and from that poll to the last record the nanoseconds, this thread's CPU nanoseconds and
   * the process's CPU nanoseconds (so group joining and seeking are excluded).
   */
  private long[] read(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, int count) {
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    long first = -1;
    long firstAppCpu = 0;
    long firstProcessCpu = 0;
    long afterFirst = 0;
    long seen = 0;
    long checksum = 0;
    while (seen < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("read " + seen + " of " + count + " records within " + settings.timeout());
      }
      ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
      if (records.isEmpty()) {
        continue;
      }
      if (first < 0) {
        firstAppCpu = THREADS.getCurrentThreadCpuTime();
        firstProcessCpu = OS.getProcessCpuTime();
        first = System.nanoTime();
      } else {
        afterFirst += records.count();
      }
      for (ConsumerRecord<byte[], byte[]> record : records) {
        checksum += record.value().length + record.headers().toArray().length;
      }
      // count includes the empty probe record of each partition (BenchBroker.newTopic)
      seen += records.count();
    }
    long end = System.nanoTime();
    long appCpu = THREADS.getCurrentThreadCpuTime() - firstAppCpu;
    long processCpu = OS.getProcessCpuTime() - firstProcessCpu;
    if (seen != count || checksum <= 0) {
      throw new IllegalStateException("read " + seen + " records, expected " + count);
    }
    return new long[] {afterFirst, end - first, appCpu, processCpu};
  }

  /** Reads of {@code bench.*} go to the rule's source, {@link Variant#ORIGIN}, which holds the records. */
  static String consumerDocument() {
    return "epoch=1\n"
        + "source=" + Variant.ORIGIN + "\n"
        + "target=" + Variant.OTHER + "\n"
        + "rule.orders-eu.topic-prefix=bench.\n"
        + "rule.orders-eu.state=MIRROR\n";
  }

  /** The Markdown section. */
  public static String render(Results results) {
    StringBuilder out = new StringBuilder();
    int rounds = results.bySize().values().stream().mapToInt(v -> v.getOrDefault(ProducerComparison.RAW, List.of())
        .size()).max().orElse(0);
    out.append(String.format("%d round(s) per value size after a discarded warm-up round; in each, every consumer "
        + "read the topic once, then the consumers took turns reading it again from the beginning. Each "
        + "RoutingConsumer read every record from the rule's source alias and none from its target (checked by its "
        + "`records-consumed-total` per cluster).%n%n", rounds));
    MarkdownTable table = new MarkdownTable("value", "raw records/s", "routed records/s", "routed/raw", "A/A raw/raw",
        "process CPU per record raw/routed", "A/A");
    for (int size : results.bySize().keySet()) {
      table.row(ProducerComparison.size(size), Format.count(results.rate(size, ProducerComparison.RAW).median()),
          Format.count(results.rate(size, ProducerComparison.ROUTED).median()),
          Format.medianRange(results.ratio(size, ProducerComparison.ROUTED), 3),
          Format.medianRange(results.ratio(size, ProducerComparison.RAW_AA), 3),
          Format.medianRange(results.cpuRatio(size, ProducerComparison.ROUTED), 3),
          Format.medianRange(results.cpuRatio(size, ProducerComparison.RAW_AA), 3));
    }
    out.append(table.render()).append('\n');
    MarkdownTable cpu = new MarkdownTable("value", "polling thread", "process");
    for (int size : results.bySize().keySet()) {
      cpu.row(ProducerComparison.size(size), cpuCell(results, size, Read::appCpuMicros),
          cpuCell(results, size, Read::processCpuMicros));
    }
    out.append("CPU microseconds per record, raw -> routed (medians over rounds):\n\n").append(cpu.render());
    return out.toString();
  }

  private static String cpuCell(Results results, int size, ToDoubleFunction<Read> figure) {
    return Format.fixed(results.cpu(size, ProducerComparison.RAW, figure).median(), 3) + " -> "
        + Format.fixed(results.cpu(size, ProducerComparison.ROUTED, figure).median(), 3);
  }

  /** Consumer throughput ratio >= 0.98 for every value size. */
  public static List<TargetCheck> targets(Results results) {
    List<TargetCheck> checks = new ArrayList<>();
    for (int size : results.bySize().keySet()) {
      String target = "Consumer throughput routed/raw >= 0.98 at " + ProducerComparison.size(size);
      Stats ratio = results.ratio(size, ProducerComparison.ROUTED);
      Stats aa = results.ratio(size, ProducerComparison.RAW_AA);
      Stats cpu = results.cpuRatio(size, ProducerComparison.ROUTED);
      checks.add(TargetCheck.atLeast(target, ratio.median(), 0.98, "median " + Format.medianRange(ratio, 3) + " over "
          + ratio.count() + " rounds; A/A " + Format.medianRange(aa, 3) + "; process CPU per record raw/routed "
          + Format.medianRange(cpu, 3), "", 3));
    }
    return checks;
  }
}
