package dev.turnout;

import dev.turnout.internal.consumer.DelegateSet;
import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.Subscription;
import dev.turnout.internal.consumer.WakeupGuard;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * What the parts of one routing consumer share: its settings and the state they all read, each owned by one
 * part ({@link PartitionBook} by none in particular). Everything here is used on the polling thread only,
 * except {@link #reports}, which the switch worker's thread adds to.
 *
 * @param reports problems to throw from the next {@code poll}, in order
 */
record ConsumerContext<K, V>(TurnoutSettings settings, TurnoutSettings.ConsumerOptions options,
    ConsumerKafkaSettings kafka, ConsumerCore core, ConsumerMetrics metrics, DelegateSet<K, V> delegates,
    PartitionBook book, Subscription subscription, WakeupGuard wakeups, ConcurrentLinkedDeque<RuntimeException> reports,
    ConsumerStatusView status) {

  String clientId() {
    return settings.clientId;
  }

  String group() {
    return kafka.group();
  }

  Duration apiTimeout() {
    return kafka.apiTimeout();
  }

  String alias(int cluster) {
    return delegates.alias(cluster);
  }

  int indexOf(String alias) {
    return settings.clusters.indexOf(alias);
  }
}
