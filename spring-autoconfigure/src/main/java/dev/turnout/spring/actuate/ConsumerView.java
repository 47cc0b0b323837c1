package dev.turnout.spring.actuate;

import dev.turnout.spring.TurnoutClients;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What the endpoint and health show of one routing consumer, read from one call of its {@code metrics()}
 * (safe from any thread, unlike the consumer's other methods).
 *
 * @param readClusters the cluster each subscribed or assigned topic is read from now
 */
record ConsumerView(TurnoutClients.OpenConsumer open, String clientId, Map<String, String> readClusters,
    long partitionsPending, long partitionsBlocked, long topicsFenced) {

  static ConsumerView of(TurnoutClients.OpenConsumer open) {
    Map<MetricName, ? extends Metric> metrics = open.consumer().metrics();
    Map<String, String> reads = new TreeMap<>();
    long pending = 0;
    long blocked = 0;
    long fenced = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      MetricName name = e.getKey();
      if (!TurnoutClients.METRIC_GROUP.equals(name.group())) {
        continue;
      }
      Object value = e.getValue().metricValue();
      switch (name.name()) {
        case "read-cluster" -> {
          if (name.tags().get("topic") != null && value != null) {
            reads.put(name.tags().get("topic"), value.toString());
          }
        }
        case "partitions-pending" -> pending = count(e.getValue());
        case "partitions-blocked" -> blocked = count(e.getValue());
        case "topics-fenced" -> fenced = count(e.getValue());
        default -> { }
      }
    }
    return new ConsumerView(open, TurnoutClients.clientId(metrics), reads, pending, blocked, fenced);
  }

  private static long count(Metric metric) {
    double value = ProducerView.number(metric);
    return Double.isNaN(value) ? 0 : (long) value;
  }

  /** The consumer as the endpoint lists it. */
  Map<String, Object> view() {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("clientId", clientId);
    view.put("type", "consumer");
    view.put("groupId", open.groupId());
    view.put("epoch", open.consumer().epoch());
    view.put("readClusters", readClusters);
    view.put("partitionsPending", partitionsPending);
    view.put("partitionsBlocked", partitionsBlocked);
    view.put("topicsFenced", topicsFenced);
    return view;
  }
}
