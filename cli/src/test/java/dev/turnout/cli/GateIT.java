package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code turnout gate} against two real clusters (both with the standard authorizer, so ACLs can be compared),
 * MirrorMaker 2 for the replicated topic, a status topic written with status records, and a small HTTP server
 * answering Kafka Connect's {@code GET /connectors?expand=status&expand=info}.
 */
class GateIT {

  private static final Map<String, String> AUTHORIZER = Map.of(
      "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
      "super.users", "User:ANONYMOUS",
      "allow.everyone.if.no.acl.found", "true");

  private static KafkaTestCluster source;
  private static KafkaTestCluster target;
  private static InProcessMirrorMaker mirrorMaker;
  private static HttpServer connect;
  private static final AtomicReference<String> connectors = new AtomicReference<>("{}");

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws IOException {
    source = KafkaTestCluster.start("source", AUTHORIZER);
    target = KafkaTestCluster.start("target", AUTHORIZER);
    source.createTopic("gate-mirrored", 2);
    mirrorMaker = InProcessMirrorMaker.builder(source.bootstrapServers(), target.bootstrapServers())
        .aliases("onprem", "cloud").topics("gate-mirrored").groups("none").start();
    connect = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    connect.createContext("/connectors", exchange -> {
      byte[] body = connectors.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    connect.start();
  }

  @AfterAll
  static void stop() {
    if (connect != null) {
      connect.stop(0);
    }
    for (AutoCloseable c : new AutoCloseable[] {mirrorMaker, target, source}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // closing the others matters more
      }
    }
  }

  @Test
  void greenWhenReplicationFleetAclsAndConnectorsHold() throws Exception {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      records.add(withId(new ProducerRecord<>("gate-mirrored", i % 2, "k" + i, "v" + i), i));
    }
    send(source, records);
    await().atMost(Duration.ofSeconds(30)).until(() -> total(target, "gate-mirrored", 2) == 20);
    createStatusTopic("gate-status-green");
    send(source, List.of(new ProducerRecord<>("gate-status-green", "i1",
        status("i1", 5, Instant.now(), 60_000, "CLOSED", ""))));
    grant(source, "gate-mirrored");
    grant(target, "gate-mirrored");
    source.createTopic("gate-dlq-green", 1);
    target.createTopic("gate-dlq-green", 1);
    connectors.set(connector("es-sink", "gate-mirrored", "RUNNING", "gate-dlq-green"));

    Result r = gate("DUAL_READ", "gate-mirrored", "--status-topic", "gate-status-green",
        "--connect", "http://127.0.0.1:" + connect.getAddress().getPort());

    System.out.println(r.out);
    assertThat(r.status).as(r.out).isEqualTo(ExitCodes.OK);
    assertThat(r.out).contains("gate orders -> DUAL_READ: GREEN").doesNotContain(" RED ");
    assertThat(r.line("lag gate-mirrored")).contains("GREEN").contains("0 records, 0ms");
    assertThat(r.line("partitions gate-mirrored")).contains("GREEN").contains("2 -> 2");
    assertThat(r.line("retention gate-mirrored")).contains("GREEN").contains("7d");
    assertThat(r.line("epoch applied")).contains("GREEN").contains("1/1");
    assertThat(r.line("open breakers")).contains("GREEN");
    assertThat(r.line("acls topic gate-mirrored")).contains("GREEN").contains("1/1 on cloud");
    assertThat(r.line("state es-sink")).contains("GREEN").contains("RUNNING, 1/1 tasks");
    assertThat(r.line("dlq es-sink")).contains("GREEN").contains("onprem 0, cloud 0");
    assertThat(r.line("groups")).contains("GREY");
  }

  @Test
  void redWhileSourceRecordsAreNotOnTheTargetOrPartitionCountsDiffer() throws Exception {
    source.createTopic("gate-lag", 1);
    target.createTopic("gate-lag", 1);
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    long ts = System.currentTimeMillis() - 60_000;
    for (int i = 0; i < 10; i++) {
      records.add(withId(new ProducerRecord<>("gate-lag", 0, ts + i, "k" + i, "v" + i), 100 + i));
    }
    send(source, records);
    send(target, records.subList(0, 7)); // what a replication that stopped after 7 records left

    Result r = gate("DUAL_READ", "gate-lag", "--max-lag-records", "2");

    assertThat(r.status).isEqualTo(ExitCodes.RED);
    assertThat(r.line("lag gate-lag")).contains("RED").contains("<= 2 records, <= 5s")
        .containsPattern("3 records, ((6\\d|[7-9]\\d)(\\.\\d)?s|1m) ") // the oldest unreplicated record is 60 s old
        .contains("oldest unreplicated source record is");
    assertThat(r.line("status topic")).contains("GREY").contains("no --status-topic given");
    assertThat(r.line("connect")).contains("GREY").contains("no --connect URL given");

    source.createTopic("gate-partitions", 2);
    target.createTopic("gate-partitions", 1);
    Result counts = gate("DUAL_READ", "gate-partitions");
    assertThat(counts.status).isEqualTo(ExitCodes.RED);
    assertThat(counts.line("partitions gate-partitions")).contains("RED").contains("2 -> 1");
  }

  @Test
  void redForAStaleInstanceAnOldEpochAnOpenBreakerAndARefusal() throws Exception {
    source.createTopic("gate-fleet", 1);
    target.createTopic("gate-fleet", 1);
    createStatusTopic("gate-status-red");
    Instant now = Instant.now();
    send(source, List.of(
        new ProducerRecord<>("gate-status-red", "healthy", status("healthy", 5, now, 60_000, "CLOSED", "")),
        new ProducerRecord<>("gate-status-red", "silent", status("silent", 5, now.minusSeconds(600), 1000,
            "CLOSED", "")),
        new ProducerRecord<>("gate-status-red", "behind", status("behind", 4, now, 60_000, "CLOSED", "")),
        new ProducerRecord<>("gate-status-red", "broken", status("broken", 5, now, 60_000, "OPEN", "")),
        new ProducerRecord<>("gate-status-red", "refusing", status("refusing", 5, now, 60_000, "CLOSED",
            "{\"reason\":\"NOT_OWNER\",\"topic\":\"gate-fleet\",\"epoch\":5,\"message\":\"refused\",\"at\":\""
                + now.minusMillis(10) + "\"}"))));

    Result r = gate("DUAL_READ", "gate-fleet", "--status-topic", "gate-status-red");
    System.out.println(r.out);

    assertThat(r.status).isEqualTo(ExitCodes.RED);
    assertThat(r.line("live instances")).contains("GREEN").contains(" 4 ");
    assertThat(r.line("stale instances")).contains("RED").contains("orders-api/client-silent");
    assertThat(r.line("epoch applied")).contains("RED").contains("3/4").contains("client-behind@host on 4");
    assertThat(r.line("open breakers")).contains("RED").contains("client-broken@host cloud OPEN");
    assertThat(r.line("refusals last interval")).contains("RED").contains("client-refusing@host NOT_OWNER");
    assertThat(r.line("principals")).contains("GREY").contains("cloud: User:orders");
  }

  @Test
  void redWhenTheTargetLacksAnAclTheSourceGrants() throws Exception {
    source.createTopic("gate-acl", 1);
    target.createTopic("gate-acl", 1);
    grant(source, "gate-acl");

    Result r = gate("DUAL_READ", "gate-acl");

    assertThat(r.status).isEqualTo(ExitCodes.RED);
    assertThat(r.line("acls topic gate-acl")).contains("RED").contains("0/1 on cloud")
        .contains("missing on cloud: User:orders READ ALLOW");
  }

  @Test
  void redForAFailedConnectorAndForADeadLetterQueueWithRecords() throws Exception {
    source.createTopic("gate-sink", 1);
    target.createTopic("gate-sink", 1);
    source.createTopic("gate-dlq", 1);
    target.createTopic("gate-dlq", 1);
    send(target, List.of(new ProducerRecord<>("gate-dlq", "k", "poison")));
    connectors.set(connector("failing-sink", "gate-sink", "FAILED", "gate-dlq"));
    String url = "http://127.0.0.1:" + connect.getAddress().getPort();

    Result r = gate("DUAL_READ", "gate-sink", "--connect", url);

    assertThat(r.status).isEqualTo(ExitCodes.RED);
    assertThat(r.line("state failing-sink")).contains("RED").contains("FAILED, 0/1 tasks").contains("task 0 FAILED");
    assertThat(r.line("dlq failing-sink")).contains("RED").contains("onprem 0, cloud 1");
  }

  @Test
  void writePromotionNeedsTheValidationGroupsCommitsOnTheTargetAndASmallLag() throws Exception {
    source.createTopic("gate-offsets", 2);
    target.createTopic("gate-offsets", 2);
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(withId(new ProducerRecord<>("gate-offsets", i % 2, "k" + i, "v" + i), 200 + i));
    }
    send(source, records);
    send(target, records);
    commit(source, "billing", Map.of(new TopicPartition("gate-offsets", 0), 1L,
        new TopicPartition("gate-offsets", 1), 1L), "turnout:5:c:");

    Result before = gate("WRITE_PROMOTION", "gate-offsets", "--group", "billing", "--max-group-lag", "5");
    System.out.println(before.out);

    assertThat(before.status).isEqualTo(ExitCodes.RED);
    assertThat(before.line("lag billing on onprem")).contains("RED").contains(" 8 ").contains("<= 5");
    assertThat(before.line("lag billing on cloud")).contains("GREY").contains("no commits");
    assertThat(before.line("boundary billing")).contains("RED").contains("0/2 partitions");
    assertThat(before.line("reads billing")).contains("GREY");
    assertThat(before.line("target-only records")).contains("GREY").contains("--since-epoch");

    commit(source, "billing", Map.of(new TopicPartition("gate-offsets", 0), 5L,
        new TopicPartition("gate-offsets", 1), 5L), "turnout:5:c:");
    commit(target, "billing.turnout-validation", Map.of(new TopicPartition("gate-offsets", 0), 5L,
        new TopicPartition("gate-offsets", 1), 5L), "turnout:5:c:");

    Result after = gate("WRITE_PROMOTION", "gate-offsets", "--group", "billing", "--max-group-lag", "5");

    assertThat(after.line("lag billing on onprem")).contains("GREEN");
    assertThat(after.line("boundary billing")).contains("GREEN").contains("2/2 partitions")
        .contains("newest stamp epoch 5");

    Result discovered = gate("WRITE_PROMOTION", "gate-offsets", "--since-epoch", "5", "--max-reconcile", "0");
    assertThat(discovered.line("boundary billing")).contains("GREEN"); // found by its commits, validation group aside
    assertThat(discovered.out).doesNotContain("boundary billing.turnout-validation");
    assertThat(discovered.line("acls group billing")).contains("GREEN");
    assertThat(discovered.line("target-only records")).contains("GREEN").contains(" 0 ").contains("<= 0");
  }

  @Test
  void aclLinesAreGreyWhenAClusterHasNoAuthorizer() throws Exception {
    try (KafkaTestCluster plain = KafkaTestCluster.start("plain")) {
      source.createTopic("gate-plain", 1);
      plain.createTopic("gate-plain", 1);
      grant(source, "gate-plain");

      Result r = gate("DUAL_READ", "gate-plain", "--target-bootstrap", plain.bootstrapServers());

      assertThat(r.line("acls topic gate-plain")).contains("GREY")
          .contains("no authorizer on cloud (SecurityDisabledException)");
    }
  }

  @Test
  void jsonCarriesEveryLine() throws Exception {
    source.createTopic("gate-json", 1);
    target.createTopic("gate-json", 1);

    Result r = gate("DUAL_READ", "gate-json", "--json");

    assertThat(r.status).isEqualTo(ExitCodes.OK);
    assertThat(r.out).startsWith("{").contains("\"status\": \"GREEN\"")
        .contains("{\"group\":\"replication\",\"name\":\"lag gate-json\",\"status\":\"GREEN\"")
        .contains("\"status\":\"GREY\",\"live\":\"-\",\"threshold\":\"-\",\"detail\":\"no --status-topic given\"");
  }

  // --- helpers

  private record Result(int status, String out) {
    String line(String name) {
      return out.lines().filter(l -> l.matches("\\S+\\s+\\S+\\s+" + java.util.regex.Pattern.quote(name) + "\\s.*")
          || l.matches("\\S+\\s+\\S+\\s+" + java.util.regex.Pattern.quote(name))).findFirst()
          .orElseThrow(() -> new AssertionError("no line '" + name + "' in\n" + out));
    }
  }

  private Result gate(String next, String topic, String... more) throws IOException {
    Path document = dir.resolve("document-" + topic + ".properties");
    Files.writeString(document, "epoch=5\nsource=onprem\ntarget=cloud\nrule.orders.topics=" + topic
        + "\nrule.orders.state=" + ("WRITE_PROMOTION".equals(next) ? "DUAL_READ" : "MIRROR") + "\n");
    Path sourceConfig = dir.resolve("source.properties");
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", source.bootstrapServers());
    try (var w = Files.newBufferedWriter(sourceConfig)) {
      p.store(w, null);
    }
    List<String> args = new ArrayList<>(List.of("gate", next, "--rule", "orders", "--document", document.toString(),
        "--source-config", sourceConfig.toString(), "--timeout", "15s"));
    if (!List.of(more).contains("--target-bootstrap")) {
      args.addAll(List.of("--target-bootstrap", target.bootstrapServers()));
    }
    args.addAll(List.of(more));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = TurnoutCli.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(err.toString()).as("stderr").isEmpty();
    return new Result(status, out.toString());
  }

  private static ProducerRecord<String, String> withId(ProducerRecord<String, String> record, long sequence) {
    byte[] id = java.nio.ByteBuffer.allocate(16).putLong(0x5EED).putLong(sequence).array();
    record.headers().add("turnout.id", id);
    return record;
  }

  private static void send(KafkaTestCluster cluster, List<ProducerRecord<String, String>> records) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new StringSerializer(),
        new StringSerializer())) {
      for (ProducerRecord<String, String> r : records) {
        producer.send(r).get();
      }
    }
  }

  private static long total(KafkaTestCluster cluster, String topic, int partitions) {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        cluster.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static void commit(KafkaTestCluster cluster, String group, Map<TopicPartition, Long> offsets,
      String metadata) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> commits = new java.util.HashMap<>();
    offsets.forEach((tp, o) -> commits.put(tp, new OffsetAndMetadata(o, metadata)));
    cluster.admin().alterConsumerGroupOffsets(group, commits).all().get();
  }

  private static void createStatusTopic(String topic) {
    source.createTopic(topic, 1);
  }

  private static void grant(KafkaTestCluster cluster, String topic) throws Exception {
    Admin admin = cluster.admin();
    AclBinding binding = new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry("User:orders", "*", AclOperation.READ, AclPermissionType.ALLOW));
    admin.createAcls(List.of(binding)).all().get();
    await().atMost(Duration.ofSeconds(10)).until(() -> admin.describeAcls(AclBindingFilter.ANY).values().get()
        .contains(binding));
  }

  private static String connector(String name, String topic, String state, String dlq) {
    return "{\"" + name + "\": {\"info\": {\"name\": \"" + name + "\", \"type\": \"sink\", \"tasks\": [], "
        + "\"config\": {\"connector.class\": \"io.example.Sink\", \"topics\": \"" + topic + "\", "
        + "\"errors.deadletterqueue.topic.name\": \"" + dlq + "\"}}, "
        + "\"status\": {\"name\": \"" + name + "\", \"type\": \"sink\", \"connector\": {\"state\": \"" + state
        + "\", \"worker_id\": \"w1:8083\"}, \"tasks\": [{\"id\": 0, \"state\": \"" + state
        + "\", \"worker_id\": \"w1:8083\"}]}}, "
        + "\"mirror\": {\"info\": {\"type\": \"source\", \"config\": {}}, \"status\": {\"type\": \"source\"}}}";
  }

  private static String status(String id, long epoch, Instant publishedAt, long intervalMs, String targetBreaker,
      String refusal) {
    return "{\"format\":1,\"instanceId\":\"" + id + "\",\"clientId\":\"client-" + id + "\",\"service\":\"orders-api\","
        + "\"host\":\"host\",\"role\":\"PRODUCER\",\"publishedAt\":\"" + publishedAt + "\",\"intervalMs\":" + intervalMs
        + ",\"publishFailures\":0,\"principals\":{\"onprem\":\"User:orders\",\"cloud\":\"User:orders\"},"
        + "\"at\":\"" + publishedAt + "\",\"epoch\":" + epoch + ",\"epochSince\":\"" + publishedAt + "\","
        + "\"mapAgeMs\":10,\"failingClosed\":false,\"failingClosedReason\":null,\"authorityProblem\":null,"
        + "\"clusters\":[" + cluster("onprem", "CLOSED") + "," + cluster("cloud", targetBreaker) + "],"
        + "\"routes\":[],\"barriers\":[],\"cutover\":null,\"consumer\":null,"
        + "\"recentRefusals\":[" + refusal + "],\"refusals\":{}}";
  }

  private static String cluster(String alias, String breaker) {
    return "{\"alias\":\"" + alias + "\",\"breaker\":\"" + breaker + "\",\"breakerFailureRate\":-1.0,"
        + "\"clusterId\":{\"expected\":null,\"observed\":null,\"verdict\":\"NOT_PINNED\"},\"records\":0}";
  }
}
