package dev.turnout;

import static dev.turnout.Records.producerConfig;
import static dev.turnout.Records.readAll;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart with the authority source down, against two real in-process KRaft clusters: the new producer routes by
 * the last-known-good cache, then refuses once the cache is older than the maximum staleness.
 */
@TwoKafkaClusters
class LastKnownGoodIT {

  private static final long MAX_STALENESS_MS = 6_000;

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @TempDir
  Path dir;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("lkg", 3);
  }

  /** The write time the cache file's header gives (epoch milliseconds). */
  static long cacheWrittenAt(Path cache) throws Exception {
    for (String line : Files.readAllLines(cache, StandardCharsets.UTF_8)) {
      if (line.startsWith("# written-at-ms=")) {
        return Long.parseLong(line.substring("# written-at-ms=".length()));
      }
    }
    throw new AssertionError("no write time in " + cache);
  }

  @Test
  void aProducerRestartedWithTheAuthorityFileGoneRoutesByTheCacheThenRefusesWhenItIsStale() throws Exception {
    Path file = dir.resolve("authority.properties");
    Path cache = dir.resolve("authority.cache");
    // The cache names cloud as the owner; without a map nothing would be written anywhere.
    writeDocument(file, "epoch=3\nsource=onprem\ntarget=cloud\nrule.lkg.topics=lkg\nrule.lkg.state=TARGET_AUTHORITY\n");
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, MAX_STALENESS_MS);
    config.put(TurnoutConfig.AUTHORITY_CACHE_FILE, cache.toString());
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      producer.send(new ProducerRecord<>("lkg", "first-run", "v")).get(10, TimeUnit.SECONDS);
    }
    assertThat(Files.readString(cache, StandardCharsets.UTF_8)).contains("\nepoch=3\n");

    // The restart: the authority source is gone.
    Files.delete(file);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      long writtenAt = cacheWrittenAt(cache);
      AtomicReference<RoutedMetadata> routed = new AtomicReference<>();
      RoutedCallback whichCluster = (m, e) -> routed.set(m);
      producer.send(new ProducerRecord<>("lkg", "from-cache", "v"), whichCluster).get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> routed.get() != null);
      assertThat(routed.get().cluster()).isEqualTo("cloud");
      assertThat(producer.status().epoch()).isEqualTo(3);
      assertThat(producer.status().failingClosed()).isFalse();
      assertThat(producer.authorityMap().epoch()).isEqualTo(3);

      // Observed, not slept: sends route by the cache until it is max.staleness.ms old, then fail closed.
      await().atMost(Duration.ofMillis(MAX_STALENESS_MS + 10_000)).pollInterval(Duration.ofMillis(100)).until(() -> {
        Future<RecordMetadata> probe = producer.send(new ProducerRecord<>("lkg", "probe", "v"));
        producer.flush();
        return probe.isDone() && isRefused(probe);
      });
      assertThat(System.currentTimeMillis()).as("refusing only once the cache is max.staleness.ms old")
          .isGreaterThanOrEqualTo(writtenAt + MAX_STALENESS_MS);
      Future<RecordMetadata> refused = producer.send(new ProducerRecord<>("lkg", "after-stale", "v"));
      assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.STALE_AUTHORITY_MAP);
            assertThat(e.getMessage()).contains("NoSuchFileException: " + file.toAbsolutePath(),
                "comes from the last-known-good cache " + cache.toAbsolutePath());
          });
      assertThat(producer.failingClosed()).isTrue();
      assertThat(producer.status().failingClosedReason()).contains("last-known-good cache");
    }
    assertThat(readAll(cloud, "lkg")).extracting(ConsumerRecord::key).contains("first-run", "from-cache")
        .doesNotContain("after-stale");
    assertThat(readAll(onprem, "lkg")).isEmpty();
  }

  /** Whether a completed send was refused by Turnout. */
  static boolean isRefused(Future<RecordMetadata> future) {
    try {
      future.get();
      return false;
    } catch (ExecutionException e) {
      return e.getCause() instanceof OwnershipAmbiguousException;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
