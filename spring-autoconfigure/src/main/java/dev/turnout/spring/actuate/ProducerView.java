package dev.turnout.spring.actuate;

import dev.turnout.RoutingProducer;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.spring.TurnoutClients;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What the endpoint and health show of one routing producer, read from one call of its {@code metrics()}.
 *
 * @param breakerStates the state of each cluster's circuit breaker ({@link ClusterBreaker.State} names)
 * @param failureRates each breaker's failure rate in percent (-1 until its window holds the minimum)
 * @param idMismatches the aliases whose cluster reports another id than expected
 */
record ProducerView(RoutingProducer<?, ?> producer, String clientId, Map<String, String> breakerStates,
    Map<String, Double> failureRates, TreeSet<String> idMismatches, long cutoversPending, long recordsWaiting) {

  static ProducerView of(RoutingProducer<?, ?> producer) {
    Map<MetricName, ? extends Metric> metrics = producer.metrics();
    Map<String, String> states = new TreeMap<>();
    Map<String, Double> rates = new TreeMap<>();
    TreeSet<String> mismatches = new TreeSet<>();
    long pending = 0;
    long waiting = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      MetricName name = e.getKey();
      if (!TurnoutClients.METRIC_GROUP.equals(name.group())) {
        continue;
      }
      String cluster = name.tags().get("cluster");
      double value = number(e.getValue());
      switch (name.name()) {
        case "cluster-breaker-state" -> states.put(cluster, stateName((int) value));
        case "cluster-breaker-failure-rate" -> rates.put(cluster, value);
        case "cluster-id-mismatch" -> {
          if (value > 0) {
            mismatches.add(cluster);
          }
        }
        case "cutovers-pending" -> pending = (long) value;
        case "cutover-records-waiting" -> waiting = (long) value;
        default -> { }
      }
    }
    return new ProducerView(producer, TurnoutClients.clientId(metrics), states, rates, mismatches, pending, waiting);
  }

  /** The producer as the endpoint lists it. */
  Map<String, Object> view() {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("clientId", clientId);
    view.put("type", "producer");
    view.put("epoch", producer.epoch());
    view.put("failingClosed", producer.failingClosed());
    view.put("breakers", breakerStates);
    view.put("clusterIdMismatches", idMismatches);
    view.put("cutoversPending", cutoversPending);
    view.put("cutoverRecordsWaiting", recordsWaiting);
    return view;
  }

  static String stateName(int code) {
    for (ClusterBreaker.State state : ClusterBreaker.State.values()) {
      if (state.code() == code) {
        return state.name();
      }
    }
    return "UNKNOWN(" + code + ")";
  }

  static double number(Metric metric) {
    return metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
