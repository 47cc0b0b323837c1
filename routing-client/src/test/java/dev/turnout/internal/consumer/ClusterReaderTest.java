package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** {@link ClusterReader}: group-less reads of one partition, over a fake log. */
class ClusterReaderTest {

  private static final TopicPartition TP = new TopicPartition("orders", 0);

  private final FakeLog log = new FakeLog();
  private final ClusterReader reader = new ClusterReader("cloud", log);

  @Test
  void theReaderConfigurationJoinsNoGroupAndReadsBytes() {
    Map<String, Object> client = new HashMap<>();
    client.put("bootstrap.servers", "cloud:9092");
    client.put("client.id", "billing-cloud");
    client.put("group.id", "billing");
    client.put("group.instance.id", "i-1");
    client.put("interceptor.classes", "x.Interceptor");
    client.put("sasl.jaas.config", "secret");
    Map<String, Object> config = ClusterReader.readerConfig("cloud", client);
    assertThat(config).doesNotContainKeys("group.id", "group.instance.id", "interceptor.classes")
        .containsEntry("bootstrap.servers", "cloud:9092").containsEntry("sasl.jaas.config", "secret")
        .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "billing-cloud-probe")
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none")
        .containsEntry(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
  }

  @Test
  void theReaderIsBuiltThroughTheFactorySeam() {
    Map<String, Object> seen = new HashMap<>();
    ClusterReader built = ClusterReader.create("cloud", Map.of("bootstrap.servers", "cloud:9092"), new SwitchClients() {
      @Override
      public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> reader(String alias, Map<String, Object> config) {
        seen.putAll(config);
        return log;
      }

      @Override
      public org.apache.kafka.clients.admin.Admin admin(String alias, Map<String, Object> config) {
        throw new AssertionError("not asked");
      }
    });
    assertThat(built.alias()).isEqualTo("cloud");
    assertThat(seen).containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "cloud-probe");
  }

  @Test
  void offsetsAndTimesComeFromTheLog() {
    log.logStart(TP, 10);
    log.appendWithIds(TP, 0, 5);
    assertThat(reader.beginningOffset(TP)).isEqualTo(10);
    assertThat(reader.endOffset(TP)).isEqualTo(15);
    assertThat(reader.offsetForTime(TP, 1002)).hasValue(12);
    assertThat(reader.offsetForTime(TP, 5000)).isEmpty();
  }

  @Test
  void readReturnsEveryRecordOfTheRangeOverSeveralFetches() {
    log.appendWithIds(TP, 0, 10);
    assertThat(reader.read(TP, 2, 8, Duration.ofSeconds(5))).extracting(ConsumerRecord::offset)
        .containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(reader.read(TP, 8, 100, Duration.ofSeconds(5))).extracting(ConsumerRecord::offset)
        .containsExactly(8L, 9L);
    assertThat(reader.read(TP, 5, 5, Duration.ofSeconds(5))).isEmpty();
  }

  @Test
  void readStopsAtTheTimeoutWithWhatItFetched() {
    log.appendWithIds(TP, 0, 10);
    log.fetchableUntil(TP, 4);
    long started = System.nanoTime();
    assertThat(reader.read(TP, 0, 10, Duration.ofMillis(300))).extracting(ConsumerRecord::offset)
        .containsExactly(0L, 1L, 2L, 3L);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void aCallThatTimesOutPropagates() {
    log.appendWithIds(TP, 0, 3);
    log.failNext(1, new TimeoutException("no answer"));
    assertThatThrownBy(() -> reader.read(TP, 0, 3, Duration.ofSeconds(1))).isInstanceOf(TimeoutException.class);
    assertThat(reader.read(TP, 0, 3, Duration.ofSeconds(1))).hasSize(3);
  }

  @Test
  void readFromReturnsOneFetchAndThePositionAfterIt() {
    log.appendWithIds(TP, 0, 5);
    ClusterReader.Batch batch = reader.readFrom(TP, 1, Duration.ofMillis(10));
    assertThat(batch.records()).extracting(ConsumerRecord::offset).containsExactly(1L, 2L, 3L);
    assertThat(batch.next()).isEqualTo(4);
    ClusterReader.Batch atEnd = reader.readFrom(TP, 5, Duration.ofMillis(10));
    assertThat(atEnd.records()).isEmpty();
    assertThat(atEnd.next()).isEqualTo(5);
  }
}
