package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.AuthorityMonitor;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.TurnoutConsumerFactory;
import dev.turnout.spring.actuate.TurnoutEndpoint;
import dev.turnout.spring.actuate.TurnoutHealthIndicator;
import dev.turnout.spring.actuate.TurnoutMeterBinder;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A {@code @KafkaListener} keeps processing across a read-authority switch: with MirrorMaker 2 copying onprem
 * to cloud, the Environment moves a topic to TARGET_AUTHORITY and the listener, whose container Turnout's
 * consumer factory feeds, processes every record exactly once, from onprem before and from cloud after.
 * Producers keep the default replicated cutover barrier: MirrorMaker 2 replicates what they wrote to onprem.
 * A second listener reads a topic nothing replicates: its boundary cannot be verified, its partition is
 * blocked, and the health indicator reports OUT_OF_SERVICE. The endpoint and meters show the read cluster of
 * each group and topic.
 */
@TwoKafkaClusters
@SpringBootTest(classes = TurnoutKafkaListenerIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.consumer.key-deserializer=org.apache.kafka.common.serialization.StringDeserializer",
        "spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.StringDeserializer",
        "spring.kafka.consumer.group-id=listener-group",
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "turnout.consumer.boundary-timeout=20s",
        "turnout.authority.refresh-interval=100ms",
        "turnout.authority.epoch=1",
        "turnout.authority.source=onprem",
        "turnout.authority.target=cloud",
        "turnout.authority.rule.events.topics=events",
        "turnout.authority.rule.events.state=MIRROR",
        "turnout.authority.rule.unreplicated.topics=unreplicated",
        "turnout.authority.rule.unreplicated.state=MIRROR",
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TurnoutKafkaListenerIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static InProcessMirrorMaker mirrorMaker;

  @Autowired
  KafkaTemplate<String, String> template;
  @Autowired
  ConsumerFactory<?, ?> consumerFactory;
  @Autowired
  ConfigurableEnvironment environment;
  @Autowired
  Received received;
  @Autowired
  Unreplicated unreplicated;
  @Autowired
  TurnoutClients clients;
  @Autowired
  @Qualifier(TurnoutAutoConfiguration.MONITOR_BEAN)
  AuthorityMonitor monitor;
  @Autowired
  TurnoutHealthIndicator health;
  @Autowired
  MeterRegistry meters;
  @Autowired
  TurnoutMeterBinder binder;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("events", 3);
    clusters.createTopic("unreplicated", 1);
    mirrorMaker = InProcessMirrorMaker.builder(clusters).aliases("onprem", "cloud").topics("events")
        .groups("listener-group").start();
  }

  @AfterAll
  static void stopMirrorMaker() {
    mirrorMaker.close();
  }

  @DynamicPropertySource
  static void bootstrap(DynamicPropertyRegistry registry) {
    registry.add("turnout.clusters.onprem.bootstrap-servers", () -> onprem.bootstrapServers());
    registry.add("turnout.clusters.cloud.bootstrap-servers", () -> cloud.bootstrapServers());
  }

  /** The values the listener processed, in order. */
  static final class Received {
    final List<String> values = new CopyOnWriteArrayList<>();

    @KafkaListener(topics = "events")
    void onEvent(ConsumerRecord<String, String> record) {
      values.add(record.value());
    }
  }

  /** The values read from a topic that nothing replicates; its boundary waits 2 s at most. */
  static final class Unreplicated {
    final List<String> values = new CopyOnWriteArrayList<>();

    @KafkaListener(topics = "unreplicated", groupId = "unreplicated-group",
        properties = "turnout.consumer.boundary.timeout.ms=2000")
    void onEvent(ConsumerRecord<String, String> record) {
      values.add(record.value());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    @Bean
    Received received() {
      return new Received();
    }

    @Bean
    Unreplicated unreplicated() {
      return new Unreplicated();
    }
  }

  @Test
  void theListenerProcessesEveryRecordOnceAcrossTheSwitch() throws Exception {
    assertThat(consumerFactory).isInstanceOf(TurnoutConsumerFactory.class);
    TurnoutEndpoint endpoint = new TurnoutEndpoint(monitor, clients, Map.of(), Map.of());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("before-" + i);
      template.send("events", "k" + (i % 7), "before-" + i).get(10, TimeUnit.SECONDS);
    }
    writeDirectly(onprem, "unreplicated", 5);
    await().atMost(Duration.ofSeconds(30)).until(() -> received.values.size() >= 50
        && unreplicated.values.size() >= 5);
    assertThat(readClusters(endpoint)).containsEntry("listener-group", Map.of("events", List.of("onprem")))
        .containsEntry("unreplicated-group", Map.of("unreplicated", List.of("onprem")));
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    assertThat(health.health().getDetails()).containsEntry("consumers", 2).containsEntry("partitionsBlocked", 0L);

    environment.getPropertySources().addFirst(new MapPropertySource("flip", Map.of(
        "turnout.authority.epoch", "2", "turnout.authority.rule.events.state", "TARGET_AUTHORITY",
        "turnout.authority.rule.unreplicated.state", "TARGET_AUTHORITY")));
    // Writes go to cloud once the producers route by epoch 2; the listener's consumer moves its reads itself.
    await().atMost(Duration.ofSeconds(10)).until(() -> clients.producers().stream().allMatch(p -> p.epoch() == 2));
    for (int i = 0; i < 50; i++) {
      expected.add("after-" + i);
      template.send("events", "k" + (i % 7), "after-" + i).get(10, TimeUnit.SECONDS);
    }

    await().atMost(Duration.ofSeconds(60)).until(() -> received.values.containsAll(expected));
    // A marker behind the records of each of the 3 partitions: once every marker is processed, a duplicate of
    // any record before it would have been processed too (each partition is delivered in order).
    List<String> markers = List.of("end-0", "end-1", "end-2");
    for (int p = 0; p < markers.size(); p++) {
      template.send("events", p, "end", markers.get(p)).get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> received.values.containsAll(markers));
    assertThat(received.values.stream().filter(v -> !markers.contains(v)).toList())
        .containsExactlyInAnyOrderElementsOf(expected);

    // The unreplicated topic's last processed record is not on cloud: its partition is blocked, not guessed.
    await().atMost(Duration.ofSeconds(30)).until(() -> health.health().getStatus().equals(Status.OUT_OF_SERVICE));
    Health blocked = health.health();
    assertThat(blocked.getDetails()).containsEntry("partitionsBlocked", 1L);
    assertThat((String) blocked.getDetails().get("failingClosed")).contains("1 partition(s) blocked");
    assertThat(unreplicated.values).hasSize(5);
    assertThat(readClusters(endpoint)).containsEntry("listener-group", Map.of("events", List.of("cloud")))
        .containsEntry("unreplicated-group", Map.of("unreplicated", List.of("cloud")));

    binder.discover();
    assertThat(meters.get("turnout.consumer.read.cluster").tags("topic", "events", "cluster", "cloud").gauge().value())
        .isEqualTo(1);
    assertThat(meters.get("turnout.consumer.read.cluster").tags("topic", "events", "cluster", "onprem").gauge()
        .value()).isZero();
    assertThat(meters.get("turnout.consumer.read.switches").functionCounter().count()).isEqualTo(2);
    assertThat(meters.get("turnout.consumer.partitions.blocked").gauge().value()).isEqualTo(1);
    assertThat(meters.get("turnout.consumer.boundary.verifications").tag("outcome", "failed-closed").functionCounter()
        .count()).isEqualTo(1);
    assertThat(meters.get("turnout.consumer.records.consumed").tag("cluster", "onprem").functionCounter().count())
        .isEqualTo(55);
    assertThat(meters.get("turnout.consumer.records.consumed").tag("cluster", "cloud").functionCounter().count())
        .isEqualTo(50 + markers.size());
    assertThat(meters.get("turnout.cutovers").functionCounter().count()).isGreaterThanOrEqualTo(1);
    // Spring Boot's Micrometer consumer listener is called for routing consumers too.
    assertThat(meters.find("kafka.turnout.read.switches.total").meters()).hasSize(2);
    assertThat(meters.get("turnout.cutover.barrier.timeouts").functionCounter().count()).isZero();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readClusters(TurnoutEndpoint endpoint) {
    return (Map<String, Object>) ((Map<String, Object>) endpoint.turnout().get("readClusters")).get("groups");
  }

  /** Writes {@code count} records to {@code topic} on {@code cluster} with a plain producer (no Turnout). */
  private static void writeDirectly(KafkaTestCluster cluster, String topic, int count) throws Exception {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, "u" + i, "u-" + i)).get(10, TimeUnit.SECONDS);
      }
    }
  }
}
