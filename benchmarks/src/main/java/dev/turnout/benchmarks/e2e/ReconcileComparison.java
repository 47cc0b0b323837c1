package dev.turnout.benchmarks.e2e;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.workload.Payloads;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import dev.turnout.reconcile.ReconcileReport;
import dev.turnout.reconcile.ReconcileRequest;
import dev.turnout.reconcile.Reconciler;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reconciliation throughput: records per second copied by {@code Reconciler.apply} (validation read of the
 * target, search of the source, re-read and transactional copy) against a raw copy of the same records (one
 * {@code KafkaConsumer} on the target feeding one idempotent {@code KafkaProducer} on the source, same partitions,
 * headers and timestamps), on the same two in-process clusters, in interleaved rounds after a discarded warm-up
 * round. Each round pre-fills a new target topic with target-only records (Turnout headers naming the target);
 * the reconciler copies them into the source topic of the same name, the raw copy into a topic of its own. Both
 * timings include creating the clients.
 */
public final class ReconcileComparison {

  static final String RAW = "raw copy";
  static final String RECONCILE = "Reconciler.apply";

  /**
   * @param rounds measured rounds
   * @param records target-only records per round
   * @param valueBytes value size
   * @param partitions partitions of each topic
   */
  public record Settings(int rounds, int records, int valueBytes, int partitions) {}

  /** Records per second per variant, one entry per measured round. */
  public record Results(Settings settings, Map<String, List<Double>> rates) {

    Stats rate(String variant) {
      return Stats.of(rates.getOrDefault(variant, List.of()));
    }

    /** Per-round ratio of the reconciler's rate to the raw copy's. */
    Stats ratio() {
      List<Double> raw = rates.getOrDefault(RAW, List.of());
      List<Double> rec = rates.getOrDefault(RECONCILE, List.of());
      List<Double> out = new ArrayList<>();
      for (int i = 0; i < Math.min(raw.size(), rec.size()); i++) {
        out.add(rec.get(i) / raw.get(i));
      }
      return Stats.of(out);
    }
  }

  private final Settings settings;
  private final Consumer<String> progress;

  public ReconcileComparison(Settings settings, Consumer<String> progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /** Starts two clusters, runs the rounds, stops the clusters. */
  public Results run() {
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    try (TwoClusters clusters = TwoClusters.start()) {
      for (int round = 0; round <= settings.rounds(); round++) {
        String topic = "bench.reconcile." + round;
        clusters.createTopic(topic, settings.partitions());
        clusters.source().createTopic(topic + ".raw", settings.partitions());
        prefill(clusters.target(), topic);
        List<String> order = round % 2 == 0 ? List.of(RAW, RECONCILE) : List.of(RECONCILE, RAW);
        for (String variant : order) {
          long started = System.nanoTime();
          long copied = variant.equals(RAW) ? rawCopy(clusters, topic) : reconcile(clusters, topic);
          double seconds = (System.nanoTime() - started) / 1e9;
          if (copied != settings.records()) {
            throw new IllegalStateException(variant + " copied " + copied + " of " + settings.records() + " records");
          }
          double rate = copied / seconds;
          if (round > 0) {
            rates.computeIfAbsent(variant, v -> new ArrayList<>()).add(rate);
          }
          progress.accept(String.format("reconcile %s, %s: %,.0f records/s", round == 0 ? "warm-up" : "round " + round,
              variant, rate));
        }
      }
    }
    return new Results(settings, rates);
  }

  /** Target-only records: routed to the target ("cloud") by rule "orders" under epoch 2, unique ids. */
  private void prefill(KafkaTestCluster target, String topic) {
    Payloads payloads = new Payloads(settings.valueBytes(), 4096, 7L * settings.valueBytes());
    Header route = ProvenanceHeaders.routeHeader("cloud", 2, "orders", null);
    RecordIds ids = new RecordIds();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(target),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; i < settings.records(); i++) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, payloads.key(i), payloads.value(i));
        record.headers().add(route);
        record.headers().add(ProvenanceHeaders.ID, ids.next());
        producer.send(record, (m, e) -> {
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
  }

  private long rawCopy(TwoClusters clusters, String topic) {
    Map<String, Object> consumerConfig = clusters.target().clientConfig();
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long copied = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(clusters.source()),
            new ByteArraySerializer(), new ByteArraySerializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < settings.partitions(); p++) {
        partitions.add(new TopicPartition(topic, p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (copied < settings.records()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("raw copy read " + copied + " of " + settings.records() + " records");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          producer.send(new ProducerRecord<>(topic + ".raw", r.partition(), r.timestamp(), r.key(), r.value(),
              r.headers()));
          copied++;
        }
      }
      producer.flush();
    }
    return copied;
  }

  private long reconcile(TwoClusters clusters, String topic) {
    AuthorityMap document = AuthorityMap.parse(Map.of("epoch", "2", "source", "onprem", "target", "cloud",
        "rule.orders.topics", topic, "rule.orders.state", "TARGET_AUTHORITY"), List.of("onprem", "cloud"));
    try (Reconciler reconciler = Reconciler.builder().source("onprem", clusters.source().clientConfig())
        .target("cloud", clusters.target().clientConfig()).build()) {
      ReconcileReport report = reconciler.apply(ReconcileRequest.forRule("orders").epochs(2, 2)
          .documents(List.of(document)).build());
      return report.copied();
    }
  }

  private static Map<String, Object> producerConfig(KafkaTestCluster cluster) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return config;
  }

  /** The Markdown section. */
  public static String render(Results results) {
    Settings s = results.settings();
    StringBuilder out = new StringBuilder();
    out.append(String.format("%d round(s) after a discarded warm-up round, %,d target-only records of %d B in %d "
        + "partitions per round, copied from the target to the source of two in-process clusters. The raw copy is "
        + "one KafkaConsumer feeding one idempotent KafkaProducer; `Reconciler.apply` reads the target once "
        + "(validating every range and keeping the records to copy, up to 64 MiB), searches the source and writes in "
        + "transactions. Both timings include creating "
        + "the clients.%n%n", results.rate(RAW).count(), s.records(), s.valueBytes(), s.partitions()));
    MarkdownTable table = new MarkdownTable("raw copy records/s", "Reconciler.apply records/s", "apply/raw");
    table.row(Format.count(results.rate(RAW).median()), Format.count(results.rate(RECONCILE).median()),
        Format.medianRange(results.ratio(), 3));
    return out.append(table.render()).toString();
  }

  /** Runs the comparison alone: {@code ReconcileComparison [rounds] [records] [valueBytes] [partitions]}. */
  public static void main(String[] args) {
    Settings settings = new Settings(arg(args, 0, 3), arg(args, 1, 200_000), arg(args, 2, 100), arg(args, 3, 3));
    Results results = new ReconcileComparison(settings, System.out::println).run();
    System.out.println(render(results));
  }

  private static int arg(String[] args, int index, int fallback) {
    return args.length > index ? Integer.parseInt(args[index]) : fallback;
  }
}
