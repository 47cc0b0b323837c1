package dev.turnout.internal.consumer;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * What the application asked to consume: topics, a pattern (and the topics it currently matches) or a manual
 * assignment, with its rebalance listener. Arguments are checked by the consumer before they get here; this
 * class enforces only that the three modes exclude each other.
 */
public final class Subscription {

  /** How the application subscribed. */
  public enum Mode { NONE, TOPICS, PATTERN, ASSIGN }

  /** The listener of an application that gave none. */
  public static final ConsumerRebalanceListener NO_LISTENER = new ConsumerRebalanceListener() {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
  };

  private final long patternRefreshNanos;
  private Mode mode = Mode.NONE;
  private Set<String> topics = Set.of();
  private Pattern pattern;
  private ConsumerRebalanceListener listener = NO_LISTENER;
  private Set<TopicPartition> assignment = Set.of();
  private Set<String> patternTopics = Set.of();
  private long nextPatternRefreshNanos;
  private boolean dirty;

  /** @param patternRefreshMillis how often a pattern is matched again ({@code metadata.max.age.ms}) */
  public Subscription(long patternRefreshMillis) {
    this.patternRefreshNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(patternRefreshMillis);
  }

  public Mode mode() {
    return mode;
  }

  public ConsumerRebalanceListener listener() {
    return listener;
  }

  public Pattern pattern() {
    return pattern;
  }

  public Set<TopicPartition> assignment() {
    return assignment;
  }

  /** Subscribes to topics. */
  public void topics(Collection<String> topics, ConsumerRebalanceListener listener) {
    exclusive(Mode.TOPICS);
    this.topics = Set.copyOf(topics);
    this.listener = listener;
    dirty = true;
  }

  /** Subscribes to a pattern, matched at once and then every {@code metadata.max.age.ms}. */
  public void pattern(Pattern pattern, ConsumerRebalanceListener listener) {
    exclusive(Mode.PATTERN);
    this.pattern = pattern;
    this.listener = listener;
    nextPatternRefreshNanos = System.nanoTime();
    dirty = true;
  }

  /** Assigns partitions manually. */
  public void assign(Collection<TopicPartition> partitions) {
    exclusive(Mode.ASSIGN);
    assignment = Set.copyOf(partitions);
    dirty = true;
  }

  private void exclusive(Mode wanted) {
    if (mode != Mode.NONE && mode != wanted) {
      throw new IllegalStateException("Subscription to topics, partitions and pattern are mutually exclusive");
    }
    mode = wanted;
  }

  /**
   * Forgets the subscription but the listener, which still hears the revocations of the unsubscribe; then
   * call {@link #forgetListener()}.
   */
  public void clear() {
    mode = Mode.NONE;
    topics = Set.of();
    pattern = null;
    patternTopics = Set.of();
    assignment = Set.of();
  }

  /** Forgets the listener (after the revocations of an unsubscribe). */
  public void forgetListener() {
    listener = NO_LISTENER;
  }

  /** What {@code subscription()} answers: the topics, or those the pattern matches; empty otherwise. */
  public Set<String> subscription() {
    return switch (mode) {
      case TOPICS -> topics;
      case PATTERN -> patternTopics;
      default -> Set.of();
    };
  }

  /** Every topic the application wants to read. */
  public Set<String> wantedTopics() {
    if (mode != Mode.ASSIGN) {
      return subscription();
    }
    Set<String> t = new HashSet<>();
    assignment.forEach(tp -> t.add(tp.topic()));
    return t;
  }

  /** Whether the pattern is due to be matched again. */
  public boolean patternDue() {
    return mode == Mode.PATTERN && System.nanoTime() - nextPatternRefreshNanos >= 0;
  }

  /** The pattern was matched (or could not be; then {@code matched} is {@code null} and the last match stays). */
  public void patternMatched(Set<String> matched) {
    if (matched != null) {
      patternTopics = Set.copyOf(matched);
    }
    nextPatternRefreshNanos = System.nanoTime() + patternRefreshNanos;
  }

  /** Whether the subscription changed since {@link #applied()}. */
  public boolean dirty() {
    return dirty;
  }

  /** The subscription was applied to the clients. */
  public void applied() {
    dirty = false;
  }
}
