package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.source.AuthoritySource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The last-known-good cache through a routing producer over {@link MockProducer}s: a custom source that throws at
 * start, and the refusal that names the cache when it is too old.
 */
class LastKnownGoodProducerTest {

  private static final String ORDERS_ON_CLOUD = "epoch=4\nsource=onprem\ntarget=cloud\n"
      + "rule.o.topics=orders\nrule.o.state=TARGET_AUTHORITY\n";

  @TempDir
  Path dir;

  /** A source whose control cluster is down. */
  static final class UnreachableSource implements AuthoritySource {
    @Override
    public Map<String, String> read() throws IOException {
      throw new IOException("control cluster unreachable");
    }

    @Override
    public String description() {
      return "unreachable test source";
    }
  }

  private Path cacheFile() {
    return dir.resolve("turnout-authority.cache");
  }

  private Map<String, Object> configs(AuthoritySource source, long maxStalenessMs) {
    Map<String, Object> configs = new HashMap<>();
    configs.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    configs.put(TurnoutConfig.AUTHORITY_SOURCE, source);
    configs.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 50);
    configs.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, maxStalenessMs);
    configs.put(TurnoutConfig.AUTHORITY_CACHE_FILE, cacheFile().toString());
    configs.put(TurnoutConfig.CUTOVER_BARRIER, "drained");
    return configs;
  }

  private static RoutingProducer<String, String> producer(Map<String, Object> configs,
      MockProducer<String, String> onprem, MockProducer<String, String> cloud) {
    return RoutingProducer.<String, String>builder(configs)
        .serializers(new StringSerializer(), new StringSerializer())
        .client("onprem", onprem)
        .client("cloud", cloud)
        .build();
  }

  private static MockProducer<String, String> mock() {
    return new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
  }

  /** A producer that read the document from a healthy source wrote it to the cache. */
  private void cachedByAnEarlierProducer(long maxStalenessMs) throws Exception {
    try (RoutingProducer<String, String> first = producer(
        configs(new MapAuthoritySource(ORDERS_ON_CLOUD), maxStalenessMs), mock(), mock())) {
      first.send(new ProducerRecord<>("orders", "k", "v")).get(5, TimeUnit.SECONDS);
    }
    assertThat(cacheFile()).exists();
  }

  private long cacheWrittenAt() throws IOException {
    for (String line : Files.readAllLines(cacheFile(), StandardCharsets.UTF_8)) {
      if (line.startsWith("# written-at-ms=")) {
        return Long.parseLong(line.substring("# written-at-ms=".length()));
      }
    }
    throw new AssertionError("no write time in " + cacheFile());
  }

  @Test
  void aProducerWhoseSourceThrowsAtStartRoutesByTheCache() throws Exception {
    cachedByAnEarlierProducer(60_000);
    MockProducer<String, String> onprem = mock();
    MockProducer<String, String> cloud = mock();
    Map<String, Object> configs = configs(new UnreachableSource(), 60_000);
    configs.put(TurnoutConfig.AUTHORITY_REQUIRED, true);
    try (RoutingProducer<String, String> producer = producer(configs, onprem, cloud)) {
      producer.send(new ProducerRecord<>("orders", "k2", "v")).get(5, TimeUnit.SECONDS);
      assertThat(cloud.history()).extracting(ProducerRecord::key).containsExactly("k2");
      assertThat(onprem.history()).isEmpty();
      assertThat(producer.status().epoch()).isEqualTo(4);
      assertThat(producer.status().failingClosed()).isFalse();
      assertThat(producer.failingClosed()).isFalse();
    }
  }

  @Test
  void aCacheOlderThanMaxStalenessIsNotUsedAndTheRefusalSaysWhy() throws Exception {
    long maxStalenessMs = 300;
    cachedByAnEarlierProducer(maxStalenessMs);
    long writtenAt = cacheWrittenAt();
    await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() - writtenAt > maxStalenessMs);
    MockProducer<String, String> cloud = mock();
    try (RoutingProducer<String, String> producer = producer(configs(new UnreachableSource(), maxStalenessMs),
        mock(), cloud)) {
      Future<RecordMetadata> refused = producer.send(new ProducerRecord<>("orders", "k", "v"));
      assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.NO_AUTHORITY_MAP);
            assertThat(e.getMessage()).contains("IOException: control cluster unreachable",
                "The last-known-good cache " + cacheFile().toAbsolutePath() + " was not used",
                "turnout.authority.max.staleness.ms (300)");
          });
      assertThat(cloud.history()).isEmpty();
      assertThat(producer.status().failingClosedReason()).contains("was not used");
    }
  }

  @Test
  void withARequiredAuthorityAndNoUsableCacheConstructionFailsWithTheReason() {
    Map<String, Object> configs = configs(new UnreachableSource(), 60_000);
    configs.put(TurnoutConfig.AUTHORITY_REQUIRED, true);
    assertThatThrownBy(() -> producer(configs, mock(), mock()))
        .hasMessageContaining("There is no last-known-good cache " + cacheFile().toAbsolutePath());
  }
}
