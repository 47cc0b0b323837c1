package dev.turnout;

import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.Resolution;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.metrics.Sensor;

/** The consumer's own metrics (switches, boundary outcomes, duplicates, waiting partitions, read clusters). */
final class ConsumerMetrics {

  private final ClientMetrics metrics;
  private final LongAdder switches = new LongAdder();
  private final LongAdder duplicatesAvoided = new LongAdder();
  private final LongAdder duplicatesAdmitted = new LongAdder();
  private final Map<Resolution.Outcome, LongAdder> outcomes = new EnumMap<>(Resolution.Outcome.class);
  private final Sensor switchDuration;
  /** The longest switch since the consumer started, -1 before the first (the sensor's max covers its window only). */
  private final AtomicLong longestSwitch = new AtomicLong(-1);
  private final Set<String> readClusterGauges = new HashSet<>();

  ConsumerMetrics(ClientMetrics metrics, PartitionBook book) {
    this.metrics = metrics;
    metrics.gauge("read-switches-total", "Topics whose reads this consumer moved to another cluster", Map.of(),
        switches::sum);
    for (Resolution.Outcome outcome : Resolution.Outcome.values()) {
      LongAdder adder = new LongAdder();
      outcomes.put(outcome, adder);
      metrics.gauge("boundary-verifications-total", "Partitions whose read position was established after "
          + "assignment, by outcome", Map.of("outcome", outcomeTag(outcome)), adder::sum);
    }
    metrics.gauge("duplicates-avoided-total", "Records between the translated offset and the verified boundary: "
        + "what trusting the translation would have delivered twice", Map.of(), duplicatesAvoided::sum);
    metrics.gauge("duplicates-admitted-total", "Records delivered twice after a rewind, counted once the last "
        + "processed record appeared on the new cluster", Map.of(), duplicatesAdmitted::sum);
    metrics.gauge("partitions-pending", "Assigned partitions whose read position is still being established",
        Map.of(), book::pendingCount);
    metrics.gauge("partitions-blocked", "Assigned partitions blocked because their boundary was not verified",
        Map.of(), book::blockedCount);
    metrics.gauge("topics-fenced", "Topics not read because the group committed them under a newer authority map "
        + "than this consumer's", Map.of(), book::fencedCount);
    this.switchDuration = metrics.avgMax("switch-duration-ms", "milliseconds from a partition's handover on the old "
        + "cluster to its resumption on the new one");
    metrics.gauge("switch-duration-ms-longest", "The longest time in milliseconds from a partition's handover on the "
        + "old cluster to its resumption on the new one since the consumer started; -1 before the first",
        Map.of(), longestSwitch::get);
  }

  static String outcomeTag(Resolution.Outcome outcome) {
    return outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  ClientMetrics client() {
    return metrics;
  }

  void switched() {
    switches.increment();
  }

  void resolved(Resolution r) {
    outcomes.get(r.outcome()).increment();
  }

  void seekApplied(Resolution r, long durationMillis) {
    duplicatesAvoided.add(r.duplicatesAvoided());
    switchDuration.record(durationMillis);
    longestSwitch.accumulateAndGet(durationMillis, Math::max);
  }

  /** Records withheld because the group had processed them on the other cluster. */
  void duplicatesAvoided(long count) {
    duplicatesAvoided.add(count);
  }

  void duplicatesAdmitted(long count) {
    duplicatesAdmitted.add(count);
  }

  /** One {@code read-cluster} gauge per topic read now. */
  void readClusters(Map<String, String> aliasByTopic) {
    for (String topic : readClusterGauges) {
      if (!aliasByTopic.containsKey(topic)) {
        metrics.remove("read-cluster", Map.of("topic", topic));
      }
    }
    aliasByTopic.forEach((topic, alias) -> metrics.gaugeOf("read-cluster", "The cluster this consumer reads the topic "
        + "from", Map.of("topic", topic), () -> alias));
    readClusterGauges.clear();
    readClusterGauges.addAll(aliasByTopic.keySet());
  }
}
