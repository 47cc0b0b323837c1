package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.internal.consumer.CommitStamp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RoutingConsumer#builder}: consumers over supplied clients, and the Kafka settings the consumer reads. */
class RoutingConsumerBuilderTest {

  private static final TopicPartition ORDERS = new TopicPartition("orders", 0);

  @TempDir
  Path dir;

  private Map<String, Object> config(String state) throws Exception {
    Path authority = Files.writeString(dir.resolve("authority.properties"),
        "epoch=3\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\nrule.orders.state=" + state + "\n");
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put(TurnoutConfig.AUTHORITY_FILE, authority.toString());
    config.put("group.id", "billing");
    return config;
  }

  @Test
  void enableAutoCommitIsValidatedAsKafkaConsumerWould() throws Exception {
    Map<String, Object> config = config("MIRROR");
    config.put("enable.auto.commit", "yes");
    assertThatThrownBy(() -> RoutingConsumer.<String, String>builder(config)
        .client("onprem", new MockConsumer<>("earliest")).client("cloud", new MockConsumer<>("earliest")).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("enable.auto.commit").hasMessageContaining("yes");
  }

  @Test
  void aNonNumericAutoCommitIntervalNamesTheKey() throws Exception {
    Map<String, Object> config = config("MIRROR");
    config.put("auto.commit.interval.ms", "soon");
    assertThatThrownBy(() -> RoutingConsumer.<String, String>builder(config)
        .client("onprem", new MockConsumer<>("earliest")).client("cloud", new MockConsumer<>("earliest")).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("auto.commit.interval.ms");
  }

  @Test
  void aClusterWithoutASuppliedClientStillNeedsBootstrapServersAndDeserializers() throws Exception {
    Map<String, Object> config = config("MIRROR");
    assertThatThrownBy(() -> RoutingConsumer.<String, String>builder(config)
        .client("onprem", new MockConsumer<>("earliest")).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("turnout.cluster.cloud.bootstrap.servers");
    config.put("turnout.cluster.cloud.bootstrap.servers", "localhost:1");
    assertThatThrownBy(() -> RoutingConsumer.<String, String>builder(config)
        .client("onprem", new MockConsumer<>("earliest")).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("key.deserializer");
    try (RoutingConsumer<String, String> consumer = RoutingConsumer.<String, String>builder(config)
        .deserializers(new StringDeserializer(), new StringDeserializer())
        .client("onprem", new MockConsumer<>("earliest")).build()) {
      assertThat(consumer.assignment()).isEmpty();
    }
  }

  @Test
  void aClientForAnUndeclaredClusterIsRefused() throws Exception {
    Map<String, Object> config = config("MIRROR");
    assertThatThrownBy(() -> RoutingConsumer.<String, String>builder(config)
        .client("onprem", new MockConsumer<>("earliest")).client("cloud", new MockConsumer<>("earliest"))
        .client("dr", new MockConsumer<>("earliest")).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("'dr'").hasMessageContaining("turnout.clusters");
    assertThatThrownBy(() -> RoutingConsumer.<String, String>builder(config)
        .client("onprem", new MockConsumer<>("earliest")).client("onprem", new MockConsumer<>("earliest")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'onprem'");
  }

  @Test
  void commitsThroughASuppliedClientAreStampedWithTheEpoch() throws Exception {
    MockConsumer<String, String> onprem = new MockConsumer<>("earliest");
    try (RoutingConsumer<String, String> consumer = RoutingConsumer.<String, String>builder(config("MIRROR"))
        .client("onprem", onprem).client("cloud", new MockConsumer<>("earliest")).build()) {
      consumer.subscribe(List.of("orders"));
      onprem.schedulePollTask(() -> {
        onprem.rebalance(List.of(ORDERS));
        onprem.updateBeginningOffsets(Map.of(ORDERS, 0L));
        onprem.addRecord(new ConsumerRecord<>("orders", 0, 0, "k", "v"));
      });
      assertThat(consumer.poll(Duration.ofSeconds(5)).count()).isEqualTo(1);
      consumer.commitSync(Map.of(ORDERS, new OffsetAndMetadata(1, "app")));
      OffsetAndMetadata raw = onprem.committed(Set.of(ORDERS)).get(ORDERS);
      assertThat(CommitStamp.parse(raw.metadata()).epoch()).isEqualTo(3);
      assertThat(consumer.committed(Set.of(ORDERS)).get(ORDERS).metadata()).isEqualTo("app");
    }
  }

  @Test
  void aPartitionHandedOverOnAClusterTurnoutCannotReachIsBlocked() throws Exception {
    MockConsumer<String, String> onprem = new MockConsumer<>("earliest");
    MockConsumer<String, String> cloud = new MockConsumer<>("earliest");
    // The group handed the partition over on onprem at epoch 2; this consumer now reads it from cloud.
    onprem.assign(List.of(ORDERS));
    onprem.commitSync(Map.of(ORDERS, new OffsetAndMetadata(7, CommitStamp.handover(2, System.currentTimeMillis(), ""))));
    try (RoutingConsumer<String, String> consumer = RoutingConsumer.<String, String>builder(config("TARGET_AUTHORITY"))
        .client("onprem", onprem).client("cloud", cloud).build()) {
      consumer.subscribe(List.of("orders"));
      cloud.schedulePollTask(() -> {
        cloud.rebalance(List.of(ORDERS));
        cloud.updateBeginningOffsets(Map.of(ORDERS, 0L));
        cloud.addRecord(new ConsumerRecord<>("orders", 0, 0, "k", "v"));
      });
      assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5)))
          .isInstanceOf(BoundaryNotVerifiedException.class)
          .hasMessageContaining("blocked on 'cloud'")
          .hasMessageContaining("no bootstrap servers");
      assertThat(consumer.poll(Duration.ofMillis(200)).isEmpty()).isTrue();
      assertThat(cloud.paused()).containsExactly(ORDERS);
    }
  }

  /** A MockConsumer that keeps the last batch it returned. */
  private static final class Recording extends MockConsumer<String, String> {
    private ConsumerRecords<String, String> last;

    Recording() {
      super("earliest");
    }

    @Override
    public synchronized ConsumerRecords<String, String> poll(Duration timeout) {
      last = super.poll(timeout);
      return last;
    }
  }

  @Test
  void inTheSteadyStateTheClustersBatchIsHandedOverAsItIs() throws Exception {
    Recording onprem = new Recording();
    try (RoutingConsumer<String, String> consumer = RoutingConsumer.<String, String>builder(config("MIRROR"))
        .client("onprem", onprem).client("cloud", new MockConsumer<>("earliest")).build()) {
      consumer.subscribe(List.of("orders"));
      onprem.schedulePollTask(() -> {
        onprem.rebalance(List.of(ORDERS));
        onprem.updateBeginningOffsets(Map.of(ORDERS, 0L));
        onprem.addRecord(new ConsumerRecord<>("orders", 0, 0, "k", "v"));
      });
      ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(5));
      assertThat(records.count()).isEqualTo(1);
      assertThat(records).isSameAs(onprem.last);
    }
  }
}
