package dev.turnout.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The order service against two real clusters with MirrorMaker 2 replicating onprem to cloud: orders go to
 * onprem, an operator flips the authority file, new orders go to cloud (after the replicated cutover
 * barrier), and the listener, whose reads move from onprem to cloud, processes every order once. This is the
 * walkthrough of the example's README.
 */
@TwoKafkaClusters
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "turnout.authority.refresh-interval=200ms")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OrderServiceIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static InProcessMirrorMaker mirrorMaker;
  private static Path authority;

  @LocalServerPort
  int port;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();

  @BeforeAll
  static void start(TwoClusters clusters) throws Exception {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("orders", 3);
    mirrorMaker = InProcessMirrorMaker.builder(clusters).topics("orders").start();
    authority = Files.createTempFile("authority", ".properties");
    write("epoch=1\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\nrule.orders.state=MIRROR\n");
  }

  @AfterAll
  static void stop() throws Exception {
    mirrorMaker.close();
    Files.deleteIfExists(authority);
  }

  @DynamicPropertySource
  static void clusters(DynamicPropertyRegistry registry) {
    registry.add("SOURCE_BOOTSTRAP", () -> onprem.bootstrapServers());
    registry.add("TARGET_BOOTSTRAP", () -> cloud.bootstrapServers());
    registry.add("TURNOUT_AUTHORITY_FILE", () -> authority.toString());
  }

  @Test
  void ordersMoveToTheTargetWhenTheAuthorityFileFlipsAndTheListenerSeesThemAll() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(post("/orders/before-" + i, "order " + i).statusCode()).isEqualTo(202);
    }
    assertThat(get("/actuator/health/turnout").body()).contains("\"status\":\"UP\"");
    Map<?, ?> before = json.readValue(get("/actuator/turnout").body(), Map.class);
    assertThat(readClusters(before)).isEqualTo(Map.of("order-service", Map.of("orders", List.of("onprem"))));
    assertThat(((Map<?, ?>) ((Map<?, ?>) before.get("settings")).get("producer")).get("turnout.cutover.barrier"))
        .isEqualTo("replicated");

    write("epoch=2\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\nrule.orders.state=TARGET_AUTHORITY\n");
    // The endpoint lists every open producer with the epoch it routes by.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Map<?, ?> view = json.readValue(get("/actuator/turnout").body(), Map.class);
      List<?> clients = (List<?>) view.get("clients");
      return ((Number) view.get("epoch")).intValue() == 2 && !clients.isEmpty()
          && clients.stream().allMatch(c -> ((Number) ((Map<?, ?>) c).get("epoch")).intValue() == 2);
    });
    for (int i = 0; i < 5; i++) {
      assertThat(post("/orders/after-" + i, "order " + i).statusCode()).isEqualTo(202);
    }

    List<String> onOnprem = keys(onprem);
    assertThat(onOnprem).hasSize(5).allMatch(k -> k.startsWith("before-"));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get("/orders").body())
        .contains("before-0:order 0", "before-4:order 4", "after-0:order 0", "after-4:order 4"));
    String view = get("/actuator/turnout").body();
    assertThat(view).contains("\"state\":\"TARGET_AUTHORITY\"").contains("\"writesTo\":\"cloud\"");
    // The listener's consumer moved its reads to cloud and processed every order once.
    assertThat(readClusters(json.readValue(view, Map.class)))
        .isEqualTo(Map.of("order-service", Map.of("orders", List.of("cloud"))));
    List<Object> processed = List.copyOf(json.readValue(get("/orders").body(), List.class));
    List<Object> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      expected.add("before-" + i + ":order " + i);
      expected.add("after-" + i + ":order " + i);
    }
    assertThat(processed).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static Map<?, ?> readClusters(Map<?, ?> view) {
    return (Map<?, ?>) ((Map<?, ?>) view.get("readClusters")).get("groups");
  }

  private static void write(String document) throws Exception {
    Path tmp = Files.createTempFile(authority.getParent(), "authority", ".tmp");
    Files.writeString(tmp, document, StandardCharsets.UTF_8);
    Files.move(tmp, authority, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static List<String> keys(KafkaTestCluster cluster) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> keys = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = consumer.partitionsFor("orders", Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition("orders", p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
      }
    }
    return keys;
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
