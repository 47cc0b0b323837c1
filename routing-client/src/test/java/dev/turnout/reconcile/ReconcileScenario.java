package dev.turnout.reconcile;

import static org.awaitility.Awaitility.await;

import dev.turnout.RoutedMetadata;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.testkit.KafkaTestCluster;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Records written through a real RoutingProducer with a file authority document: epoch 1 MIRROR (everything to
 * onprem), then epoch 2 WRITE_PROMOTION with slice {@code s20} (buckets 0-1999) on cloud and {@code rest} on onprem.
 * Remembers every acknowledgement, by cluster.
 */
final class ReconcileScenario implements AutoCloseable {

  static final String RULE = "orders";
  static final int MOVED_BELOW = 2000;

  /** One acknowledged record. */
  record Ack(String cluster, int partition, long offset, String key, String value) {}

  final String topic;
  final List<Ack> acks = new ArrayList<>();
  private final Path file;
  private final RoutingProducer<String, String> producer;
  private int sequence;

  ReconcileScenario(KafkaTestCluster onprem, KafkaTestCluster cloud, Path dir, String topic) throws Exception {
    this.topic = topic;
    this.file = dir.resolve(topic + ".properties");
    write(file, mirror(topic, 1));
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", onprem.bootstrapServers());
    config.put("turnout.cluster.cloud.bootstrap.servers", cloud.bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_FILE, file.toString());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 100);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "drained");
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());
    config.put("acks", "all");
    config.put("linger.ms", 5);
    producer = new RoutingProducer<>(config);
    send(30);
    // Epoch 1's records reach the target before the slice moves, as a replicated barrier would ensure.
    await().atMost(Duration.ofSeconds(30)).until(() -> ReconcilerIT.total(cloud, topic) >= 30);
    write(file, promoted(topic, 2, "cloud"));
    await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == 2);
  }

  /** Sends {@code count} keyed records (60 keys in turn) and waits for their acknowledgements. */
  void send(int count) throws Exception {
    List<CompletableFuture<RoutedMetadata>> futures = new ArrayList<>();
    List<String[]> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = sequence++;
      String key = "k-" + (n % 60);
      String value = topic + "-v-" + n;
      futures.add(producer.sendRouted(new ProducerRecord<>(topic, key, value)));
      sent.add(new String[] {key, value});
    }
    for (int i = 0; i < count; i++) {
      RoutedMetadata m = futures.get(i).get(30, TimeUnit.SECONDS);
      acks.add(new Ack(m.cluster(), m.metadata().partition(), m.metadata().offset(), sent.get(i)[0], sent.get(i)[1]));
    }
  }

  /** The records the target (cloud) acknowledged: the target-only records. */
  List<Ack> onCloud() {
    return acks.stream().filter(a -> a.cluster().equals("cloud")).toList();
  }

  long onOnprem() {
    return acks.stream().filter(a -> a.cluster().equals("onprem")).count();
  }

  @Override
  public void close() {
    producer.close();
  }

  static String mirror(String topic, long epoch) {
    return "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule." + RULE + ".topics=" + topic + "\nrule." + RULE
        + ".state=MIRROR\n";
  }

  /** WRITE_PROMOTION: slice s20 (buckets 0-1999) owned by {@code movedOwner}, the rest by onprem. */
  static String promoted(String topic, long epoch, String movedOwner) {
    String r = "rule." + RULE + ".";
    return "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\n" + r + "topics=" + topic + "\n" + r
        + "state=WRITE_PROMOTION\n" + r + "slice.s20.keys=0-" + (MOVED_BELOW - 1) + "\n" + r + "slice.s20.owner="
        + movedOwner + "\n" + r + "slice.rest.keys=" + MOVED_BELOW + "-9999\n" + r + "slice.rest.owner=onprem\n";
  }

  /** The two documents the producer used, as maps. */
  List<AuthorityMap> documents() {
    return List.of(parse(mirror(topic, 1)), parse(promoted(topic, 2, "cloud")));
  }

  static AuthorityMap parse(String document) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(document));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> map = new HashMap<>();
    p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
    return AuthorityMap.parse(map, List.of("onprem", "cloud"));
  }

  private static void write(Path file, String document) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), "authority", ".tmp");
    Files.writeString(tmp, document, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
