package dev.turnout;

import static dev.turnout.ConsumerTestSupport.consumerConfig;
import static dev.turnout.ConsumerTestSupport.drain;
import static dev.turnout.ConsumerTestSupport.sequence;
import static dev.turnout.ConsumerTestSupport.writeSame;
import static dev.turnout.Records.producerConfig;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.status.BlockedPartition;
import dev.turnout.status.BreakerState;
import dev.turnout.status.ClientRole;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.ClusterIdCheck;
import dev.turnout.status.ClusterStatus;
import dev.turnout.status.Refusal;
import dev.turnout.status.RouteStatus;
import dev.turnout.status.TurnoutListener;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status()} and the {@link TurnoutListener}s of both clients, against two real KRaft clusters. */
@TwoKafkaClusters
class ClientStatusIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @TempDir
  Path dir;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    for (String topic : List.of("s-promo", "s-flip", "s-barrier", "s-unrouted")) {
      clusters.createTopic(topic, 1);
    }
    clusters.createTopic("s-lacking", 1);
  }

  private Path authority(String name, String document) {
    Path file = dir.resolve(name + ".properties");
    writeDocument(file, document);
    return file;
  }

  private static String sliced(long epoch, String topic, String canaryOwner) {
    return "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\n"
        + "rule.p.topics=" + topic + "\nrule.p.state=WRITE_PROMOTION\n"
        + "rule.p.slice.canary.keys=0-4999\nrule.p.slice.canary.owner=" + canaryOwner + "\n"
        + "rule.p.slice.rest.keys=5000-9999\nrule.p.slice.rest.owner=onprem\n";
  }

  /** Records every event a listener receives, as text. */
  private static final class Events implements TurnoutListener {
    final List<String> seen = new CopyOnWriteArrayList<>();
    final List<Refusal> refusals = new CopyOnWriteArrayList<>();

    @Override
    public void onEpochApplied(String clientId, long previousEpoch, long epoch) {
      seen.add("epoch " + previousEpoch + "->" + epoch);
    }

    @Override
    public void onRefusal(String clientId, Refusal refusal) {
      refusals.add(refusal);
      seen.add("refusal " + refusal.reason());
    }

    @Override
    public void onClosing(String clientId) {
      seen.add("closing");
    }

    @Override
    public void onClosed(String clientId) {
      seen.add("closed");
    }
  }

  @Test
  void aProducerStatusShowsTheEpochTheClustersAndTheDecisionAndCountsOfEverySlice() throws Exception {
    Path file = authority("promo", sliced(1, "s-promo", "cloud"));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put("client.id", "status-producer");
    config.put("turnout.cluster.cloud." + TurnoutConfig.EXPECTED_CLUSTER_ID, cloud.clusterId());
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      for (int i = 0; i < 100; i++) {
        producer.send(new ProducerRecord<>("s-promo", "key-" + i, "v")).get(10, TimeUnit.SECONDS);
      }
      ClientStatus status = producer.status();
      assertThat(status.clientId()).isEqualTo("status-producer");
      assertThat(status.role()).isEqualTo(ClientRole.PRODUCER);
      assertThat(status.epoch()).isEqualTo(1);
      assertThat(status.epochSince()).isNotNull().isBeforeOrEqualTo(status.at());
      assertThat(status.mapAgeMs()).isBetween(0L, 60_000L);
      assertThat(status.failingClosed()).isFalse();
      assertThat(status.failingClosedReason()).isNull();
      assertThat(status.consumer()).isNull();
      assertThat(status.clusters()).extracting(ClusterStatus::alias).containsExactly("onprem", "cloud");
      assertThat(status.clusters()).extracting(ClusterStatus::breaker).containsOnly(BreakerState.CLOSED);
      ClusterStatus onpremStatus = status.clusters().get(0);
      ClusterStatus cloudStatus = status.clusters().get(1);
      assertThat(onpremStatus.clusterId()).isEqualTo(ClusterIdCheck.NOT_PINNED);
      assertThat(cloudStatus.clusterId())
          .isEqualTo(new ClusterIdCheck(cloud.clusterId(), cloud.clusterId(), ClusterIdCheck.Verdict.MATCH));
      assertThat(onpremStatus.records() + cloudStatus.records()).isEqualTo(100);
      assertThat(onpremStatus.records()).isPositive();
      assertThat(cloudStatus.records()).isPositive();

      RouteStatus canary = route(status, "canary");
      RouteStatus rest = route(status, "rest");
      RouteStatus nullKey = route(status, "null-key");
      assertThat(canary.owner()).isEqualTo("cloud");
      assertThat(canary.records()).containsOnlyKeys("cloud").containsEntry("cloud", cloudStatus.records());
      assertThat(rest.owner()).isEqualTo("onprem");
      assertThat(rest.records()).containsEntry("onprem", onpremStatus.records());
      assertThat(nullKey.owner()).isNull();
      assertThat(nullKey.refusal()).isEqualTo("NULL_KEY_NOT_ROUTABLE");
      assertThat(status.barriers()).isEmpty();
      assertThat(status.cutover().pending()).isZero();
      assertThat(status.refusals()).containsEntry("NO_MATCHING_RULE", 0L).containsEntry("CLUSTER_UNAVAILABLE", 0L);
      assertThat(status.recentRefusals()).isEmpty();
    }
  }

  @Test
  void listenersHearTheEpochAppliedAfterAFlipEveryRefusalAndTheClose() throws Exception {
    Path file = authority("flip", sliced(1, "s-flip", "onprem"));
    Events events = new Events();
    RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud, file));
    try {
      producer.addListener(events);
      writeDocument(file, sliced(2, "s-flip", "cloud"));
      await().atMost(Duration.ofSeconds(15)).until(() -> events.seen.contains("epoch 1->2"));
      assertThat(producer.status().epoch()).isEqualTo(2);

      Future<RecordMetadata> refused = producer.send(new ProducerRecord<>("s-unrouted", "k", "v"));
      assertThat(refused).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(OwnershipAmbiguousException.class);
      assertThat(events.refusals).singleElement().satisfies(r -> {
        assertThat(r.reason()).isEqualTo("NO_MATCHING_RULE");
        assertThat(r.topic()).isEqualTo("s-unrouted");
        assertThat(r.epoch()).isEqualTo(2);
        assertThat(r.message()).contains("s-unrouted");
      });
      ClientStatus status = producer.status();
      assertThat(status.recentRefusals()).singleElement().isEqualTo(events.refusals.get(0));
      assertThat(status.refusals()).containsEntry("NO_MATCHING_RULE", 1L);

      // A removed listener hears nothing more, although the next refusal is counted.
      producer.removeListener(events);
      producer.send(new ProducerRecord<>("s-unrouted", "k", "v"));
      assertThat(producer.status().refusals()).containsEntry("NO_MATCHING_RULE", 2L);
      assertThat(events.refusals).hasSize(1);
      producer.addListener(events);
    } finally {
      producer.close();
    }
    assertThat(events.seen).endsWith("closing", "closed");
  }

  @Test
  void anOpenCutoverBarrierIsListedWithItsSliceOwnersAndWaitingRecords() throws Exception {
    Path file = authority("barrier", sliced(1, "s-barrier", "onprem"));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.CUTOVER_BARRIER, "replicated"); // nothing replicates: the barrier waits
    config.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 120_000);
    RoutingProducer<String, String> producer = new RoutingProducer<>(config);
    try {
      for (int i = 0; i < 50; i++) {
        producer.send(new ProducerRecord<>("s-barrier", "key-" + i, "v")).get(10, TimeUnit.SECONDS);
      }
      writeDocument(file, sliced(2, "s-barrier", "cloud"));
      await().atMost(Duration.ofSeconds(15)).until(() -> producer.status().epoch() == 2);
      for (int i = 0; i < 50; i++) {
        producer.send(new ProducerRecord<>("s-barrier", "key-" + i, "v"));
      }
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        ClientStatus status = producer.status();
        assertThat(status.barriers()).singleElement().satisfies(b -> {
          assertThat(b.topic()).isEqualTo("s-barrier");
          assertThat(b.slices()).containsExactly("canary");
          assertThat(b.from()).isEqualTo("onprem");
          assertThat(b.to()).isEqualTo("cloud");
          assertThat(b.fromEpoch()).isEqualTo(1);
          assertThat(b.toEpoch()).isEqualTo(2);
          assertThat(b.state()).isEqualTo("WAITING");
          assertThat(b.waitingRecords()).isPositive();
          assertThat(b.since()).isBeforeOrEqualTo(status.at());
        });
        assertThat(status.cutover().pending()).isEqualTo(1);
        assertThat(status.cutover().recordsWaiting()).isEqualTo(status.barriers().get(0).waitingRecords());
      });
    } finally {
      producer.close(Duration.ofMillis(500));
    }
  }

  @Test
  void theStatusHoldsNoSecretOfTheConfiguration() {
    Path file = authority("secrets", sliced(1, "s-promo", "cloud"));
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put("turnout.cluster.cloud.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"jaas-secret-1\";");
    config.put("turnout.cluster.cloud.ssl.truststore.password", "truststore-secret-2");
    config.put("ssl.key.password", "key-secret-3");
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      String text = producer.status().toString();
      assertThat(text).contains("onprem", "cloud").doesNotContain("jaas-secret-1", "truststore-secret-2",
          "key-secret-3");
    }
  }

  @Test
  void aConsumerStatusShowsItsReadClustersAndABlockedPartitionWithTheBoundaryReason() throws Exception {
    long base = System.currentTimeMillis() - 60_000;
    writeSame(sequence("s-lacking", 0, "v", 0, 10, base), onprem, cloud);
    writeSame(sequence("s-lacking", 0, "v", 10, 20, base), onprem); // never replicated
    Path file = authority("lacking", "epoch=1\nsource=onprem\ntarget=cloud\nrule.l.topics=s-lacking\nrule.l.state=MIRROR\n");
    Map<String, Object> config = consumerConfig(onprem, cloud, file, "status-g");
    config.put(TurnoutConfig.CONSUMER_BOUNDARY_TIMEOUT_MS, 1500);
    config.put("client.id", "status-consumer");
    Events events = new Events();
    RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config);
    try {
      consumer.addListener(events);
      consumer.subscribe(List.of("s-lacking"));
      List<ConsumerRecord<String, String>> read = drain(consumer, 20);
      assertThat(read).hasSize(20);
      ClientStatus before = consumer.status();
      assertThat(before.role()).isEqualTo(ClientRole.CONSUMER);
      assertThat(before.clientId()).isEqualTo("status-consumer");
      assertThat(before.consumer().groupId()).isEqualTo("status-g");
      assertThat(before.consumer().readClusters()).containsEntry("s-lacking", "onprem");
      assertThat(before.clusters()).extracting(ClusterStatus::records).containsExactly(20L, 0L);
      assertThat(events.seen).contains("epoch -1->1");

      writeDocument(file, "epoch=2\nsource=onprem\ntarget=cloud\nrule.l.topics=s-lacking\nrule.l.state=TARGET_AUTHORITY\n");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        try {
          consumer.poll(Duration.ofMillis(100));
        } catch (BoundaryNotVerifiedException expected) {
          // reported once; the status keeps it
        }
        ClientStatus status = consumer.status();
        assertThat(status.consumer().blocked()).singleElement().isEqualTo(status.consumer().blocked().get(0))
            .satisfies(b -> {
              assertThat(b.topic()).isEqualTo("s-lacking");
              assertThat(b.partition()).isZero();
              assertThat(b.cluster()).isEqualTo("cloud");
              assertThat(b.reason()).isEqualTo("LAST_RECORD_NOT_FOUND");
              assertThat(b.message()).isNotBlank();
            });
      });
      ClientStatus status = consumer.status();
      assertThat(status.epoch()).isEqualTo(2);
      assertThat(status.consumer().readClusters()).containsEntry("s-lacking", "cloud");
      assertThat(status.consumer().readSwitches()).isEqualTo(1);
      assertThat(status.consumer().boundaryVerifications()).containsEntry("failed-closed", 1L);
      assertThat(events.seen).contains("epoch 1->2");
      // Read from another thread while the consumer is idle: never a ConcurrentModificationException.
      ClientStatus fromElsewhere = java.util.concurrent.CompletableFuture.supplyAsync(consumer::status)
          .get(5, TimeUnit.SECONDS);
      assertThat(fromElsewhere.consumer().blocked()).extracting(BlockedPartition::topic).containsExactly("s-lacking");
    } finally {
      consumer.close();
    }
    assertThat(events.seen).endsWith("closing", "closed");
  }

  @Test
  void aValidationConsumerSaysSoAndUsesItsOwnGroup() {
    Path file = authority("validation", sliced(1, "s-promo", "cloud"));
    Map<String, Object> config = consumerConfig(onprem, cloud, file, "orders");
    config.put(TurnoutConfig.CONSUMER_ROLE, "validation");
    try (RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config)) {
      ClientStatus status = consumer.status();
      assertThat(status.role()).isEqualTo(ClientRole.VALIDATION_CONSUMER);
      assertThat(status.consumer().groupId()).isEqualTo("orders" + TurnoutConfig.VALIDATION_GROUP_SUFFIX);
      assertThat(status.clusters()).extracting(ClusterStatus::breaker).containsOnly(BreakerState.DISABLED);
      assertThat(status.barriers()).isEmpty();
      assertThat(status.cutover()).isNull();
    }
  }

  private static RouteStatus route(ClientStatus status, String slice) {
    return status.routes().stream().filter(r -> r.rule().equals("p") && r.slice().equals(slice)).findFirst()
        .orElseThrow(() -> new AssertionError("no route for slice " + slice + " in " + status.routes()));
  }

}
