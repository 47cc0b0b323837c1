package dev.turnout.archaius;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.netflix.config.ConcurrentMapConfiguration;
import com.netflix.config.DynamicConfiguration;
import com.netflix.config.FixedDelayPollingScheduler;
import com.netflix.config.PollResult;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.status.TurnoutListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.configuration.AbstractConfiguration;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Archaius applies a document's properties one by one: a client must never route by half of a new document for
 * long, and must end up with the whole one. The clients here re-read their source only when it reports a change
 * ({@code turnout.authority.refresh.ms} is ten minutes), over mock producers: no broker involved.
 */
class ArchaiusTornUpdateTest {

  private static final String PREFIX = "orders-service.turnout.";

  /** Epoch 1: orders stay on onprem; six keys. */
  private static Map<String, String> first() {
    Map<String, String> doc = new LinkedHashMap<>();
    doc.put("epoch", "1");
    doc.put("key-count", "6");
    doc.put("source", "onprem");
    doc.put("target", "cloud");
    doc.put("rule.orders.topics", "orders");
    doc.put("rule.orders.state", "MIRROR");
    return doc;
  }

  /** Epoch 2: orders move to cloud and a rule for audit topics is added; eight keys. */
  private static Map<String, String> second() {
    Map<String, String> doc = new LinkedHashMap<>(first());
    doc.put("epoch", "2");
    doc.put("key-count", "8");
    doc.put("rule.orders.state", "TARGET_AUTHORITY");
    doc.put("rule.audit.topic-prefix", "audit.");
    doc.put("rule.audit.state", "TARGET_AUTHORITY");
    return doc;
  }

  private static RoutingProducer<String, String> producer(ArchaiusAuthoritySource source) {
    Map<String, Object> configs = new HashMap<>();
    configs.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    configs.put(TurnoutConfig.AUTHORITY_SOURCE, source);
    configs.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 600_000L);
    configs.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 1_200_000L);
    configs.put(TurnoutConfig.CUTOVER_BARRIER, "drained");
    return RoutingProducer.<String, String>builder(configs)
        .serializers(new StringSerializer(), new StringSerializer())
        .client("onprem", new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()))
        .client("cloud", new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()))
        .build();
  }

  private static void set(AbstractConfiguration config, Map<String, String> document) {
    document.forEach((k, v) -> config.setProperty(PREFIX + k, v));
  }

  private static long rejected(RoutingProducer<?, ?> producer, String reason) {
    return producer.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals("authority-documents-rejected-total")
            && (reason == null || reason.equals(e.getKey().tags().get("reason"))))
        .mapToLong(e -> ((Number) e.getValue().metricValue()).longValue()).sum();
  }

  /**
   * The order Archaius applies a poll in is arbitrary; here {@code key-count} arrives first, so every state before
   * the last property has another number of keys than it declares.
   */
  @Test
  void aHalfAppliedDocumentIsRejectedAndTheWholeOneInstalledWhenItsLastPropertyArrives() {
    ConcurrentMapConfiguration config = new ConcurrentMapConfiguration();
    set(config, first());
    try (RoutingProducer<String, String> producer = producer(new ArchaiusAuthoritySource(PREFIX, config))) {
      assertThat(producer.epoch()).isEqualTo(1);
      List<String> order = List.of("key-count", "epoch", "rule.orders.state", "rule.audit.topic-prefix");
      for (int i = 0; i < order.size(); i++) {
        String key = order.get(i);
        config.setProperty(PREFIX + key, second().get(key));
        long rejections = i + 1;
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(producer, "INCOMPLETE") == rejections);
        assertThat(producer.epoch()).as("after %s", key).isEqualTo(1);
        assertThat(producer.authorityMap().document()).isEqualTo(new java.util.TreeMap<>(first()));
        assertThat(producer.status().authorityProblem()).contains("INCOMPLETE");
      }

      config.setProperty(PREFIX + "rule.audit.state", "TARGET_AUTHORITY");

      await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == 2);
      assertThat(producer.authorityMap().document()).isEqualTo(new java.util.TreeMap<>(second()));
      assertThat(producer.status().authorityProblem()).isNull();
      assertThat(rejected(producer, null)).as("rejections of every kind").isEqualTo(4);
    }
  }

  /**
   * Here {@code epoch} arrives first and the state it makes (epoch 2, the rest of epoch 1) is valid and has the
   * number of keys it declares: it is installed, and the whole document of epoch 2 replaces it as soon as it is
   * read (the same-epoch rule: the half-applied map was never read twice).
   */
  @Test
  void aValidHalfAppliedStateOfTheNewEpochIsReplacedByTheWholeDocument() {
    ConcurrentMapConfiguration config = new ConcurrentMapConfiguration();
    set(config, first());
    try (RoutingProducer<String, String> producer = producer(new ArchaiusAuthoritySource(PREFIX, config))) {
      config.setProperty(PREFIX + "epoch", "2");
      await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == 2);
      assertThat(producer.authorityMap().document()).containsEntry("rule.orders.state", "MIRROR");

      for (String key : List.of("key-count", "rule.orders.state", "rule.audit.topic-prefix", "rule.audit.state")) {
        config.setProperty(PREFIX + key, second().get(key));
      }

      await().atMost(Duration.ofSeconds(10))
          .until(() -> producer.authorityMap().document().equals(new java.util.TreeMap<>(second())));
      assertThat(producer.status().authorityProblem()).isNull();
    }
  }

  /**
   * A real Archaius polled source applies the new document property by property (three changed, two added, one
   * removed) on its polling thread: the source waits until the properties are quiet, so the client reads the
   * whole burst at once and never sees half of it.
   */
  @Test
  void aPolledUpdateArrivesWhole() throws Exception {
    Map<String, Object> firstProperties = properties(first());
    firstProperties.put(PREFIX + "rule.legacy.topics", "legacy");
    firstProperties.put(PREFIX + "rule.legacy.state", "MIRROR");
    firstProperties.put(PREFIX + "key-count", "8");
    AtomicReference<Map<String, Object>> polled = new AtomicReference<>(firstProperties);
    DynamicConfiguration config = new DynamicConfiguration((initial, checkPoint) -> PollResult.createFull(polled.get()),
        new FixedDelayPollingScheduler(0, 20, false));
    List<Long> applied = new CopyOnWriteArrayList<>();
    try (ArchaiusAuthoritySource source = new ArchaiusAuthoritySource(PREFIX, config, 500);
        RoutingProducer<String, String> producer = producer(source)) {
      producer.addListener(new TurnoutListener() {
        @Override
        public void onEpochApplied(String clientId, long previousEpoch, long epoch) {
          applied.add(epoch);
        }
      });
      assertThat(producer.authorityMap().document()).containsEntry("rule.legacy.state", "MIRROR");

      Map<String, Object> secondProperties = properties(second());
      polled.set(secondProperties);

      await().atMost(Duration.ofSeconds(20))
          .until(() -> producer.authorityMap().document().equals(new java.util.TreeMap<>(second())));
      assertThat(config.getProperty(PREFIX + "rule.legacy.topics")).as("the poll removed the legacy rule").isNull();
      assertThat(applied).containsExactly(2L);
      assertThat(rejected(producer, null)).as("rejections of every kind").isZero();
    } finally {
      config.stopLoading();
    }
  }

  private static Map<String, Object> properties(Map<String, String> document) {
    Map<String, Object> properties = new HashMap<>();
    document.forEach((k, v) -> properties.put(PREFIX + k, v));
    return properties;
  }
}
