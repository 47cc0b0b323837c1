package dev.turnout.spring.autoconfigure;

import static dev.turnout.spring.autoconfigure.Clusters.bucket;
import static dev.turnout.spring.autoconfigure.Clusters.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.AuthorityMonitor;
import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.RoutingProducer;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.actuate.TurnoutMeterBinder;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Spring Boot application against two real in-process clusters, wired only through properties: KafkaTemplate
 * sends move when the Environment flips, the actuator endpoint and health show the state with secrets masked,
 * and the meters count what was routed.
 */
@TwoKafkaClusters
@SpringBootTest(classes = TurnoutSpringBootIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.acks=all",
        "spring.kafka.producer.properties.max.block.ms=10000",
        "turnout.clusters.onprem.properties.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
            + " required username=\"svc\" password=\"do-not-show-me\";",
        // Nothing replicates onprem to cloud here: a moved slice waits only for its acknowledgements.
        "turnout.cutover.barrier=drained",
        "turnout.authority.refresh-interval=100ms",
        "turnout.authority.max-staleness=3s",
        "turnout.authority.epoch=1",
        "turnout.authority.source=onprem",
        "turnout.authority.target=cloud",
        "turnout.authority.rule.flip.topics=flip",
        "turnout.authority.rule.flip.state=MIRROR",
        "turnout.authority.rule.sliced.topics=sliced",
        "turnout.authority.rule.sliced.state=MIRROR",
        "turnout.authority.rule.ops.topics=ops",
        "turnout.authority.rule.ops.state=MIRROR",
        "management.endpoints.web.exposure.include=health,turnout",
        "management.endpoint.health.show-details=always",
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TurnoutSpringBootIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @Autowired
  KafkaTemplate<String, String> template;
  @Autowired
  ConfigurableEnvironment environment;
  @Autowired
  TurnoutClients clients;
  @Autowired
  MeterRegistry meters;
  @Autowired
  TurnoutMeterBinder binder;
  @Autowired
  @Qualifier(TurnoutAutoConfiguration.MONITOR_BEAN)
  AuthorityMonitor monitor;
  @LocalServerPort
  int port;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("flip", 3);
    clusters.createTopic("sliced", 3);
    clusters.createTopic("ops", 1);
  }

  @DynamicPropertySource
  static void bootstrap(DynamicPropertyRegistry registry) {
    registry.add("turnout.clusters.onprem.bootstrap-servers", () -> onprem.bootstrapServers());
    registry.add("turnout.clusters.cloud.bootstrap-servers", () -> cloud.bootstrapServers());
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  /** Every test changes the document by one epoch; tests run one at a time, in any order. */
  private static long epoch = 1;
  private static final Map<String, Object> overrides = new java.util.concurrent.ConcurrentHashMap<>();

  /** Changes the document in the Environment (a new epoch) and waits until every producer routes by it. */
  private long flip(Map<String, Object> changes) {
    overrides.putAll(changes);
    overrides.put("turnout.authority.epoch", String.valueOf(++epoch));
    environment.getPropertySources().remove("flip");
    environment.getPropertySources().addFirst(new MapPropertySource("flip", Map.copyOf(overrides)));
    return epoch;
  }

  /** Waits until the monitor and every open producer route by {@code expected} (a new producer reads it at start). */
  private void awaitEpoch(long expected) {
    await().atMost(Duration.ofSeconds(10)).until(() -> monitor.map() != null && monitor.map().epoch() == expected
        && clients.producers().stream().allMatch(p -> p.epoch() == expected));
  }

  private void send(String topic, String key) throws Exception {
    template.send(topic, key, "v-" + key).get(10, TimeUnit.SECONDS);
  }

  @Test
  void kafkaTemplateSendsMoveWhenTheEnvironmentFlips() throws Exception {
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      before.add("b" + i);
      send("flip", "b" + i);
    }
    long flippedAt = System.nanoTime();
    long next = flip(Map.of("turnout.authority.rule.flip.state", "TARGET_AUTHORITY"));
    awaitEpoch(next);
    long flipMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - flippedAt);
    List<String> after = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      after.add("a" + i);
      send("flip", "a" + i);
    }
    assertThat(keys(onprem, "flip", false)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(keys(cloud, "flip", false)).containsExactlyInAnyOrderElementsOf(after);
    assertThat(flipMillis).as("flip took %d ms with a 100 ms refresh interval", flipMillis).isLessThan(5_000);
    // The topic moved with records already on onprem: a cutover, released by the drained barrier.
    assertThat(meters.get("turnout.cutovers").functionCounter().count()).isGreaterThanOrEqualTo(1);
    assertThat(meters.get("turnout.cutover.barrier.timeouts").functionCounter().count()).isZero();
    System.out.println("Environment flip observed by the producer after " + flipMillis + " ms");
  }

  @Test
  void aSlicedFlipSendsEachKeyToItsSliceOwner() throws Exception {
    long next = flip(Map.of(
        "turnout.authority.rule.sliced.state", "WRITE_PROMOTION",
        "turnout.authority.rule.sliced.slice.canary.keys", "0-2999",
        "turnout.authority.rule.sliced.slice.canary.owner", "cloud",
        "turnout.authority.rule.sliced.slice.rest.keys", "3000-9999",
        "turnout.authority.rule.sliced.slice.rest.owner", "onprem"));
    awaitEpoch(next);
    List<String> toCloud = new ArrayList<>();
    List<String> toOnprem = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String key = "customer-" + i;
      (bucket(key) < 3000 ? toCloud : toOnprem).add(key);
      send("sliced", key);
    }
    assertThat(toCloud).isNotEmpty();
    assertThat(toOnprem).isNotEmpty();
    assertThat(keys(cloud, "sliced", false)).containsExactlyInAnyOrderElementsOf(toCloud);
    assertThat(keys(onprem, "sliced", false)).containsExactlyInAnyOrderElementsOf(toOnprem);
    assertThat(meters.get("turnout.records.routed").tag("cluster", "cloud").functionCounter().count())
        .isGreaterThanOrEqualTo(toCloud.size());
    assertThat(meters.get("turnout.authority.ownership").tags("rule", "sliced", "slice", "canary", "cluster", "cloud")
        .gauge().value()).isEqualTo(0.3);
    binder.discover(); // the counters per rule and slice appear at the first record routed by them
    assertThat(meters.get("turnout.records.routed.by.rule").tags("rule", "sliced", "slice", "canary", "cluster", "cloud")
        .functionCounter().count()).isEqualTo(toCloud.size());
    assertThat(meters.get("turnout.records.routed.by.rule").tags("rule", "sliced", "slice", "rest", "cluster", "onprem")
        .functionCounter().count()).isEqualTo(toOnprem.size());
    // Spring Boot's Micrometer producer listener binds the Kafka client meters of routing producers too (per
    // client, Turnout's own as kafka.turnout.*; the cluster clients' at Micrometer's next refresh).
    assertThat(meters.find("kafka.turnout.records.routed.total").meters()).isNotEmpty();
  }

  @Test
  void theEndpointAndHealthShowTheStateWithSecretsMaskedAndGoOutOfServiceWhileFailingClosed() throws Exception {
    send("ops", "warm-up");
    HttpResponse<String> endpoint = get("/actuator/turnout");
    assertThat(endpoint.statusCode()).isEqualTo(200);
    assertThat(endpoint.body()).doesNotContain("do-not-show-me").contains("[hidden]");
    Map<?, ?> view = json.readValue(endpoint.body(), Map.class);
    assertThat(((Number) view.get("epoch")).longValue()).isEqualTo(epoch);
    assertThat(view.get("failingClosed")).isEqualTo(false);
    assertThat(view.get("source")).isEqualTo("Spring Environment turnout.authority.*");
    Map<?, ?> byAlias = (Map<?, ?>) ((Map<?, ?>) view.get("clusters")).get("byAlias");
    assertThat(((Map<?, ?>) byAlias.get("onprem")).get("sasl.jaas.config")).isEqualTo("[hidden]");
    assertThat(((Map<?, ?>) byAlias.get("cloud")).get("bootstrap.servers")).isEqualTo(cloud.bootstrapServers());
    assertThat((List<?>) view.get("rules")).extracting(r -> (Object) ((Map<?, ?>) r).get("name")).contains("flip", "ops");
    Map<?, ?> breakers = (Map<?, ?>) view.get("breakers");
    assertThat(((Map<?, ?>) breakers.get("onprem")).get("state")).isEqualTo("CLOSED");
    assertThat(((Map<?, ?>) breakers.get("cloud")).get("state")).isEqualTo("CLOSED");
    assertThat(((Map<?, ?>) ((Map<?, ?>) view.get("settings")).get("producer")).get("turnout.cutover.barrier"))
        .isEqualTo("drained");
    assertThat(meters.get("turnout.cluster.breakers").tags("cluster", "onprem", "state", "CLOSED").gauge().value())
        .isGreaterThanOrEqualTo(1);
    assertThat(get("/actuator/health/turnout").body()).contains("\"status\":\"UP\"");

    // An invalid document is rejected; once no refresh has succeeded for 3 s, routing fails closed.
    long rejected = flip(Map.of("turnout.authority.rule.ops.state", "PROMOTED"));
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/actuator/health/turnout").statusCode() == 503);
    String health = get("/actuator/health/turnout").body();
    assertThat(health).contains("\"status\":\"OUT_OF_SERVICE\"").contains("stale");
    await().atMost(Duration.ofSeconds(10)).until(() -> clients.producers().stream().allMatch(RoutingProducer::failingClosed));
    // KafkaTemplate reports an immediately failed send by throwing; the cause says why.
    assertThatThrownBy(() -> send("ops", "refused")).isInstanceOf(KafkaException.class)
        .cause().isInstanceOfSatisfying(OwnershipAmbiguousException.class,
            e -> assertThat(e.reason()).isEqualTo(OwnershipAmbiguousException.Reason.STALE_AUTHORITY_MAP));
    Map<?, ?> failing = json.readValue(get("/actuator/turnout").body(), Map.class);
    assertThat(failing.get("failingClosed")).isEqualTo(true);
    assertThat((String) failing.get("lastRejection")).contains("PROMOTED");
    assertThat((List<?>) failing.get("recentRefusals")).extracting(r -> (Object) ((Map<?, ?>) r).get("reason"))
        .contains("STALE_AUTHORITY_MAP");
    assertThat(meters.get("turnout.authority.failing.closed").gauge().value()).isEqualTo(1);
    assertThat(meters.get("turnout.records.refused").tag("reason", "STALE_AUTHORITY_MAP").functionCounter().count())
        .isGreaterThanOrEqualTo(1);

    // A valid document with a higher epoch restores routing.
    overrides.put("turnout.authority.rule.ops.state", "MIRROR");
    long restored = flip(Map.of());
    assertThat(restored).isGreaterThan(rejected);
    awaitEpoch(restored);
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/actuator/health/turnout").statusCode() == 200);
    send("ops", "after");
    assertThat(keys(onprem, "ops", false)).contains("warm-up", "after").doesNotContain("refused");
    assertThat(keys(cloud, "ops", false)).isEmpty();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
