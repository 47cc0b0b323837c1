package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.source.AuthoritySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the clients do when no valid authority document can be read at construction: start, warn with the
 * exact problem, and refuse with the reason in the exception; or, with {@code turnout.authority.required},
 * fail construction with the reason. And staleness reported from the send path when the refresh thread cannot.
 * No broker is involved: nothing is routed.
 */
class AuthorityReasonsTest {

  private static final String SLICE_GAP = """
      epoch=1
      source=onprem
      target=cloud
      rule.orders.topics=orders
      rule.orders.state=WRITE_PROMOTION
      rule.orders.slice.canary.keys=0-999
      rule.orders.slice.canary.owner=cloud
      rule.orders.slice.rest.keys=2000-9999
      rule.orders.slice.rest.owner=onprem
      """;
  private static final String UNDECLARED_ALIAS = """
      epoch=1
      source=onprem
      target=aws
      rule.orders.topics=orders
      rule.orders.state=MIRROR
      """;

  @TempDir
  Path dir;

  private Map<String, Object> config(Path authority, boolean required) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", "localhost:1");
    config.put("turnout.cluster.cloud.bootstrap.servers", "localhost:2");
    config.put(TurnoutConfig.AUTHORITY_FILE, authority.toString());
    config.put(TurnoutConfig.AUTHORITY_REQUIRED, required);
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "start-g");
    return config;
  }

  private Path file(String text) throws Exception {
    Path file = dir.resolve("authority.properties");
    Files.writeString(file, text);
    return file;
  }

  private static OwnershipAmbiguousException refusal(Future<RecordMetadata> future) {
    assertThat(future).isDone();
    ExecutionException e = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class, future::get);
    assertThat(e.getCause()).isInstanceOf(OwnershipAmbiguousException.class);
    return (OwnershipAmbiguousException) e.getCause();
  }

  @Test
  void aMissingFileStartsTheProducerWithAWarningAndEveryRefusalSaysTheFileIsNotFound() {
    Path missing = dir.resolve("missing.properties");
    String notFound = "NoSuchFileException: " + missing.toAbsolutePath()
        + ": authority file not found: create it, or fix turnout.authority.file";
    try (LogCapture logs = new LogCapture();
        RoutingProducer<String, String> producer = new RoutingProducer<>(config(missing, false))) {
      assertThat(logs.lines("WARN", "RoutingProducer starts without an authority map")).singleElement().asString()
          .contains(notFound)
          .contains("Every routing decision is refused with NO_AUTHORITY_MAP until one is read (the source is "
              + "re-read every 1000 ms). Set turnout.authority.required=true to fail construction instead.");
      assertThat(logs.lines("WARN", "Cannot read the authority document")).singleElement().asString()
          .contains("No authority map is in force: every routing decision is refused (NO_AUTHORITY_MAP)")
          .doesNotContain("stays in force until");

      OwnershipAmbiguousException refusal = refusal(producer.send(new ProducerRecord<>("orders", "k", "v")));
      assertThat(refusal.reason()).isEqualTo(Reason.NO_AUTHORITY_MAP);
      assertThat(refusal.getMessage()).isEqualTo("No valid authority map has been loaded from file "
          + missing.toAbsolutePath() + " yet; refusing the write to topic 'orders'. The last read of file "
          + missing.toAbsolutePath() + " failed: " + notFound + ".");
    }
  }

  @Test
  void aDocumentWithASliceGapStartsWithAWarningAndEveryRefusalListsTheProblem() throws Exception {
    Path file = file(SLICE_GAP);
    try (LogCapture logs = new LogCapture();
        RoutingProducer<String, String> producer = new RoutingProducer<>(config(file, false))) {
      String problem = "SLICE_GAP: rule 'orders': key buckets 1000-1999 belong to no slice";
      assertThat(logs.lines("WARN", "RoutingProducer starts without an authority map")).singleElement().asString()
          .contains(problem);

      OwnershipAmbiguousException refusal = refusal(producer.send(new ProducerRecord<>("orders", "k", "v")));
      assertThat(refusal.reason()).isEqualTo(Reason.NO_AUTHORITY_MAP);
      assertThat(refusal.getMessage()).contains("The last document read from file " + file.toAbsolutePath()
          + " was rejected (1 problem): " + problem);
    }
  }

  @Test
  void requiredFailsTheProducerWhenTheFileIsMissing() {
    Path missing = dir.resolve("missing.properties");
    assertThatThrownBy(() -> new RoutingProducer<String, String>(config(missing, true)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value true for configuration turnout.authority.required: no valid authority document "
            + "could be read at start from file " + missing.toAbsolutePath() + ". The last read of file "
            + missing.toAbsolutePath() + " failed: NoSuchFileException: " + missing.toAbsolutePath() + ": authority "
            + "file not found: create it, or fix turnout.authority.file. Fix the source, or set "
            + "turnout.authority.required=false to start anyway and refuse every routing decision (NO_AUTHORITY_MAP) "
            + "until a valid document is read.");
  }

  @Test
  void requiredFailsTheProducerOnASliceGap() throws Exception {
    Path file = file(SLICE_GAP);
    assertThatThrownBy(() -> new RoutingProducer<String, String>(config(file, true)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("turnout.authority.required")
        .hasMessageContaining("SLICE_GAP: rule 'orders': key buckets 1000-1999 belong to no slice");
  }

  @Test
  void requiredFailsTheConsumerOnAnUndeclaredAlias() throws Exception {
    Path file = file(UNDECLARED_ALIAS);
    assertThatThrownBy(() -> new RoutingConsumer<String, String>(config(file, true)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("turnout.authority.required")
        .hasMessageContaining("UNKNOWN_CLUSTER: 'target' names target cluster 'aws', which is not declared in "
            + "turnout.clusters [onprem, cloud]");
  }

  @Test
  void anUndeclaredAliasStartsTheConsumerWithAWarningNamingIt() throws Exception {
    Path file = file(UNDECLARED_ALIAS);
    try (LogCapture logs = new LogCapture();
        RoutingConsumer<String, String> consumer = new RoutingConsumer<>(config(file, false))) {
      assertThat(logs.lines("WARN", "RoutingConsumer starts without an authority map")).singleElement().asString()
          .contains("UNKNOWN_CLUSTER: 'target' names target cluster 'aws'");
      assertThat(consumer.subscription()).isEmpty();
    }
  }

  @Test
  void requiredIsSatisfiedByAValidDocument() throws Exception {
    Path file = file(UNDECLARED_ALIAS.replace("aws", "cloud"));
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config(file, true))) {
      assertThat(producer.authorityMap().epoch()).isEqualTo(1);
      assertThat(producer.failingClosed()).isFalse();
    }
  }

  /** Serves a valid document once, then hangs in every read until interrupted. */
  public static final class HangingSource implements AuthoritySource {
    static final CountDownLatch HANGING = new CountDownLatch(1);
    private final AtomicInteger reads = new AtomicInteger();

    @Override
    public Map<String, String> read() throws Exception {
      if (reads.getAndIncrement() > 0) {
        HANGING.countDown();
        new CountDownLatch(1).await();
      }
      return Map.of("epoch", "1", "source", "onprem", "target", "cloud", "rule.o.topics", "orders",
          "rule.o.state", "MIRROR");
    }

    @Override
    public String description() {
      return "hanging source";
    }
  }

  @Test
  void aStaleMapIsReportedFromTheSendPathWhenTheRefreshThreadHangs() throws Exception {
    Map<String, Object> config = config(dir.resolve("unused"), false);
    config.remove(TurnoutConfig.AUTHORITY_FILE);
    config.put(TurnoutConfig.AUTHORITY_SOURCE, new HangingSource());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 50);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 300);
    try (LogCapture logs = new LogCapture();
        RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      assertThat(HangingSource.HANGING.await(10, TimeUnit.SECONDS)).as("the refresh thread is stuck").isTrue();
      await().atMost(Duration.ofSeconds(10)).until(producer::failingClosed);

      OwnershipAmbiguousException refusal = refusal(producer.send(new ProducerRecord<>("orders", "k", "v")));
      refusal(producer.send(new ProducerRecord<>("orders", "k", "v")));

      assertThat(refusal.reason()).isEqualTo(Reason.STALE_AUTHORITY_MAP);
      assertThat(logs.lines("ERROR", "No authority refresh from hanging source has succeeded for more than 300 ms"))
          .as("logged once, by the send path: the refresh thread is stuck in read()").hasSize(1);
    }
  }
}
