package dev.turnout.internal.producer;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.internal.cutover.CutoverCoordinator;
import dev.turnout.internal.cutover.TopicBarrier;
import dev.turnout.internal.cutover.View;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Guards against a producer interceptor that rewrites a record's topic: the record was routed by its original
 * topic, so it may be sent only if the map in force gives the rewritten topic (for the record's key) to the same
 * cluster and no cutover barrier of that slice is pending. Exists only when the caller configured interceptors:
 * then each send notes its routed topic in a per-thread slot (one thread-local read and two writes per record),
 * and the cluster's interceptor checks a record whose topic differs.
 */
public final class RewriteGuard<K, V> {

  private final CutoverCoordinator cutover;
  private final RecordKeys<K, V> keys;
  private final List<String> aliases;
  private final ThreadLocal<String[]> routedTopic = ThreadLocal.withInitial(() -> new String[1]);

  public RewriteGuard(CutoverCoordinator cutover, RecordKeys<K, V> keys, List<String> aliases) {
    this.cutover = cutover;
    this.keys = keys;
    this.aliases = List.copyOf(aliases);
  }

  /** Notes the topic the record about to be handed to a client (on this thread) was routed by. */
  public void routing(String topic) {
    routedTopic.get()[0] = topic;
  }

  /** Clears the note once the client's {@code send} returned. */
  public void done() {
    routedTopic.get()[0] = null;
  }

  /**
   * Why {@code record}, as the caller's interceptors left it, must not go to {@code cluster}; {@code null} when
   * it may (its topic is the routed one, or the rewritten topic has the same owner and no pending barrier).
   */
  @SuppressWarnings("unchecked")
  public String refusal(ProducerRecord<Object, Object> record, int cluster) {
    String routed = routedTopic.get()[0];
    if (routed == null || routed.equals(record.topic())) {
      return null;
    }
    String prefix = "An interceptor rewrote the topic of a record routed to '" + aliases.get(cluster) + "' by topic '"
        + routed + "' to '" + record.topic() + "', ";
    View view = cutover.view();
    AuthorityMap map = view.map();
    if (map == null) {
      return prefix + "and no authority map is loaded. It was not written anywhere.";
    }
    ProducerRecord<K, V> typed = (ProducerRecord<K, V>) (ProducerRecord<?, ?>) record;
    Route route = keys.resolve(map, typed);
    if (!route.routable() || route.ownerIndex() != cluster) {
      return prefix + "which authority map epoch " + map.epoch() + (route.routable() ? " gives to '" + route.owner()
          + "'" : " routes nowhere (" + route.refusal() + ")") + ". It was not written anywhere: route records by "
          + "the topic they are sent to (rewrite before calling send), or keep both topics on one owner.";
    }
    if (!view.settled()) {
      TopicBarrier barrier = view.barrierFor(record.topic(), map.epoch(), keys.barrierBucket(view, map, typed));
      if (barrier != null && barrier.state() != TopicBarrier.State.OPEN) {
        return prefix + "whose cutover barrier of epoch " + barrier.epoch() + " is not open. It was not written "
            + "anywhere; send it again once the cutover completed.";
      }
    }
    return null;
  }
}
