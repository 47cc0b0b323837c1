package dev.turnout;

import dev.turnout.internal.cutover.RollbackScope;
import dev.turnout.internal.cutover.SliceReconciliation;
import dev.turnout.testkit.KafkaTestCluster;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A test-only reconciliation of one topic: the records whose {@code turnout.route} origin is the target ({@code cloud})
 * and whose {@code turnout.id} is not on the source ({@code onprem}) are missing; reconciling copies them to the same
 * partition of the source, headers included. Reads both clusters whole on every call: for small test topics only.
 */
final class CopyingReconciliation implements SliceReconciliation {

  private final KafkaTestCluster source;
  private final KafkaTestCluster target;
  private final String topic;
  final AtomicInteger reconciles = new AtomicInteger();

  CopyingReconciliation(KafkaTestCluster source, KafkaTestCluster target, String topic) {
    this.source = source;
    this.target = target;
    this.topic = topic;
  }

  @Override
  public long missing(RollbackScope scope) {
    return missingRecords(scope).size();
  }

  @Override
  public void reconcile(RollbackScope scope) {
    reconciles.incrementAndGet();
    List<ConsumerRecord<String, String>> missing = missingRecords(scope);
    Map<String, Object> config = source.clientConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      for (ConsumerRecord<String, String> r : missing) {
        producer.send(new ProducerRecord<>(topic, r.partition(), r.timestamp(), r.key(), r.value(), r.headers()));
      }
      producer.flush();
    }
  }

  private List<ConsumerRecord<String, String>> missingRecords(RollbackScope scope) {
    Set<String> onSource = new HashSet<>();
    for (ConsumerRecord<String, String> r : Records.readAll(source, topic)) {
      Provenance.of(r).ifPresent(p -> onSource.add(p.id()));
    }
    Map<TopicPartition, Long> upTo = scope.targetOffsetsUpTo();
    return Records.readAll(target, topic).stream().filter(r -> {
      Optional<Provenance> p = Provenance.of(r);
      if (p.isEmpty() || !p.get().origin().equals("cloud") || onSource.contains(p.get().id())) {
        return false;
      }
      Long bound = upTo.get(new TopicPartition(r.topic(), r.partition()));
      return upTo.isEmpty() || (bound != null && r.offset() < bound);
    }).toList();
  }
}
