package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.authority.Rule;
import dev.turnout.internal.consumer.Deadlines;
import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.Subscription;
import dev.turnout.internal.consumer.Subscription.Mode;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read routing: applies the authority map in force to the subscription. Decides each wanted topic's read
 * cluster, hands topics over when a new epoch moves them ({@link Handover}), subscribes or assigns each
 * cluster's client accordingly, halts everything while the map is missing or stale, and refuses topics no
 * rule governs (once per topic and epoch).
 */
final class ReadRouting<K, V> {

  private static final Logger log = LoggerFactory.getLogger(ReadRouting.class);

  private final ConsumerContext<K, V> ctx;
  private final PartitionBook book;
  private final Subscription subscription;
  private final Handover<K, V> handover;
  private final Resolutions<K, V> resolutions;
  private final IntFunction<ConsumerRebalanceListener> listeners;
  private final Map<String, Integer> topicCluster = new HashMap<>();
  private final Set<String> refusedTopics = new HashSet<>();
  private AuthorityMap applied;
  private volatile long appliedEpoch = -1;

  ReadRouting(ConsumerContext<K, V> ctx, Handover<K, V> handover, Resolutions<K, V> resolutions,
      IntFunction<ConsumerRebalanceListener> listeners) {
    this.ctx = ctx;
    this.book = ctx.book();
    this.subscription = ctx.subscription();
    this.handover = handover;
    this.resolutions = resolutions;
    this.listeners = listeners;
  }

  /** The epoch of the map applied, -1 before the first (readable from any thread). */
  long epoch() {
    return appliedEpoch;
  }

  /** The map applied, or {@code null}. */
  AuthorityMap applied() {
    return applied;
  }

  /** The cluster a topic is read from now, or {@code null}. */
  Integer readCluster(String topic) {
    return topicCluster.get(topic);
  }

  /** The cluster a topic's rule says to read it from (refusing as {@link ConsumerCore#ruleOf} does). */
  int ruleCluster(String topic) {
    return ctx.indexOf(readAlias(ctx.core().ruleOf(topic, applied)));
  }

  /** The cluster a partition is assigned on here, else its topic's read cluster, else its rule's. */
  int clusterOf(TopicPartition tp) {
    Integer owner = book.owner(tp);
    if (owner != null) {
      return owner;
    }
    Integer cluster = topicCluster.get(tp.topic());
    return cluster != null ? cluster : ruleCluster(tp.topic());
  }

  /** The cluster a partition is assigned on here, else its rule's read cluster. */
  int readClusterOf(TopicPartition tp) {
    Integer owner = book.owner(tp);
    return owner != null ? owner : ruleCluster(tp.topic());
  }

  /** The alias a rule reads from (a validation consumer reads the target from {@code DUAL_READ} on). */
  String readAlias(Rule rule) {
    return ctx.options().validation() && rule.state() == MigrationState.DUAL_READ ? rule.target() : rule.readCluster();
  }

  /** Forgets the routing of every topic (unsubscribe). */
  void clear() {
    topicCluster.clear();
  }

  /** Applies the map in force if it, the subscription or the pattern's matches changed; halts on a stale map. */
  void apply() {
    if (subscription.mode() == Mode.NONE) {
      return;
    }
    AuthorityMap map = ctx.core().latest();
    if (ctx.core().unusable(map)) {
      if (!book.halted()) {
        book.halted(true);
        ctx.delegates().pauseAll();
        OwnershipAmbiguousException refusal = ctx.core().haltRefusal(map);
        log.error("[{}] {}", ctx.clientId(), refusal.getMessage());
        ctx.reports().add(refusal);
      }
      return;
    }
    if (book.halted()) {
      book.halted(false);
      log.info("[{}] Authority map epoch {} is fresh again; resuming", ctx.clientId(), map.epoch());
      book.owned().forEach(tp -> ctx.delegates().resumeIfFree(tp, book));
    }
    boolean patternDue = subscription.patternDue();
    if (map == applied && !subscription.dirty() && !patternDue) {
      return;
    }
    if (patternDue) {
      matchPattern();
    }
    reconcile(map);
    subscription.applied();
  }

  private void reconcile(AuthorityMap map) {
    long epoch = map.epoch();
    Map<String, Integer> desired = new HashMap<>();
    for (String topic : subscription.wantedTopics()) {
      Rule rule = map.ruleFor(topic);
      if (rule == null) {
        refuse(topic, epoch);
      } else {
        desired.put(topic, ctx.indexOf(readAlias(rule)));
      }
    }
    new HashMap<>(topicCluster).forEach((topic, from) -> {
      Integer to = desired.get(topic);
      if (to != null && !to.equals(from)) {
        handover.switchOut(topic, from, to, epoch);
      }
    });
    topicCluster.clear();
    topicCluster.putAll(desired);
    applied = map;
    appliedEpoch = epoch;
    ctx.status().epochApplied(epoch);
    for (int c = 0; c < ctx.delegates().size(); c++) {
      if (subscription.mode() == Mode.ASSIGN) {
        assignOn(c, desired);
      } else {
        subscribeOn(c, desired);
      }
    }
    Map<String, String> aliases = new HashMap<>();
    topicCluster.forEach((topic, c) -> aliases.put(topic, ctx.alias(c)));
    ctx.metrics().readClusters(aliases);
    ctx.status().readClusters(aliases);
  }

  private void refuse(String topic, long epoch) {
    if (refusedTopics.add(topic + "@" + epoch)) {
      OwnershipAmbiguousException refusal = ctx.core().noRuleToRead(topic, epoch);
      log.warn("[{}] {}", ctx.clientId(), refusal.getMessage());
      ctx.reports().add(refusal);
    }
  }

  private void subscribeOn(int cluster, Map<String, Integer> desired) {
    Set<String> want = new HashSet<>();
    desired.forEach((topic, c) -> {
      if (c == cluster) {
        want.add(topic);
      }
    });
    ctx.delegates().subscribe(cluster, want, listeners.apply(cluster));
  }

  private void assignOn(int cluster, Map<String, Integer> desired) {
    Set<TopicPartition> want = new HashSet<>();
    for (TopicPartition tp : subscription.assignment()) {
      if (Objects.equals(desired.get(tp.topic()), cluster)) {
        want.add(tp);
      }
    }
    Set<TopicPartition> before = ctx.delegates().assigned(cluster);
    if (want.equals(before)) {
      return;
    }
    for (TopicPartition tp : before) {
      if (!want.contains(tp) && book.ownedOn(tp, cluster)) {
        book.release(tp);
      }
    }
    Consumer<K, V> d = ctx.delegates().assign(cluster, want);
    if (d == null) {
      return;
    }
    for (TopicPartition tp : want) {
      if (before.contains(tp)) {
        continue;
      }
      book.own(tp, cluster);
      long[] local = book.takeLocalHandover(tp);
      if (local != null) {
        resolutions.start(cluster, tp, local[0], local[1]);
      } else if (ctx.group() != null) {
        resolutions.start(cluster, tp, -1, 0);
      } else if (book.halted()) {
        d.pause(List.of(tp));
      }
    }
  }

  private void matchPattern() {
    Set<String> matched = new HashSet<>();
    long deadline = Deadlines.of(ctx.apiTimeout());
    try {
      for (int c = 0; c < ctx.delegates().size(); c++) {
        Consumer<K, V> d = ctx.delegates().get(c);
        Duration remaining = Deadlines.remaining(deadline);
        for (String topic : ctx.wakeups().call(d, () -> d.listTopics(remaining)).keySet()) {
          if (!topic.startsWith("__") && subscription.pattern().matcher(topic).matches()) {
            matched.add(topic);
          }
        }
      }
      subscription.patternMatched(matched);
    } catch (KafkaException e) {
      log.warn("[{}] Cannot list topics to match pattern '{}' ({}); keeping {}", ctx.clientId(), subscription.pattern(),
          e.toString(), subscription.subscription());
      subscription.patternMatched(null);
    }
  }
}
