package dev.turnout.benchmarks.e2e;

import dev.turnout.TurnoutConfig;
import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.report.TargetCheck;
import dev.turnout.benchmarks.workload.HeaderEncoding;
import dev.turnout.benchmarks.workload.Payloads;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Consumer poll throughput, RoutingConsumer against KafkaConsumer (and a second KafkaConsumer, the A/A pair),
 * on the same in-process broker, reading the same pre-filled topic (records carrying Turnout's two headers)
 * from the beginning with a fresh group each time, in interleaved rounds. The clock starts at the first
 * non-empty poll, so group joining is not counted.
 *
 * <p>{@code dev.turnout.RoutingConsumer} is looked up at run time through its public
 * {@code (Map, Deserializer, Deserializer)} constructor; in a build without it, the routed rows are reported
 * as not measured and the A/A pair still runs.
 */
public final class ConsumerComparison {

  /** The routing consumer's class name. */
  public static final String ROUTING_CONSUMER = "dev.turnout.RoutingConsumer";

  /**
   * @param rounds interleaved rounds
   * @param recordsBySize records pre-filled per value size
   * @param partitions partitions of each topic
   * @param timeout longest time one consumer may take to read everything
   */
  public record Settings(int rounds, Map<Integer, Integer> recordsBySize, int partitions, Duration timeout) {}

  /** Per value size and variant, records per second per round. */
  public record Results(Map<Integer, Map<String, List<Double>>> bySize, String routedUnavailable) {

    Stats rate(int size, String variant) {
      return Stats.of(bySize.get(size).getOrDefault(variant, List.of()));
    }

    Stats ratio(int size, String variant) {
      List<Double> raw = bySize.get(size).get(ProducerComparison.RAW);
      List<Double> other = bySize.get(size).getOrDefault(variant, List.of());
      double[] ratios = new double[Math.min(raw.size(), other.size())];
      for (int r = 0; r < ratios.length; r++) {
        ratios[r] = other.get(r) / raw.get(r);
      }
      return Stats.of(ratios);
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

  /** The routing consumer's constructor, or empty when this build has none. */
  static Optional<Constructor<?>> routingConsumerConstructor() {
    try {
      Class<?> type = Class.forName(ROUTING_CONSUMER);
      if (!org.apache.kafka.clients.consumer.Consumer.class.isAssignableFrom(type)) {
        return Optional.empty();
      }
      return Optional.of(type.getConstructor(Map.class, Deserializer.class, Deserializer.class));
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      return Optional.empty();
    }
  }

  /** Runs the rounds; pre-fills one topic per value size first. */
  public Results run() {
    Optional<Constructor<?>> routing = routingConsumerConstructor();
    String unavailable = routing.isPresent() ? null
        : ROUTING_CONSUMER + " (with a public (Map, Deserializer, Deserializer) constructor) is not in this build";
    Path authority = workDir.resolve("consumer-authority.properties");
    Variant.writeAtomically(authority, consumerDocument());
    Map<Integer, Map<String, List<Double>>> bySize = new LinkedHashMap<>();
    int groupSeq = 0;
    for (Map.Entry<Integer, Integer> sizeAndCount : settings.recordsBySize().entrySet()) {
      int size = sizeAndCount.getKey();
      int count = sizeAndCount.getValue();
      String topic = prefill(size, count);
      Map<String, List<Double>> byVariant = new LinkedHashMap<>();
      bySize.put(size, byVariant);
      List<String> variants = new ArrayList<>(List.of(ProducerComparison.RAW, ProducerComparison.RAW_AA));
      if (routing.isPresent()) {
        variants.add(1, ProducerComparison.ROUTED);
      }
      for (int round = 0; round < settings.rounds(); round++) {
        for (String variant : ProducerComparison.rotate(variants, round)) {
          String group = "bench-group-" + groupSeq++;
          double rate;
          try (org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer =
              create(variant, routing, group, authority)) {
            rate = consume(consumer, topic, count + settings.partitions());
          }
          byVariant.computeIfAbsent(variant, v -> new ArrayList<>()).add(rate);
          progress.accept(String.format("consumer round %d, %d B, %s: %,.0f records/s", round + 1, size, variant,
              rate));
        }
      }
      broker.deleteTopic(topic);
    }
    return new Results(bySize, unavailable);
  }

  private String prefill(int size, int count) {
    String topic = broker.newTopic("consume", settings.partitions());
    Payloads payloads = new Payloads(size, 4096, 5L * size);
    Variant raw = Variant.raw("prefill", broker.bootstrapServers(), HeaderEncoding.TWO_HEADERS);
    java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
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

  @SuppressWarnings("unchecked")
  private org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> create(String variant,
      Optional<Constructor<?>> routing, String group, Path authority) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    if (!variant.equals(ProducerComparison.ROUTED)) {
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      return new KafkaConsumer<>(config);
    }
    config.put(TurnoutConfig.CLUSTERS, Variant.ORIGIN + ',' + Variant.OTHER);
    config.put(TurnoutConfig.CLUSTER_PREFIX + Variant.ORIGIN + ".bootstrap.servers", broker.bootstrapServers());
    config.put(TurnoutConfig.CLUSTER_PREFIX + Variant.OTHER + ".bootstrap.servers", broker.bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_FILE, authority.toString());
    try {
      return (org.apache.kafka.clients.consumer.Consumer<byte[], byte[]>) routing.orElseThrow()
          .newInstance(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("Cannot create " + ROUTING_CONSUMER, e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot create " + ROUTING_CONSUMER, e);
    }
  }

  /** Records per second from the first non-empty poll until {@code count} records were read. */
  private double consume(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, String topic,
      int count) {
    consumer.subscribe(List.of(topic));
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    long first = -1;
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
    if (seen != count || checksum <= 0) {
      throw new IllegalStateException("read " + seen + " records, expected " + count);
    }
    return afterFirst / ((end - first) / 1e9);
  }

  /** Reads of {@code bench.*} go to the source, {@link Variant#ORIGIN}, which holds the records. */
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
    if (results.routedUnavailable() != null) {
      out.append("RoutingConsumer not measured: ").append(results.routedUnavailable())
          .append(". The raw A/A pair below shows the noise floor of this measurement.\n\n");
    }
    MarkdownTable table = new MarkdownTable("value", "raw records/s", "routed records/s", "routed/raw", "A/A raw/raw");
    for (int size : results.bySize().keySet()) {
      table.row(ProducerComparison.size(size), Format.count(results.rate(size, ProducerComparison.RAW).median()),
          Format.count(results.rate(size, ProducerComparison.ROUTED).median()),
          Format.medianRange(results.ratio(size, ProducerComparison.ROUTED), 3),
          Format.medianRange(results.ratio(size, ProducerComparison.RAW_AA), 3));
    }
    out.append(table.render());
    return out.toString();
  }

  /** Consumer throughput ratio >= 0.98 for every value size. */
  public static List<TargetCheck> targets(Results results) {
    List<TargetCheck> checks = new ArrayList<>();
    for (int size : results.bySize().keySet()) {
      String target = "Consumer throughput routed/raw >= 0.98 at " + ProducerComparison.size(size);
      if (results.routedUnavailable() != null) {
        checks.add(TargetCheck.notMeasured(target, results.routedUnavailable()));
        continue;
      }
      Stats ratio = results.ratio(size, ProducerComparison.ROUTED);
      checks.add(TargetCheck.atLeast(target, ratio.median(), 0.98, "median " + Format.medianRange(ratio, 3)
          + "; A/A " + Format.medianRange(results.ratio(size, ProducerComparison.RAW_AA), 3), "", 3));
    }
    return checks;
  }
}
