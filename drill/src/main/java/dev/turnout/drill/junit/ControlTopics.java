package dev.turnout.drill.junit;

import dev.turnout.drill.plan.Documents;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Creates a drill's topics on one cluster and reads the highest epoch already on a control topic. */
final class ControlTopics {

  private static final long TIMEOUT_SECONDS = 30;

  private ControlTopics() {}

  /**
   * Creates {@code topic} with {@code partitions} (compacted if asked) unless it exists with as many, and waits
   * until every partition has a leader.
   *
   * @throws IllegalStateException when it exists with another partition count or cannot be created
   */
  static void create(String alias, Map<String, Object> clientConfig, String topic, int partitions,
      boolean compacted) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "turnout-drill-admin-" + alias);
    NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.empty());
    if (compacted) {
      newTopic.configs(Map.of("cleanup.policy", "compact"));
    }
    try (Admin admin = Admin.create(config)) {
      try {
        admin.createTopics(List.of(newTopic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("Cannot create topic '" + topic + "' on the " + alias + " cluster: "
              + e.getCause(), e.getCause());
        }
      }
      awaitLeaders(admin, alias, topic, partitions);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic '" + topic + "'", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic '" + topic + "' on the " + alias + " cluster", e);
    }
  }

  private static void awaitLeaders(Admin admin, String alias, String topic, int partitions)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
        if (d.partitions().size() != partitions) {
          throw new IllegalStateException("Topic '" + topic + "' on the " + alias + " cluster already exists with "
              + d.partitions().size() + " partitions, not " + partitions + ": use another topic or delete it");
        }
        if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        // not visible yet
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions without a leader after " + TIMEOUT_SECONDS + " s");
      }
      Thread.sleep(100);
    }
  }

  /** The highest {@code epoch} of the documents on the control topic, -1 when it holds none. */
  static long highestEpoch(Map<String, Object> clientConfig, String topic) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "turnout-drill-control-reader");
    long highest = -1;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new StringDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(TIMEOUT_SECONDS)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(TIMEOUT_SECONDS));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Could not read the control topic " + topic + " to its end " + end
              + " within " + TIMEOUT_SECONDS + " s");
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          highest = Math.max(highest, Documents.epochOf(r.value()));
        }
      }
    }
    return highest;
  }
}
