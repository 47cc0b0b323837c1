package dev.turnout.drill.junit;

import dev.turnout.TurnoutConfig;
import dev.turnout.drill.ReconcileMode;
import dev.turnout.drill.plan.Plan;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** What a {@link Drill} was built with, and the settings it gives each client. */
record DrillSettings(DrillClusters clusters, String topic, int partitions, Drill.ProducerSide<?, ?> producer,
    int producers, Drill.ConsumerSide<?, ?> consumer, int consumers, String group, Plan plan, Duration stepDuration,
    double rate, ReconcileMode reconcile, Map<String, Object> clientProperties) {

  /** The settings of producer {@code index}. */
  Map<String, Object> producerConfig(int index) {
    Map<String, Object> c = clusters.routingConfig(topic + "-drill-producer-" + index);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    c.put(TurnoutConfig.ROLLBACK_RECONCILE, reconcile == ReconcileMode.AUTO ? "auto" : "manual");
    c.put(TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, Math.max(5_000, stepDuration.toMillis()));
    c.putAll(properties("producer."));
    return c;
  }

  /** The settings of member {@code index} of the consumer group. */
  Map<String, Object> consumerConfig(int index) {
    Map<String, Object> c = clusters.routingConfig(topic + "-drill-consumer-" + index);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
    c.putAll(properties("consumer."));
    return c;
  }

  /** Unprefixed client properties, and those with {@code prefix}, without it. */
  private Map<String, Object> properties(String prefix) {
    Map<String, Object> out = new HashMap<>();
    clientProperties.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      } else if (!k.startsWith("producer.") && !k.startsWith("consumer.")) {
        out.put(k, v);
      }
    });
    return out;
  }

  @Override
  public String toString() {
    return "drill of topic '" + topic + "': " + plan.steps() + ", " + stepDuration.toMillis() + " ms per step, "
        + rate + " records/s, " + producers + " producer(s), " + consumers + " consumer(s), reconcile " + reconcile;
  }
}
