package dev.turnout.cli.gate;

import dev.turnout.cli.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The sink connectors of Kafka Connect that read the rule's topics ({@code topics} or {@code topics.regex}): their
 * state and their tasks' (RUNNING green, anything else red), their consumer group's lag ({@code connect-<name>})
 * on each cluster it committed on, and their dead-letter topic ({@code errors.deadletterqueue.topic.name}): any
 * record in it, on either cluster, is red.
 */
public final class ConnectorsCheck implements GateCheck {

  static final String GROUP = "connectors";

  @Override
  public String group() {
    return GROUP;
  }

  @Override
  public List<GateLine> evaluate(GateContext c) throws Exception {
    if (c.connect().isEmpty()) {
      return List.of(GateLine.grey(GROUP, "connect", "no --connect URL given"));
    }
    Map<String, Object> connectors = fetch(c, c.connect().get());
    List<String> topics = c.topics();
    List<GateLine> lines = new ArrayList<>();
    for (Map.Entry<String, Object> e : connectors.entrySet()) {
      Map<String, Object> entry = map(e.getValue());
      Map<String, Object> info = map(entry.get("info"));
      Map<String, Object> status = map(entry.get("status"));
      Map<String, Object> config = map(info.get("config"));
      String type = String.valueOf(info.getOrDefault("type", status.get("type")));
      if (!"sink".equals(type) || !reads(config, topics)) {
        continue;
      }
      String name = e.getKey();
      lines.add(state(name, status));
      lines.addAll(lag(c, name, Set.copyOf(topics)));
      Object dlq = config.get("errors.deadletterqueue.topic.name");
      if (dlq == null || String.valueOf(dlq).isBlank()) {
        lines.add(GateLine.grey(GROUP, "dlq " + name, "no dead-letter queue configured"));
      } else {
        lines.add(deadLetters(c, name, String.valueOf(dlq)));
      }
    }
    if (lines.isEmpty()) {
      lines.add(new GateLine(GROUP, "sink connectors", Status.GREEN, "0", "-",
          "no sink connector reads the rule's topics (" + connectors.size() + " connector(s) in all)"));
    }
    return lines;
  }

  private static Map<String, Object> fetch(GateContext c, URI base) throws Exception {
    URI uri = URI.create(base.toString().replaceAll("/+$", "") + "/connectors?expand=status&expand=info");
    HttpClient http = HttpClient.newBuilder().connectTimeout(c.source().timeout()).build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(c.source().timeout())
        .header("Accept", "application/json").GET().build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("Kafka Connect answered " + response.statusCode() + " to GET " + uri);
    }
    Object body = Json.parse(response.body());
    if (!(body instanceof Map)) {
      throw new IllegalStateException("Kafka Connect's answer to GET " + uri + " is not a JSON object");
    }
    return map(body);
  }

  /** Whether a sink connector's {@code topics} or {@code topics.regex} takes one of the topics. */
  static boolean reads(Map<String, Object> config, List<String> topics) {
    Object list = config.get("topics");
    if (list != null) {
      for (String t : String.valueOf(list).split(",")) {
        if (topics.contains(t.trim())) {
          return true;
        }
      }
    }
    Object regex = config.get("topics.regex");
    if (regex != null && !String.valueOf(regex).isBlank()) {
      try {
        Pattern p = Pattern.compile(String.valueOf(regex));
        return topics.stream().anyMatch(t -> p.matcher(t).matches());
      } catch (PatternSyntaxException e) {
        return false;
      }
    }
    return false;
  }

  private static GateLine state(String name, Map<String, Object> status) {
    String state = String.valueOf(map(status.get("connector")).get("state"));
    List<String> bad = new ArrayList<>();
    int tasks = 0;
    if (status.get("tasks") instanceof List<?> list) {
      for (Object task : list) {
        tasks++;
        Map<String, Object> t = map(task);
        if (!"RUNNING".equals(t.get("state"))) {
          bad.add("task " + t.get("id") + " " + t.get("state"));
        }
      }
    }
    boolean ok = "RUNNING".equals(state) && bad.isEmpty();
    return GateLine.of(GROUP, "state " + name, ok, state + ", " + (tasks - bad.size()) + "/" + tasks + " tasks",
        "RUNNING", ok ? "" : Format.list(bad) + (bad.isEmpty() ? "" : "; ")
            + "see GET /connectors/" + name + "/status for the trace");
  }

  private static List<GateLine> lag(GateContext c, String name, Set<String> topics) throws Exception {
    String group = "connect-" + name;
    List<GateLine> lines = new ArrayList<>();
    for (Cluster cluster : List.of(c.source(), c.target())) {
      Map<TopicPartition, OffsetAndMetadata> committed;
      try {
        committed = new java.util.HashMap<>(
            cluster.get(cluster.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()));
      } catch (GroupIdNotFoundException e) {
        continue;
      }
      committed.keySet().removeIf(tp -> !topics.contains(tp.topic()) || committed.get(tp) == null);
      if (committed.isEmpty()) {
        continue;
      }
      Map<TopicPartition, Long> end = cluster.endOffsets(committed.keySet());
      long lag = committed.entrySet().stream()
          .mapToLong(e -> Math.max(0, end.get(e.getKey()) - e.getValue().offset())).sum();
      long max = c.thresholds().maxGroupLag();
      lines.add(GateLine.of(GROUP, "lag " + name + " on " + cluster.alias(), lag <= max, String.valueOf(lag),
          "<= " + max, group));
    }
    if (lines.isEmpty()) {
      lines.add(GateLine.grey(GROUP, "lag " + name, "group " + group + " committed nothing of the rule's topics"));
    }
    return lines;
  }

  private static GateLine deadLetters(GateContext c, String name, String dlq) throws Exception {
    List<String> parts = new ArrayList<>();
    long total = 0;
    for (Cluster cluster : List.of(c.source(), c.target())) {
      long records = records(cluster, dlq);
      if (records >= 0) {
        total += records;
        parts.add(cluster.alias() + " " + records);
      } else {
        parts.add(cluster.alias() + " absent");
      }
    }
    return GateLine.of(GROUP, "dlq " + name, total == 0, String.join(", ", parts), "0 records",
        total == 0 ? dlq : "records in " + dlq + ": read them, fix the cause, and replay or drop them");
  }

  /** Records in the topic (end minus log start over its partitions), -1 when it does not exist. */
  private static long records(Cluster cluster, String topic) throws Exception {
    int partitions;
    try {
      partitions = cluster.get(cluster.admin().describeTopics(List.of(topic)).allTopicNames()).get(topic)
          .partitions().size();
    } catch (UnknownTopicOrPartitionException e) {
      return -1;
    }
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    Map<TopicPartition, Long> start = cluster.startOffsets(tps);
    Map<TopicPartition, Long> end = cluster.endOffsets(tps);
    return tps.stream().mapToLong(tp -> end.get(tp) - start.get(tp)).sum();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map ? (Map<String, Object>) o : Map.of();
  }
}
