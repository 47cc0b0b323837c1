package dev.turnout;

import static dev.turnout.Records.producerConfig;
import static dev.turnout.Records.readAll;
import static dev.turnout.Records.writeDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-cluster circuit breaker against a real outage: the cloud broker is stopped, sends owned by cloud
 * time out until its breaker opens, then fail at once and are never rerouted, while onprem's slices carry
 * on; when the broker is back, trial sends close the breaker. This class stops a broker, so it has clusters
 * of its own.
 */
@TwoKafkaClusters
class ClusterBreakerIT {

  @TempDir
  Path dir;

  private static List<String> keys(boolean cloudOwned, int count) {
    List<String> keys = new ArrayList<>();
    StringSerializer serializer = new StringSerializer();
    for (int i = 0; keys.size() < count; i++) {
      String key = "b" + i;
      if ((AuthorityMap.bucket(serializer.serialize("breaker", key)) < 5_000) == cloudOwned) {
        keys.add(key);
      }
    }
    return keys;
  }

  @Test
  void anOpenBreakerFailsSendsFastNeverReroutesAndClosesWhenTheClusterIsBack(TwoClusters clusters) throws Exception {
    KafkaTestCluster onprem = clusters.source();
    KafkaTestCluster cloud = clusters.target();
    clusters.createTopic("breaker", 3);
    Path file = dir.resolve("authority.properties");
    writeDocument(file, "epoch=1\nsource=onprem\ntarget=cloud\nrule.b.topics=breaker\nrule.b.state=WRITE_PROMOTION\n"
        + "rule.b.slice.new.keys=0-4999\nrule.b.slice.new.owner=cloud\n"
        + "rule.b.slice.old.keys=5000-9999\nrule.b.slice.old.owner=onprem\n");
    Map<String, Object> config = producerConfig(onprem, cloud, file);
    config.put("delivery.timeout.ms", 1_500);
    config.put("request.timeout.ms", 1_000);
    config.put("max.block.ms", 2_000);
    config.put(TurnoutConfig.BREAKER_MINIMUM_CALLS, 5);
    config.put(TurnoutConfig.BREAKER_WINDOW_SIZE, 10);
    config.put(TurnoutConfig.BREAKER_OPEN_WAIT_MS, 4_000);
    config.put(TurnoutConfig.BREAKER_HALF_OPEN_CALLS, 2);
    List<String> cloudKeys = keys(true, 5);
    List<String> onpremKeys = keys(false, 5);
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>("breaker", cloudKeys.get(i), "before")).get(10, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>("breaker", onpremKeys.get(i), "before")).get(10, TimeUnit.SECONDS);
      }
      assertThat(state(producer, "cloud")).isEqualTo(0);

      cloud.stopBroker();
      try {
        List<Future<RecordMetadata>> timingOut = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          timingOut.add(producer.send(new ProducerRecord<>("breaker", cloudKeys.get(i % 5), "during-outage")));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> state(producer, "cloud") == 1);
        assertThat(timingOut).allSatisfy(f -> assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class));

        // Open: sends owned by cloud fail at once with a typed, retriable error.
        // Deterministic part: the future is already failed when send() returns (no broker I/O, no
        // max.block.ms wait). The timing is printed and checked on the median, which a loaded CI
        // machine does not distort the way it can distort a single slow call.
        long[] millis = new long[20];
        for (int i = 0; i < millis.length; i++) {
          long start = System.nanoTime();
          Future<RecordMetadata> f = producer.send(new ProducerRecord<>("breaker", cloudKeys.get(i % 5), "open"));
          millis[i] = (System.nanoTime() - start) / 1_000_000;
          assertThat(f).as("failed before send() returned").isDone();
          assertThatThrownBy(() -> f.get(100, TimeUnit.MILLISECONDS)).isInstanceOf(ExecutionException.class).cause()
              .isInstanceOfSatisfying(ClusterUnavailableException.class, e -> {
                assertThat(e.cluster()).isEqualTo("cloud");
                assertThat(e).isInstanceOf(org.apache.kafka.common.errors.RetriableException.class);
                assertThat(e.getMessage()).contains("never rerouted");
              });
        }
        java.util.Arrays.sort(millis);
        System.out.printf("[breaker] open: 20 sends to cloud failed in p50 %d ms, max %d ms (max.block.ms 2000)%n",
            millis[millis.length / 2], millis[millis.length - 1]);
        assertThat(millis[millis.length / 2]).isLessThan(100);
        assertThat(millis[millis.length - 1]).isLessThan(1_000);
        // The other cluster's slices continue.
        for (String k : onpremKeys) {
          producer.send(new ProducerRecord<>("breaker", k, "during-outage")).get(10, TimeUnit.SECONDS);
        }
        assertThat(state(producer, "onprem")).isEqualTo(0);
        assertThat(CutoverChecks.metric(producer, "records-refused-total", Map.of("reason", "CLUSTER_UNAVAILABLE")))
            .isGreaterThanOrEqualTo(20);
      } finally {
        cloud.startBroker();
      }

      // Back: after the open wait, trial sends go through and close the breaker.
      await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250)).until(() -> {
        try {
          producer.send(new ProducerRecord<>("breaker", cloudKeys.get(0), "after")).get(5, TimeUnit.SECONDS);
          return state(producer, "cloud") == 0;
        } catch (ExecutionException e) {
          return false;
        }
      });
    }
    List<ConsumerRecord<String, String>> onOnprem = readAll(onprem, "breaker");
    assertThat(onOnprem).as("cloud's records are never rerouted to onprem")
        .allSatisfy(r -> assertThat(onpremKeys).contains(r.key()))
        .extracting(ConsumerRecord::value).doesNotContain("open");
    assertThat(readAll(cloud, "breaker")).extracting(ConsumerRecord::value).doesNotContain("open").contains("after");
  }

  private static long state(RoutingProducer<?, ?> producer, String cluster) {
    return (long) CutoverChecks.metric(producer, "cluster-breaker-state", Map.of("cluster", cluster));
  }
}
