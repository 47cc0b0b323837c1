package dev.turnout.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.AuthorityMonitor;
import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.source.AuthoritySource;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.TurnoutConsumerFactory;
import dev.turnout.spring.TurnoutProducerFactory;
import dev.turnout.status.ClientStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import tools.jackson.databind.json.JsonMapper;

/**
 * The endpoint, health indicator and meters over a real authority monitor and real routing producers and
 * consumers. Every write here is refused before any broker is contacted, and no consumer polls, so no cluster
 * is needed.
 */
class TurnoutActuateTest {

  private static final String EPOCH_1 = "epoch=1\nsource=onprem\ntarget=cloud\n"
      + "rule.orders.topics=orders\nrule.orders.state=WRITE_PROMOTION\n"
      + "rule.orders.slice.canary.keys=0-999\nrule.orders.slice.canary.owner=cloud\n"
      + "rule.orders.slice.rest.keys=1000-9999\nrule.orders.slice.rest.owner=onprem\n"
      + "rule.audit.topic-prefix=audit.\nrule.audit.state=MIRROR\n";

  /** A source whose document the test sets; {@code null} makes reads fail. */
  private final AtomicReference<String> document = new AtomicReference<>();
  private final AuthoritySource source = new AuthoritySource() {
    @Override
    public Map<String, String> read() throws Exception {
      String text = document.get();
      if (text == null) {
        throw new java.io.IOException("document unavailable");
      }
      java.util.Properties p = new java.util.Properties();
      p.load(new java.io.StringReader(text));
      Map<String, String> out = new HashMap<>();
      p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
      return out;
    }

    @Override
    public String description() {
      return "test source";
    }
  };

  private final TurnoutClients clients = new TurnoutClients();
  private AuthorityMonitor monitor;
  private TurnoutProducerFactory<String, String> factory;
  private TurnoutConsumerFactory<String, String> consumers;
  private TurnoutMeterBinder binder;

  private void start(long maxStalenessMillis) {
    monitor = new AuthorityMonitor(source, List.of("onprem", "cloud"), Duration.ofMillis(100),
        Duration.ofMillis(maxStalenessMillis));
    monitor.start();
    Map<String, Object> config = new HashMap<>();
    config.put("turnout.clusters", "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", "localhost:1");
    config.put("turnout.cluster.onprem.sasl.jaas.config", "PlainLoginModule required password=\"hunter2\";");
    config.put("turnout.cluster.onprem.ssl.truststore.password", "trustme");
    config.put("turnout.cluster.cloud.bootstrap.servers", "localhost:2");
    config.put("turnout.authority.source", source);
    config.put("turnout.authority.refresh.ms", 100);
    config.put("turnout.authority.max.staleness.ms", maxStalenessMillis);
    Map<String, Object> consumerConfig = new HashMap<>(config);
    config.put("key.serializer", StringSerializer.class);
    config.put("value.serializer", StringSerializer.class);
    config.put("turnout.cutover.barrier", "drained");
    factory = new TurnoutProducerFactory<>(config, clients);
    consumerConfig.put("key.deserializer", StringDeserializer.class);
    consumerConfig.put("value.deserializer", StringDeserializer.class);
    consumerConfig.put("group.id", "orders-reader");
    consumerConfig.put("turnout.consumer.unverified", "rewind");
    consumers = new TurnoutConsumerFactory<>(consumerConfig, clients);
  }

  @AfterEach
  void close() {
    if (factory != null) {
      factory.destroy();
    }
    if (binder != null) {
      binder.close();
    }
    if (monitor != null) {
      monitor.close();
    }
  }

  @Test
  void healthIsOutOfServiceWithoutAMapAndUpWithOne() {
    start(60_000);
    TurnoutHealthIndicator health = new TurnoutHealthIndicator(monitor, clients);
    Health none = health.health();
    assertThat(none.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
    assertThat(none.getDetails()).containsEntry("epoch", -1L).containsEntry("source", "test source");
    assertThat((String) none.getDetails().get("failingClosed")).contains("no valid authority map");

    document.set(EPOCH_1);
    monitor.refresh();
    Health up = health.health();
    assertThat(up.getStatus()).isEqualTo(Status.UP);
    assertThat(up.getDetails()).containsEntry("epoch", 1L).doesNotContainKey("failingClosed");
  }

  @Test
  void healthIsOutOfServiceWhileTheMapIsStaleOrAClientFailsClosed() {
    document.set(EPOCH_1);
    start(600);
    TurnoutHealthIndicator health = new TurnoutHealthIndicator(monitor, clients);
    Producer<String, String> producer = factory.createProducer();
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    assertThat(health.health().getDetails()).containsEntry("clients", 1).containsEntry("clientsFailingClosed", 0L);

    document.set(null);
    await().atMost(Duration.ofSeconds(5)).until(() -> health.health().getStatus().equals(Status.OUT_OF_SERVICE));
    Health stale = health.health();
    assertThat((String) stale.getDetails().get("failingClosed")).contains("stale");
    await().atMost(Duration.ofSeconds(5)).until(() -> ((Number) health.health().getDetails()
        .get("clientsFailingClosed")).longValue() == 1);

    document.set(EPOCH_1);
    await().atMost(Duration.ofSeconds(5)).until(() -> health.health().getStatus().equals(Status.UP));
    producer.close();
  }

  @Test
  void theEndpointShowsTheDecisionPerRuleAndSliceReadClustersRefusalsAndMasksSecrets() throws Exception {
    document.set(EPOCH_1);
    start(60_000);
    TurnoutEndpoint endpoint = new TurnoutEndpoint(monitor, clients, factory.getConfigurationProperties(),
        consumers.getConfigurationProperties());
    try (Producer<String, String> producer = factory.createProducer();
         Consumer<String, String> consumer = consumers.createConsumer()) {
      assertRefused(producer, "unrouted", "k", OwnershipAmbiguousException.Reason.NO_MATCHING_RULE);
      assertRefused(producer, "orders", null, OwnershipAmbiguousException.Reason.NULL_KEY_NOT_ROUTABLE);

      Map<String, Object> view = endpoint.turnout();

      assertThat(view).containsEntry("epoch", 1L).containsEntry("source", "test source")
          .containsEntry("failingClosed", false);
      // No send reached a cluster: both breakers are closed, their windows not yet full (-1).
      assertThat(asMap(view.get("breakers"))).containsOnlyKeys("cloud", "onprem");
      assertThat(asMap(asMap(view.get("breakers")).get("cloud"))).containsEntry("state", "CLOSED")
          .containsEntry("producers", Map.of("CLOSED", 1)).containsEntry("maxFailureRate", -1.0);
      assertThat(asMap(asMap(view.get("settings")).get("producer"))).containsEntry("turnout.cutover.barrier", "drained")
          .containsEntry("turnout.authority.refresh.ms", "100").doesNotContainKey("turnout.authority.source")
          .doesNotContainKey("turnout.clusters");
      assertThat(asMap(asMap(view.get("settings")).get("consumer")))
          .containsEntry("turnout.consumer.unverified", "rewind");
      assertThat(asMap(view.get("document"))).containsEntry("rule.orders.slice.canary.owner", "cloud");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> rules = (List<Map<String, Object>>) view.get("rules");
      assertThat(rules).extracting(r -> r.get("name")).containsExactly("audit", "orders");
      Map<String, Object> orders = rules.get(1);
      assertThat(orders).containsEntry("state", "WRITE_PROMOTION").containsEntry("readCluster", "cloud");
      assertThat(orders.get("slices").toString())
          .contains("name=canary, keys=[0-999], buckets=1000, owner=cloud")
          .contains("name=rest, keys=[1000-9999], buckets=9000, owner=onprem");
      assertThat(rules.get(0)).containsEntry("writesTo", "onprem").containsEntry("readCluster", "onprem");
      Map<?, ?> reads = (Map<?, ?>) view.get("readClusters");
      assertThat(asMap(reads.get("topics"))).containsEntry("orders", "cloud");
      assertThat(asMap(reads.get("topicPrefixes"))).containsEntry("audit.", "onprem");
      // The consumer has subscribed to nothing yet: its group reads no topic.
      assertThat(asMap(reads.get("groups"))).containsOnlyKeys("orders-reader");
      assertThat(asMap(asMap(reads.get("groups")).get("orders-reader"))).isEmpty();

      @SuppressWarnings("unchecked")
      List<Map<String, Object>> refusals = (List<Map<String, Object>>) view.get("recentRefusals");
      assertThat(refusals).extracting(r -> r.get("reason"))
          .containsExactly("NULL_KEY_NOT_ROUTABLE", "NO_MATCHING_RULE");
      assertThat(refusals.get(1)).containsEntry("topic", "unrouted").containsEntry("epoch", 1L);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> clientViews = (List<Map<String, Object>>) view.get("clients");
      assertThat(clientViews).hasSize(2);
      assertThat(clientViews.get(0)).containsEntry("type", "consumer").containsEntry("groupId", "orders-reader")
          .containsEntry("partitionsBlocked", 0L).containsEntry("readClusters", Map.of());
      assertThat(clientViews.get(1)).containsEntry("type", "producer").containsEntry("epoch", 1L)
          .containsEntry("failingClosed", false).containsEntry("breakers", Map.of("cloud", "CLOSED", "onprem", "CLOSED"));

      String shown = view.toString();
      assertThat(shown).doesNotContain("hunter2").doesNotContain("trustme")
          .contains("sasl.jaas.config=[hidden]").contains("ssl.truststore.password=[hidden]")
          .contains("bootstrap.servers=localhost:1");
    }
  }

  @Test
  void metersCountRefusalsAcrossClosedProducersAndFollowTheOwnershipOfEachEpoch() throws Exception {
    document.set(EPOCH_1);
    start(60_000);
    MeterRegistry registry = new SimpleMeterRegistry();
    binder = new TurnoutMeterBinder(monitor, clients, List.of("onprem", "cloud"));
    binder.bindTo(registry);

    assertThat(registry.get("turnout.authority.epoch").gauge().value()).isEqualTo(1);
    assertThat(registry.get("turnout.authority.failing.closed").gauge().value()).isZero();
    assertThat(registry.get("turnout.authority.ownership").tags("rule", "orders", "slice", "canary", "cluster", "cloud")
        .gauge().value()).isEqualTo(0.1);
    assertThat(registry.get("turnout.authority.ownership").tags("rule", "audit", "slice", "-", "cluster", "onprem")
        .gauge().value()).isEqualTo(1.0);
    assertThat(registry.get("turnout.records.routed").tag("cluster", "cloud").functionCounter().count()).isZero();

    try (Producer<String, String> producer = factory.createProducer()) {
      assertRefused(producer, "unrouted", "k", OwnershipAmbiguousException.Reason.NO_MATCHING_RULE);
      assertRefused(producer, "unrouted", "k", OwnershipAmbiguousException.Reason.NO_MATCHING_RULE);
    }
    factory.reset(); // physically closes the cached producer
    assertThat(clients.producers()).isEmpty();
    assertThat(registry.get("turnout.records.refused").tags(Tags.of("reason", "NO_MATCHING_RULE"))
        .functionCounter().count()).isEqualTo(2);

    document.set(EPOCH_1.replace("epoch=1", "epoch=2").replace("slice.canary.keys=0-999", "slice.canary.keys=0-4999")
        .replace("slice.rest.keys=1000-9999", "slice.rest.keys=5000-9999")
        .replace("rule.audit.state=MIRROR", "rule.audit.state=TARGET_AUTHORITY"));
    monitor.refresh();
    assertThat(registry.get("turnout.authority.epoch").gauge().value()).isEqualTo(2);
    assertThat(registry.get("turnout.authority.ownership").tags("rule", "orders", "slice", "canary", "cluster", "cloud")
        .gauge().value()).isEqualTo(0.5);
    assertThat(registry.get("turnout.authority.ownership").tags("rule", "audit", "slice", "-", "cluster", "cloud")
        .gauge().value()).isEqualTo(1.0);
    assertThat(registry.find("turnout.authority.ownership").tags("rule", "audit", "cluster", "onprem").gauge())
        .isNull();
    assertThat(registry.get("turnout.authority.refreshes").functionCounter().count()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void clientMetricsBecomeMetersWhenClientsOpenAndCountersSurviveThem() {
    document.set(EPOCH_1);
    start(60_000);
    MeterRegistry registry = new SimpleMeterRegistry();
    binder = new TurnoutMeterBinder(monitor, clients, List.of("onprem", "cloud"), Duration.ofMinutes(10));
    binder.bindTo(registry);
    // Before any client: the per-cluster breaker rows and the routed and refused counters exist at 0.
    assertThat(registry.get("turnout.cluster.breakers").tags("cluster", "onprem", "state", "CLOSED").gauge().value())
        .isZero();
    assertThat(registry.find("turnout.cutovers").functionCounter()).isNull();
    assertThat(registry.find("turnout.consumer.read.switches").functionCounter()).isNull();

    Producer<String, String> first = factory.createProducer();
    var copy = (TurnoutProducerFactory<String, String>) factory.copyWithConfigurationOverride(Map.of());
    try (Producer<String, String> second = copy.createProducer();
         Consumer<String, String> consumer = consumers.createConsumer()) {
      // Opening a client registers its metrics at once (no discovery tick needed).
      assertThat(clients.producers()).hasSize(2);
      assertThat(registry.get("turnout.cluster.breakers").tags("cluster", "onprem", "state", "CLOSED").gauge().value())
          .isEqualTo(2);
      assertThat(registry.get("turnout.cluster.breakers").tags("cluster", "cloud", "state", "OPEN").gauge().value())
          .isZero();
      assertThat(registry.get("turnout.cluster.breaker.failure.rate").tag("cluster", "cloud").gauge().value())
          .isEqualTo(-1);
      assertThat(registry.get("turnout.cluster.id.mismatch").tag("cluster", "cloud").gauge().value()).isZero();
      assertThat(registry.get("turnout.cutovers").functionCounter().count()).isZero();
      assertThat(registry.get("turnout.cutover.records.waiting").gauge().value()).isZero();
      assertThat(registry.get("turnout.cutover.barrier.wait.max").timeGauge()).isNotNull();
      assertThat(registry.find("turnout.cutover.barrier.wait.avg").meter()).isNull();
      assertThat(registry.get("turnout.records.refused").tag("reason", "CLUSTER_UNAVAILABLE").functionCounter().count())
          .isZero();
      assertThat(registry.get("turnout.consumer.read.switches").functionCounter().count()).isZero();
      assertThat(registry.get("turnout.consumer.partitions.blocked").gauge().value()).isZero();
      assertThat(registry.get("turnout.consumer.boundary.verifications").tag("outcome", "verified").functionCounter()
          .count()).isZero();
      assertThat(registry.get("turnout.consumer.records.consumed").tag("cluster", "cloud").functionCounter().count())
          .isZero();
      assertThat(registry.find("turnout.authority.epoch").gauges()).hasSize(1);

      assertRefused(first, "unrouted", "k", OwnershipAmbiguousException.Reason.NO_MATCHING_RULE);
      assertRefused(second, "unrouted", "k", OwnershipAmbiguousException.Reason.NO_MATCHING_RULE);
      assertThat(registry.get("turnout.records.refused").tag("reason", "NO_MATCHING_RULE").functionCounter().count())
          .isEqualTo(2);
      first.close();
    }
    factory.reset(); // physically closes the cached producers
    copy.reset();
    assertThat(clients.producers()).isEmpty();
    assertThat(clients.consumers()).isEmpty();
    // Gauges follow the open clients; counters keep the counts of closed ones.
    assertThat(registry.get("turnout.cluster.breakers").tags("cluster", "onprem", "state", "CLOSED").gauge().value())
        .isZero();
    assertThat(registry.get("turnout.records.refused").tag("reason", "NO_MATCHING_RULE").functionCounter().count())
        .isEqualTo(2);
    assertThat(registry.get("turnout.cluster.breaker.failure.rate").tag("cluster", "cloud").gauge().value()).isNaN();
  }

  @Test
  void neitherTheClientStatusesNorTheEndpointJsonHoldASecretAndAStatusReadsBackFromJson() throws Exception {
    document.set(EPOCH_1);
    start(60_000);
    TurnoutEndpoint endpoint = new TurnoutEndpoint(monitor, clients, factory.getConfigurationProperties(),
        consumers.getConfigurationProperties());
    JsonMapper json = JsonMapper.builder().build();
    try (Producer<String, String> producer = factory.createProducer();
         Consumer<String, String> consumer = consumers.createConsumer()) {
      assertRefused(producer, "unrouted", "k", OwnershipAmbiguousException.Reason.NO_MATCHING_RULE);
      List<ClientStatus> statuses = clients.statuses();
      assertThat(statuses).hasSize(2);
      String statusJson = json.writeValueAsString(statuses);
      String endpointJson = json.writeValueAsString(endpoint.turnout());
      for (String text : List.of(statusJson, statuses.toString(), endpointJson)) {
        assertThat(text).contains("onprem").doesNotContain("hunter2").doesNotContain("trustme");
      }
      assertThat(endpointJson).contains("[hidden]");
      for (ClientStatus status : statuses) {
        assertThat(json.readValue(json.writeValueAsString(status), ClientStatus.class)).isEqualTo(status);
      }
    }
  }

  @Test
  void aClosedConsumerLeavesTheRegistryAndIsReportedRemovedToTheFactoryListeners() {
    document.set(EPOCH_1);
    start(60_000);
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    consumers.setBeanName("ordersFactory");
    consumers.addListener(new org.springframework.kafka.core.ConsumerFactory.Listener<>() {
      @Override
      public void consumerAdded(String id, Consumer<String, String> consumer) {
        events.add("added " + id);
      }

      @Override
      public void consumerRemoved(String id, Consumer<String, String> consumer) {
        events.add("removed " + id);
      }
    });
    Consumer<String, String> consumer = consumers.createConsumer();
    String clientId = clients.consumers().get(0).consumer().status().clientId();
    assertThat(clients.statuses()).extracting(ClientStatus::clientId).containsExactly(clientId);
    assertThat(events).containsExactly("added ordersFactory." + clientId);

    consumer.close();
    assertThat(clients.consumers()).isEmpty();
    assertThat(clients.statuses()).isEmpty();
    assertThat(events).containsExactly("added ordersFactory." + clientId, "removed ordersFactory." + clientId);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    return (Map<String, Object>) value;
  }

  private static void assertRefused(Producer<String, String> producer, String topic, String key,
      OwnershipAmbiguousException.Reason reason) {
    var future = producer.send(new ProducerRecord<>(topic, key, "v"));
    try {
      future.get(5, TimeUnit.SECONDS);
      throw new AssertionError("expected a refusal");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOfSatisfying(OwnershipAmbiguousException.class,
          r -> assertThat(r.reason()).isEqualTo(reason));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
