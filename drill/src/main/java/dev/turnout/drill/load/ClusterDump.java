package dev.turnout.drill.load;

import dev.turnout.Provenance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every committed record of a topic on one cluster, from the beginning to the end offsets of the call. A
 * record's value is its UTF-8 text, or {@code <key>#<sequence>} when it carries {@link RecordValue#SEQUENCE_HEADER}
 * (a record of a user's own drill, whose value bytes are the user's).
 */
public final class ClusterDump {

  private ClusterDump() {}

  /**
   * @param cluster the cluster's alias, for the records
   * @param clientConfig the cluster's client settings ({@code bootstrap.servers} and security)
   */
  public static List<StoredRecord> read(String cluster, Map<String, Object> clientConfig, String topic) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "turnout-drill-dump-" + cluster);
    List<StoredRecord> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read topic " + topic + " of '" + cluster + "' to its end "
              + end + " within 60 s");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(stored(cluster, r));
        }
      }
    }
    return out;
  }

  private static StoredRecord stored(String cluster, ConsumerRecord<String, byte[]> r) {
    Provenance p = Provenance.of(r).orElse(null);
    boolean copy = r.headers().lastHeader(Provenance.RECONCILED_HEADER) != null;
    return new StoredRecord(cluster, r.partition(), r.offset(), r.key(), value(r), p == null ? null : p.id(),
        p == null ? null : p.origin(), p == null ? -1 : p.epoch(), copy);
  }

  private static String value(ConsumerRecord<String, byte[]> r) {
    Header sequence = r.headers().lastHeader(RecordValue.SEQUENCE_HEADER);
    if (sequence != null && sequence.value() != null) {
      return RecordValue.of(r.key(), RecordValue.sequence("#" + new String(sequence.value(),
          StandardCharsets.UTF_8)));
    }
    return r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
  }
}
