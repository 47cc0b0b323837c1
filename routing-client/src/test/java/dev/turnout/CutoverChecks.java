package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.testkit.KafkaTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Reads a topic on the cluster consumers read (the target) and checks what a cutover must guarantee, per
 * key: no acknowledged record missing, sequence numbers in log order (duplicates from at-least-once
 * replication skipped), and every record written by the owner of its slice at its epoch.
 *
 * <p>Values are {@code <key>:<seq>}; keys of one topic map to the same partition on both clusters.
 */
final class CutoverChecks {

  /** What the target holds, checked. */
  static final class Report {
    long records;
    long duplicates;
    long missing;
    final List<String> missingExamples = new ArrayList<>();
    long orderViolations;
    final List<String> orderExamples = new ArrayList<>();
    long provenanceViolations;
    final List<String> provenanceExamples = new ArrayList<>();
    final Map<String, Long> byOrigin = new HashMap<>();

    @Override
    public String toString() {
      return records + " records on the target (" + duplicates + " replication duplicates skipped), by origin "
          + byOrigin + "; missing acknowledged records: " + missing + " " + missingExamples + "; per-key order "
          + "violations: " + orderViolations + " " + orderExamples + "; provenance violations: "
          + provenanceViolations + " " + provenanceExamples;
    }
  }

  private CutoverChecks() {}

  /**
   * Reads {@code topic} on {@code target} until every acknowledged record is there (or {@code timeout}
   * passes), then checks it.
   *
   * @param acked acknowledged sequence numbers per key
   * @param ownerAt the owner alias of a key bucket at an epoch
   */
  static Report check(KafkaTestCluster target, String topic, Map<String, BitSet> acked,
      BiFunction<Integer, Long, String> ownerAt, Duration timeout, boolean readCommitted) {
    Map<String, Object> config = target.clientConfig();
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
    Report report = new Report();
    Map<String, BitSet> seen = new HashMap<>();
    Map<String, Integer> maxSeq = new HashMap<>();
    Map<String, Integer> buckets = new HashMap<>();
    StringSerializer keys = new StringSerializer();
    long expected = acked.values().stream().mapToLong(BitSet::cardinality).sum();
    long found = 0;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (found < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          report.records++;
          String key = r.key();
          int seq = Integer.parseInt(r.value().substring(r.value().lastIndexOf(':') + 1));
          BitSet keySeen = seen.computeIfAbsent(key, k -> new BitSet());
          if (keySeen.get(seq)) {
            report.duplicates++;
            continue;
          }
          keySeen.set(seq);
          BitSet keyAcked = acked.get(key);
          if (keyAcked != null && keyAcked.get(seq)) {
            found++;
          }
          int previous = maxSeq.getOrDefault(key, -1);
          Provenance p = Provenance.of(r).orElse(null);
          if (seq < previous) {
            report.orderViolations++;
            if (report.orderExamples.size() < 5) {
              report.orderExamples.add(key + ": seq " + seq + " (" + describe(p) + ") at " + r.topic() + "-"
                  + r.partition() + "@" + r.offset() + " after seq " + previous);
            }
          } else {
            maxSeq.put(key, seq);
          }
          if (p == null) {
            report.provenanceViolations++;
            addExample(report, key + ":" + seq + " has no provenance headers");
            continue;
          }
          report.byOrigin.merge(p.origin(), 1L, Long::sum);
          int bucket = buckets.computeIfAbsent(key, k -> AuthorityMap.bucket(keys.serialize(topic, k)));
          String owner = ownerAt.apply(bucket, p.epoch());
          if (!p.origin().equals(owner)) {
            report.provenanceViolations++;
            addExample(report, key + ":" + seq + " written by '" + p.origin() + "' at epoch " + p.epoch()
                + ", whose owner of bucket " + bucket + " is '" + owner + "'");
          }
        }
      }
    }
    for (Map.Entry<String, BitSet> e : acked.entrySet()) {
      BitSet missing = (BitSet) e.getValue().clone();
      missing.andNot(seen.getOrDefault(e.getKey(), new BitSet()));
      report.missing += missing.cardinality();
      if (!missing.isEmpty() && report.missingExamples.size() < 5) {
        report.missingExamples.add(e.getKey() + ":" + missing.nextSetBit(0));
      }
    }
    return report;
  }

  private static void addExample(Report report, String example) {
    if (report.provenanceExamples.size() < 5) {
      report.provenanceExamples.add(example);
    }
  }

  private static String describe(Provenance p) {
    return p == null ? "no provenance" : "written by '" + p.origin() + "' at epoch " + p.epoch();
  }

  /** The sum of a Turnout metric (group {@code turnout}) over the series with the given tags (0 when absent). */
  static double metric(RoutingProducer<?, ?> producer, String name, Map<String, String> tags) {
    return producer.metrics().entrySet().stream()
        .filter(e -> e.getKey().group().equals("turnout") && e.getKey().name().equals(name)
            && e.getKey().tags().entrySet().containsAll(tags.entrySet()))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .sum();
  }
}
