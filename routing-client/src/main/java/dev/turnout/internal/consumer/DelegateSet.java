package dev.turnout.internal.consumer;

import dev.turnout.internal.cluster.ClusterClients;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The consumer's client per cluster and what each is subscribed to (subscribe modes) or assigned (assign
 * mode). Clients are created on first use, built by the consumer's factory (a {@code KafkaConsumer}, or a
 * client the application supplied), and get the metrics the application registered for subscription.
 */
public final class DelegateSet<K, V> {

  private final ClusterClients<Consumer<K, V>> clients;
  private final WakeupGuard wakeups;
  private final List<Set<String>> subscribed = new ArrayList<>();
  private final List<Set<TopicPartition>> assigned = new ArrayList<>();
  private final Set<KafkaMetric> subscribedMetrics = new CopyOnWriteArraySet<>();

  public DelegateSet(ClusterClients<Consumer<K, V>> clients, WakeupGuard wakeups) {
    this.clients = clients;
    this.wakeups = wakeups;
    for (int i = 0; i < clients.aliases().size(); i++) {
      subscribed.add(Set.of());
      assigned.add(Set.of());
    }
    clients.onCreate((alias, consumer) -> subscribedMetrics.forEach(consumer::registerMetricForSubscription));
  }

  public ClusterClients<Consumer<K, V>> clients() {
    return clients;
  }

  public int size() {
    return subscribed.size();
  }

  public String alias(int cluster) {
    return clients.alias(cluster);
  }

  /**
   * Whether the switch worker can reach the cluster with clients of its own: false for a cluster whose client
   * the application supplied without bootstrap servers.
   */
  public boolean reachable(int cluster) {
    Object bootstrap = clients.config(cluster).get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    return bootstrap != null && !bootstrap.toString().isBlank();
  }

  /** The client of a cluster, created if needed. */
  public Consumer<K, V> get(int cluster) {
    return clients.get(cluster);
  }

  /** The client of a cluster if it exists, else {@code null}. */
  public Consumer<K, V> existing(int cluster) {
    return clients.existing(cluster);
  }

  /** The clusters whose client has a subscription or assignment. */
  public List<Integer> active() {
    List<Integer> active = new ArrayList<>(2);
    for (int c = 0; c < subscribed.size(); c++) {
      if (!subscribed.get(c).isEmpty() || !assigned.get(c).isEmpty()) {
        active.add(c);
      }
    }
    return active;
  }

  public Set<String> subscribed(int cluster) {
    return subscribed.get(cluster);
  }

  public Set<TopicPartition> assigned(int cluster) {
    return assigned.get(cluster);
  }

  /** Subscribes a cluster's client to topics (none: unsubscribes); returns whether anything changed. */
  public boolean subscribe(int cluster, Set<String> topics, ConsumerRebalanceListener listener) {
    if (topics.equals(subscribed.get(cluster))) {
      return false;
    }
    subscribed.set(cluster, Set.copyOf(topics));
    Consumer<K, V> d = topics.isEmpty() ? clients.existing(cluster) : clients.get(cluster);
    if (d != null) {
      wakeups.run(d, () -> {
        if (topics.isEmpty()) {
          d.unsubscribe();
        } else {
          d.subscribe(topics, listener);
        }
      });
    }
    return true;
  }

  /** Assigns partitions to a cluster's client (none: unsubscribes); returns the client, or {@code null}. */
  public Consumer<K, V> assign(int cluster, Set<TopicPartition> partitions) {
    assigned.set(cluster, Set.copyOf(partitions));
    Consumer<K, V> d = partitions.isEmpty() ? clients.existing(cluster) : clients.get(cluster);
    if (d != null) {
      wakeups.run(d, () -> {
        if (partitions.isEmpty()) {
          d.unsubscribe();
        } else {
          d.assign(partitions);
        }
      });
    }
    return d;
  }

  /** Unsubscribes every client that has a subscription or assignment. */
  public void unsubscribeAll() {
    for (int c = 0; c < subscribed.size(); c++) {
      Consumer<K, V> d = clients.existing(c);
      if (d != null && (!subscribed.get(c).isEmpty() || !assigned.get(c).isEmpty())) {
        wakeups.run(d, d::unsubscribe);
      }
      subscribed.set(c, Set.of());
      assigned.set(c, Set.of());
    }
  }

  /** Every partition assigned to any client. */
  public Set<TopicPartition> assignment() {
    Set<TopicPartition> all = new HashSet<>();
    clients.forEachExisting((alias, d) -> all.addAll(d.assignment()));
    return Set.copyOf(all);
  }

  /** Pauses every assigned partition of every client. */
  public void pauseAll() {
    clients.forEachExisting((alias, d) -> d.pause(d.assignment()));
  }

  /** Resumes a partition if the book says it is free. */
  public void resumeIfFree(TopicPartition tp, PartitionBook book) {
    if (!book.free(tp)) {
      return;
    }
    Consumer<K, V> d = clients.get(book.owner(tp));
    if (d.assignment().contains(tp)) {
      d.resume(List.of(tp));
    }
  }

  public void registerMetric(KafkaMetric metric) {
    subscribedMetrics.add(metric);
    clients.forEachExisting((alias, consumer) -> consumer.registerMetricForSubscription(metric));
  }

  public void unregisterMetric(KafkaMetric metric) {
    subscribedMetrics.remove(metric);
    clients.forEachExisting((alias, consumer) -> consumer.unregisterMetricFromSubscription(metric));
  }
}
