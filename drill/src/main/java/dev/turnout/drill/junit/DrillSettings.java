package dev.turnout.drill.junit;

import dev.turnout.drill.ReconcileMode;
import dev.turnout.drill.load.ClientSettings;
import dev.turnout.drill.plan.Plan;
import java.time.Duration;
import java.util.Map;

/** What a {@link Drill} was built with, and the settings it gives each client. */
record DrillSettings(DrillClusters clusters, String topic, int partitions, Drill.ProducerSide<?, ?> producer,
    int producers, Drill.ConsumerSide<?, ?> consumer, int consumers, String group, Plan plan, Duration stepDuration,
    double rate, ReconcileMode reconcile, Map<String, Object> clientProperties) {

  /** The settings of producer {@code index}. */
  Map<String, Object> producerConfig(int index) {
    Map<String, Object> c = clusters.routingConfig(topic + "-drill-producer-" + index);
    ClientSettings.producer(c, reconcile == ReconcileMode.AUTO, stepDuration, clientProperties);
    return c;
  }

  /** The settings of member {@code index} of the consumer group. */
  Map<String, Object> consumerConfig(int index) {
    Map<String, Object> c = clusters.routingConfig(topic + "-drill-consumer-" + index);
    ClientSettings.consumer(c, group, clientProperties);
    return c;
  }

  @Override
  public String toString() {
    return "drill of topic '" + topic + "': " + plan.steps() + ", " + stepDuration.toMillis() + " ms per step, "
        + rate + " records/s, " + producers + " producer(s), " + consumers + " consumer(s), reconcile " + reconcile;
  }
}
