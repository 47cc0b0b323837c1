package dev.turnout.benchmarks.e2e;

import dev.turnout.RoutingConsumer;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.report.TargetCheck;
import dev.turnout.fleet.FleetStatusReader;
import dev.turnout.fleet.FleetView;
import dev.turnout.fleet.InstanceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A flip reaching a fleet: {@code producers + consumers} client instances in this JVM read their authority
 * document from a control topic and publish their status to a status topic. Each flip publishes the document of
 * the next epoch to the control topic and measures the time from the publication (the moment before the send)
 * to the moment a {@link FleetStatusReader} reading the status topic has seen every instance report the new
 * epoch, and, from the status records themselves, to the publication time of the last instance's status. The
 * refresh interval is 10 minutes, so only the control topic's push brings a flip; the status interval is 10
 * minutes too, so only the epoch change publishes a status.
 */
public final class FleetFlip {

  /**
   * @param producers RoutingProducer instances
   * @param consumers RoutingConsumer instances, each polling on a thread of its own
   * @param flips flips measured (after one unmeasured warm-up flip)
   */
  public record Settings(int producers, int consumers, int flips) {}

  /**
   * Delays in nanoseconds: until the reader saw every instance on the new epoch, and until the last instance
   * published its status for it.
   */
  public record Results(int instances, Stats seenByReader, Stats lastPublished) {}

  static final long TARGET_P99_MILLIS = 1_000;
  private static final long REFRESH_MILLIS = 600_000;
  private static final long STATUS_INTERVAL_MILLIS = 600_000;

  private final BenchBroker broker;
  private final Settings settings;
  private final Consumer<String> progress;

  public FleetFlip(BenchBroker broker, Settings settings, Consumer<String> progress) {
    this.broker = broker;
    this.settings = settings;
    this.progress = progress;
  }

  /** Starts the fleet, flips, and closes everything. */
  public Results run() throws Exception {
    String run = Long.toString(System.nanoTime(), 36);
    String control = "turnout-control-" + run;
    String status = "turnout-status-" + run;
    String data = "bench.fleet-" + run;
    broker.cluster().createTopic(control, 1);
    broker.cluster().createTopic(status, 1);
    broker.cluster().createTopic(data, 1);
    List<AutoCloseable> clients = new ArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> pollers = new ArrayList<>();
    try (KafkaProducer<String, String> publisher = publisher();
        FleetStatusReader reader = new FleetStatusReader(readerConfig(), status)) {
      long epoch = 1;
      publish(publisher, control, epoch);
      for (int i = 0; i < settings.producers(); i++) {
        clients.add(new RoutingProducer<byte[], byte[]>(producerConfig(control, status, "bench-fleet-p-" + i)));
      }
      for (int i = 0; i < settings.consumers(); i++) {
        RoutingConsumer<byte[], byte[]> consumer = new RoutingConsumer<>(consumerConfig(control, status, i));
        consumer.subscribe(List.of(data));
        Thread t = new Thread(() -> {
          try {
            while (running.get()) {
              consumer.poll(Duration.ofMillis(50));
            }
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          } finally {
            consumer.close(Duration.ofSeconds(5));
          }
        }, "bench-fleet-c-" + i);
        pollers.add(t);
        t.start();
      }
      int instances = settings.producers() + settings.consumers();
      awaitFleet(reader, instances, epoch, Duration.ofSeconds(60), failure);
      progress.accept("fleet of " + instances + " instances on epoch " + epoch);
      List<Double> seen = new ArrayList<>();
      List<Double> published = new ArrayList<>();
      Random random = new Random(7);
      for (int flip = 0; flip <= settings.flips(); flip++) {
        BenchBroker.sleep(Duration.ofMillis(50 + random.nextInt(200)));
        epoch++;
        long startNanos = System.nanoTime();
        Instant startWall = Instant.now();
        publish(publisher, control, epoch);
        FleetView view = awaitFleet(reader, instances, epoch, Duration.ofSeconds(30), failure);
        long seenNanos = System.nanoTime() - startNanos;
        Instant last = view.instances().stream().map(InstanceStatus::publishedAt).max(Instant::compareTo)
            .orElseThrow();
        if (flip > 0) { // the first flip warms up every path
          seen.add((double) seenNanos);
          published.add((double) Math.max(0, Duration.between(startWall, last).toNanos()));
        }
      }
      Results results = new Results(instances, Stats.of(seen), Stats.of(published));
      progress.accept(String.format("fleet flip, %d instances: seen by the reader p50 %.1f ms p99 %.1f ms; last "
          + "status published p50 %.1f ms p99 %.1f ms over %d flips", instances,
          results.seenByReader().percentile(50) / 1e6, results.seenByReader().percentile(99) / 1e6,
          results.lastPublished().percentile(50) / 1e6, results.lastPublished().percentile(99) / 1e6,
          results.seenByReader().count()));
      return results;
    } finally {
      running.set(false);
      pollers.forEach(Measurements::join);
      for (AutoCloseable c : clients) {
        c.close();
      }
      for (String topic : List.of(control, status, data)) {
        broker.deleteTopic(topic);
      }
    }
  }

  /** Reads the status topic until every one of {@code instances} reports {@code epoch}; returns that view. */
  private static FleetView awaitFleet(FleetStatusReader reader, int instances, long epoch, Duration timeout,
      AtomicReference<Throwable> failure) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      FleetView view = reader.poll(Duration.ofMillis(5));
      if (view.instances().size() >= instances && view.stragglers(epoch).isEmpty()
          && view.instances().stream().allMatch(s -> s.epoch() >= epoch)) {
        return view;
      }
      if (failure.get() != null) {
        throw new IllegalStateException("a consumer failed", failure.get());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the fleet did not report epoch " + epoch + " within " + timeout + ": "
            + view.instances().size() + " instance(s) seen, stragglers " + view.stragglers(epoch).size());
      }
    }
  }

  private void publish(KafkaProducer<String, String> publisher, String topic, long epoch) throws Exception {
    publisher.send(new ProducerRecord<>(topic, "authority", document(epoch))).get(30, TimeUnit.SECONDS);
  }

  /** A document whose epoch changes and whose routing does not: no flip waits for a barrier. */
  static String document(long epoch) {
    return "epoch=" + epoch + "\n"
        + "source=" + Variant.ORIGIN + "\n"
        + "target=" + Variant.OTHER + "\n"
        + "rule.fleet.topic-prefix=bench.fleet\n"
        + "rule.fleet.state=MIRROR\n";
  }

  private KafkaProducer<String, String> publisher() {
    Map<String, Object> config = broker.cluster().clientConfig();
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-fleet-publisher");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(config);
  }

  private Map<String, Object> readerConfig() {
    Map<String, Object> config = broker.cluster().clientConfig();
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-fleet-reader");
    return config;
  }

  private Map<String, Object> common(String control, String status, String clientId) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, Variant.ORIGIN + ',' + Variant.OTHER);
    config.put(TurnoutConfig.CLUSTER_PREFIX + Variant.ORIGIN + ".bootstrap.servers", broker.bootstrapServers());
    config.put(TurnoutConfig.CLUSTER_PREFIX + Variant.OTHER + ".bootstrap.servers", broker.bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_TOPIC, control);
    config.put(TurnoutConfig.AUTHORITY_TOPIC_CLUSTER, Variant.ORIGIN);
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, REFRESH_MILLIS);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 2 * REFRESH_MILLIS);
    config.put(TurnoutConfig.STATUS_TOPIC, status);
    config.put(TurnoutConfig.STATUS_INTERVAL_MS, STATUS_INTERVAL_MILLIS);
    config.put(TurnoutConfig.SERVICE_NAME, clientId.substring(0, clientId.lastIndexOf('-')));
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    return config;
  }

  private Map<String, Object> producerConfig(String control, String status, String clientId) {
    Map<String, Object> config = common(control, status, clientId);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class);
    return config;
  }

  private Map<String, Object> consumerConfig(String control, String status, int i) {
    Map<String, Object> config = common(control, status, "bench-fleet-c-" + i);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-fleet-group-" + i);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return config;
  }

  /** The Markdown section. */
  public static String render(Results results) {
    MarkdownTable table = new MarkdownTable("measured until", "instances", "flips", "p50 ms", "p90 ms", "p99 ms",
        "max ms");
    row(table, "the status reader saw every instance on the new epoch", results.instances(), results.seenByReader());
    row(table, "the last instance published its status for it", results.instances(), results.lastPublished());
    return table.render() + "\nFrom the publication of the document to the control topic (one in-process broker; "
        + "`turnout.authority.refresh.ms` and `turnout.status.interval.ms` at 10 minutes, so neither polling nor "
        + "periodic publication brings the flip). Half the instances are producers, half consumers polling every "
        + "50 ms; the status reader polls the status topic in a loop. The second row is read from the status "
        + "records' own publication times (same clock).\n";
  }

  private static void row(MarkdownTable table, String until, int instances, Stats s) {
    table.row(until, instances, s.count(), Format.millis(s.percentile(50)), Format.millis(s.percentile(90)),
        Format.millis(s.percentile(99)), Format.millis(s.max()));
  }

  /** Fleet flip p99 under 1 s. */
  public static List<TargetCheck> targets(Results results) {
    double p99 = results.seenByReader().percentile(99) / 1e6;
    return List.of(TargetCheck.atMost("Fleet flip p99 < " + TARGET_P99_MILLIS + " ms (" + results.instances()
        + " instances, control topic to every status)", p99, TARGET_P99_MILLIS, "p99 " + Format.fixed(p99, 1)
        + " ms over " + results.seenByReader().count() + " flips", "ms", 1));
  }
}
