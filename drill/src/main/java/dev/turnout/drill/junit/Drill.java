package dev.turnout.drill.junit;

import dev.turnout.RoutingConsumer;
import dev.turnout.RoutingProducer;
import dev.turnout.authority.MigrationState;
import dev.turnout.drill.ReconcileMode;
import dev.turnout.drill.plan.Plan;
import dev.turnout.drill.plan.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Your own migration drill: your producer and consumer code under continuous load while the drill walks a sequence
 * of flips, then the drill's invariants over what was acknowledged, processed and stored.
 *
 * <pre>{@code
 * DrillResult result = Drill.on(clusters)
 *     .topic("orders", 3)
 *     .producer(config -> new RoutingProducer<>(config, new StringSerializer(), new OrderSerializer()),
 *         n -> new ProducerRecord<>("orders", "customer-" + n % 100, new Order(n)))
 *     .consumer(config -> new RoutingConsumer<>(config, new StringDeserializer(), new OrderDeserializer()),
 *         record -> orders.handle(record.value()))
 *     .step(MigrationState.MIRROR)
 *     .step(MigrationState.WRITE_PROMOTION, 50)
 *     .step(MigrationState.DUAL_READ)                 // a rollback of the promoted half
 *     .step(MigrationState.WRITE_PROMOTION, 100)
 *     .step(MigrationState.TARGET_AUTHORITY)
 *     .stepDuration(Duration.ofSeconds(6))
 *     .reconcile(ReconcileMode.AUTO)
 *     .run();
 * result.assertAllHeld();
 * }</pre>
 *
 * <p>The run: creates the topic on both clusters, publishes the first step's document, creates your consumers
 * (one thread each, committing after each batch) and producers (one thread each, sending at {@link #rate(double)}
 * in total), and walks the steps, one per {@link #stepDuration(Duration)}: each flip publishes the step's document
 * with the next epoch (rule {@code drill}; {@code WRITE_PROMOTION n%} gives buckets {@code 0} to {@code n*100-1} to
 * the target) and waits for every client to show it on the status topic. Then it stops the producers, waits until
 * every acknowledged record was processed (at most 60 s, or 15 s without progress), reads the topic on both
 * clusters and checks the invariants.
 *
 * <p>Records are told apart by key and by a per-key sequence number the drill adds as the header
 * {@code turnout.drill.seq}; values are yours, with your serializers. Keys must be strings serialized as UTF-8
 * (Kafka's {@code StringSerializer}): the checks route keys as those bytes. For the ordering check to mean
 * anything each key must be sent by one producer: producer {@code i} of {@code p} is asked for records
 * {@code n = i, i + p, i + 2p...}, so a key derived as {@code n % k} with {@code k} a multiple of {@code p} is.
 */
public final class Drill {

  private final DrillClusters clusters;
  private final List<Step> steps = new ArrayList<>();
  private final Map<String, Object> clientProperties = new LinkedHashMap<>();
  private String topic;
  private int partitions;
  private ProducerSide<?, ?> producer;
  private ConsumerSide<?, ?> consumer;
  private int producers = 1;
  private int consumers = 1;
  private String group;
  private Duration stepDuration = Duration.ofSeconds(6);
  private double rate = 50;
  private ReconcileMode reconcile = ReconcileMode.MANUAL;

  private Drill(DrillClusters clusters) {
    this.clusters = Objects.requireNonNull(clusters, "clusters");
  }

  /** A drill on these clusters. */
  public static Drill on(DrillClusters clusters) {
    return new Drill(clusters);
  }

  /** The keyed topic your code produces to and consumes from; created on both clusters if absent. Required. */
  public Drill topic(String name, int partitions) {
    if (name == null || name.isBlank() || partitions < 1) {
      throw new IllegalArgumentException("topic(name, partitions) needs a name and at least one partition, got '"
          + name + "', " + partitions);
    }
    this.topic = name;
    this.partitions = partitions;
    return this;
  }

  /**
   * Your producer code. Required.
   *
   * @param factory creates a producer from the drill's settings ({@link DrillClusters#routingConfig(String)} plus
   *     {@code acks=all}, the rollback settings and {@link #clientProperty(String, Object)}s); add your serializers
   *     and settings. Called once per producer.
   * @param records the {@code n}-th record to send (see the class comment for {@code n}); its topic must be the
   *     drill's
   */
  public <K, V> Drill producer(Function<Map<String, Object>, RoutingProducer<K, V>> factory,
      LongFunction<ProducerRecord<K, V>> records) {
    this.producer = new ProducerSide<>(Objects.requireNonNull(factory, "factory"),
        Objects.requireNonNull(records, "records"));
    return this;
  }

  /** How many producers, each with its own thread and {@code RoutingProducer}; default 1. */
  public Drill producers(int count) {
    this.producers = positive(count, "producers");
    return this;
  }

  /**
   * Your consumer code. Required.
   *
   * @param factory creates a member of the consumer group from the drill's settings (routing settings,
   *     {@code group.id}, {@code enable.auto.commit=false}, {@code auto.offset.reset=earliest} and
   *     {@link #clientProperty(String, Object)}s); add your deserializers and settings. Called once per member.
   * @param handler your processing of each record
   */
  public <K, V> Drill consumer(Function<Map<String, Object>, RoutingConsumer<K, V>> factory,
      RecordHandler<K, V> handler) {
    this.consumer = new ConsumerSide<>(Objects.requireNonNull(factory, "factory"),
        Objects.requireNonNull(handler, "handler"));
    return this;
  }

  /** How many members the consumer group has; default 1. */
  public Drill consumers(int count) {
    this.consumers = positive(count, "consumers");
    return this;
  }

  /** The consumer group; default {@code <topic>-drill}. */
  public Drill group(String groupId) {
    this.group = Objects.requireNonNull(groupId, "groupId");
    return this;
  }

  /** The next step: {@code MIRROR}, {@code DUAL_READ} or {@code TARGET_AUTHORITY}. The first is the start. */
  public Drill step(MigrationState state) {
    steps.add(Step.of(state));
    return this;
  }

  /** The next step with a share of the keys' buckets promoted to the target: {@code WRITE_PROMOTION}, 1 to 100. */
  public Drill step(MigrationState state, int percent) {
    steps.add(new Step(state, percent));
    return this;
  }

  /** How long each step lasts under load; default 6 s. */
  public Drill stepDuration(Duration duration) {
    if (duration == null || duration.toMillis() < 1000) {
      throw new IllegalArgumentException("stepDuration must be at least 1 s, got " + duration);
    }
    this.stepDuration = duration;
    return this;
  }

  /** Records per second, all producers together; default 50. */
  public Drill rate(double recordsPerSecond) {
    if (!(recordsPerSecond > 0)) {
      throw new IllegalArgumentException("rate must be above 0 records per second, got " + recordsPerSecond);
    }
    this.rate = recordsPerSecond;
    return this;
  }

  /**
   * Who reconciles a rollback's target-only records: {@code MANUAL} (default) the drill runs
   * {@code Reconciler.apply} after the flip, as an operator would, and the producers run
   * {@code turnout.rollback.reconcile=manual}; {@code AUTO} the producers do ({@code auto}); {@code NONE} nobody
   * (a deliberately faulty drill).
   */
  public Drill reconcile(ReconcileMode mode) {
    this.reconcile = Objects.requireNonNull(mode, "mode");
    return this;
  }

  /**
   * A setting for every client; a key starting {@code producer.} or {@code consumer.} is for that kind only
   * (without the prefix). Applied over the drill's settings, before your factory sees them.
   */
  public Drill clientProperty(String key, Object value) {
    clientProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * Runs the drill (about the number of steps times {@link #stepDuration(Duration)}, plus draining and reading).
   *
   * @throws IllegalStateException when the topic, the producer or the consumer is missing, or fewer than two
   *     steps were given
   */
  public DrillResult run() throws InterruptedException {
    if (topic == null || producer == null || consumer == null) {
      throw new IllegalStateException("A drill needs topic(...), producer(...) and consumer(...); missing: "
          + (topic == null ? "topic " : "") + (producer == null ? "producer " : "")
          + (consumer == null ? "consumer" : ""));
    }
    Plan plan;
    try {
      plan = new Plan(steps);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage() + ": call step(...) for each", e);
    }
    return new DrillRunner(new DrillSettings(clusters, topic, partitions, producer, producers, consumer, consumers,
        group == null ? topic + "-drill" : group, plan, stepDuration, rate, reconcile, Map.copyOf(clientProperties)))
        .run();
  }

  private static int positive(int count, String what) {
    if (count < 1) {
      throw new IllegalArgumentException(what + " must be at least 1, got " + count);
    }
    return count;
  }

  /** Your producer code. */
  record ProducerSide<K, V>(Function<Map<String, Object>, RoutingProducer<K, V>> factory,
      LongFunction<ProducerRecord<K, V>> records) {}

  /** Your consumer code. */
  record ConsumerSide<K, V>(Function<Map<String, Object>, RoutingConsumer<K, V>> factory,
      RecordHandler<K, V> handler) {}
}
