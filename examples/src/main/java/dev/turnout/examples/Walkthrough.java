package dev.turnout.examples;

import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.Provenance;
import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.authority.MigrationState;
import dev.turnout.testkit.KafkaTestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The walkthrough itself, without any printing: walks the rule for topic {@value #TOPIC} through a migration
 * from {@value #ONPREM} to {@value #CLOUD}, producing through one {@link RoutingProducer} at every step, then
 * reads both clusters back and compares what the producer saw with what the clusters hold.
 *
 * <p>Each {@link Step} rewrites the authority file atomically (temporary file, then {@code ATOMIC_MOVE}) with a
 * higher epoch and waits until {@link RoutingProducer#epoch()} reports it; the producer is never restarted.
 */
public final class Walkthrough {

  /** The topic produced to, created on both clusters. */
  public static final String TOPIC = "orders";
  /** Alias of the source cluster. */
  public static final String ONPREM = "onprem";
  /** Alias of the target cluster. */
  public static final String CLOUD = "cloud";
  /** Partitions of {@value #TOPIC} on each cluster. */
  public static final int PARTITIONS = 3;
  /** The routing producer's client.id; its per-cluster clients are {@code walkthrough-onprem}/{@code -cloud}. */
  public static final String CLIENT_ID = "walkthrough";
  /** How often the producer re-reads the authority file. */
  public static final long REFRESH_MS = 100;

  private static final Duration FLIP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  private final int recordsPerStep;
  private final int nullKeysPerStep;

  /**
   * @param recordsPerStep keyed records sent at every step, keys {@code customer-0 .. customer-<n-1>}
   * @param nullKeysPerStep records with a null key sent at every step, spread among the keyed ones
   */
  public Walkthrough(int recordsPerStep, int nullKeysPerStep) {
    if (recordsPerStep < 1 || nullKeysPerStep < 0) {
      throw new IllegalArgumentException("need at least one keyed record per step and no negative null-key count");
    }
    this.recordsPerStep = recordsPerStep;
    this.nullKeysPerStep = nullKeysPerStep;
  }

  /** The key of the {@code n}-th keyed record of every step. */
  public static String key(int n) {
    return "customer-" + n;
  }

  /**
   * One step of the plan: the state of rule {@code orders} at an epoch. In WRITE_PROMOTION, key buckets
   * {@code 0 .. cloudBuckets-1} (slice {@code canary}) are owned by {@value #CLOUD} and the rest (slice
   * {@code rest}) by {@value #ONPREM}; {@code cloudBuckets} is ignored in the other states.
   */
  public record Step(long epoch, MigrationState state, int cloudBuckets) {

    /** MIRROR, then 10% and 50% of the key buckets on cloud, then TARGET_AUTHORITY. */
    public static List<Step> plan() {
      return List.of(
          new Step(1, MigrationState.MIRROR, 0),
          new Step(2, MigrationState.WRITE_PROMOTION, 1_000),
          new Step(3, MigrationState.WRITE_PROMOTION, 5_000),
          new Step(4, MigrationState.TARGET_AUTHORITY, 0));
    }

    /** The authority document of this step. */
    public String document() {
      StringBuilder doc = new StringBuilder()
          .append("epoch=").append(epoch).append('\n')
          .append("source=").append(ONPREM).append('\n')
          .append("target=").append(CLOUD).append('\n')
          .append("rule.orders.topics=").append(TOPIC).append('\n')
          .append("rule.orders.state=").append(state).append('\n');
      if (state == MigrationState.WRITE_PROMOTION) {
        doc.append("rule.orders.slice.canary.keys=0-").append(cloudBuckets - 1).append('\n')
            .append("rule.orders.slice.canary.owner=").append(CLOUD).append('\n')
            .append("rule.orders.slice.rest.keys=").append(cloudBuckets).append("-9999\n")
            .append("rule.orders.slice.rest.owner=").append(ONPREM).append('\n');
      }
      return doc.toString();
    }

    /** A one-line description, e.g. {@code WRITE_PROMOTION: buckets 0-999 (10%) on cloud}. */
    public String label() {
      return switch (state) {
        case MIRROR, DUAL_READ -> state + ": all writes to " + ONPREM;
        case WRITE_PROMOTION -> state + ": buckets 0-" + (cloudBuckets - 1) + " (" + cloudBuckets / 100 + "%) on "
            + CLOUD;
        case TARGET_AUTHORITY -> state + ": all writes to " + CLOUD;
      };
    }
  }

  /**
   * What the producer saw at one epoch.
   *
   * @param sent records sent (keyed and null-key)
   * @param acked acknowledgements per cluster alias, counted by {@link AckCounter} inside each cluster's client
   * @param refused refusals by reason, from the send futures (each an {@link OwnershipAmbiguousException})
   * @param failed sends that failed for any other reason, or whose acknowledgement no cluster's client counted
   *     (always 0 in a healthy run)
   * @param flipMillis time from rewriting the authority file until {@link RoutingProducer#epoch()} reported it
   * @param refusalExample the message of one refusal, or {@code null} when none
   */
  public record EpochCounts(Step step, long sent, Map<String, Long> acked, Map<Reason, Long> refused, long failed,
      long flipMillis, String refusalExample) {

    public long epoch() {
      return step.epoch();
    }

    /** Records acknowledged by a cluster. */
    public long acked(String cluster) {
      return acked.getOrDefault(cluster, 0L);
    }

    /** Records refused for a reason. */
    public long refused(Reason reason) {
      return refused.getOrDefault(reason, 0L);
    }

    public long refusedTotal() {
      return refused.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * The outcome: the producer side per epoch, and the consumer side as records read back per epoch and origin
   * (from {@link Provenance}).
   *
   * @param misplaced records read from one cluster whose provenance names the other as origin
   * @param withoutProvenance records read back without valid Turnout headers
   * @param disagreements every difference found between the two sides; empty when they agree
   */
  public record Result(List<EpochCounts> producerSide, Map<Long, Map<String, Long>> consumerSide, long misplaced,
      long withoutProvenance, List<String> disagreements) {

    /** Records read back that were routed at {@code epoch} with origin {@code cluster}. */
    public long read(long epoch, String cluster) {
      return consumerSide.getOrDefault(epoch, Map.of()).getOrDefault(cluster, 0L);
    }

    public boolean agrees() {
      return disagreements.isEmpty();
    }
  }

  /** Told about each step as soon as it is done. */
  @FunctionalInterface
  public interface Listener {
    void stepCompleted(EpochCounts counts);
  }

  /**
   * Runs the walkthrough: creates {@value #TOPIC} on both clusters (it must be new or empty), produces at every
   * step of {@link Step#plan()}, then reads everything back.
   *
   * @param workDir directory for the authority file {@code authority.properties}
   */
  public Result run(KafkaTestCluster onprem, KafkaTestCluster cloud, Path workDir, Listener listener)
      throws InterruptedException {
    Objects.requireNonNull(listener, "listener");
    onprem.createTopic(TOPIC, PARTITIONS);
    cloud.createTopic(TOPIC, PARTITIONS);

    List<Step> plan = Step.plan();
    Path authorityFile = workDir.resolve("authority.properties");
    writeAtomically(authorityFile, plan.get(0).document());

    AckCounter.Tally tally = new AckCounter.Tally(CLIENT_ID);
    List<EpochCounts> producerSide = new ArrayList<>();
    long flipStarted = System.nanoTime();
    try (RoutingProducer<String, String> producer = new RoutingProducer<>(producerConfig(onprem, cloud,
        authorityFile, tally))) {
      for (Step step : plan) {
        if (step != plan.get(0)) {
          flipStarted = System.nanoTime();
          writeAtomically(authorityFile, step.document());
        }
        awaitEpoch(producer, step.epoch());
        long flipMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - flipStarted);
        EpochCounts counts = produce(producer, step, tally, flipMillis);
        producerSide.add(counts);
        listener.stepCompleted(counts);
      }
    }

    Map<Long, Map<String, Long>> consumerSide = new TreeMap<>();
    long[] misplaced = {0};
    long[] withoutProvenance = {0};
    for (Map.Entry<String, KafkaTestCluster> cluster : Map.of(ONPREM, onprem, CLOUD, cloud).entrySet()) {
      for (ConsumerRecord<String, String> record : readAll(cluster.getValue(), TOPIC)) {
        Provenance provenance = Provenance.of(record).orElse(null);
        if (provenance == null) {
          withoutProvenance[0]++;
          continue;
        }
        if (!provenance.origin().equals(cluster.getKey())) {
          misplaced[0]++;
        }
        consumerSide.computeIfAbsent(provenance.epoch(), e -> new TreeMap<>())
            .merge(provenance.origin(), 1L, Long::sum);
      }
    }
    List<String> disagreements = compare(producerSide, consumerSide, misplaced[0], withoutProvenance[0]);
    return new Result(List.copyOf(producerSide), Collections.unmodifiableMap(consumerSide), misplaced[0],
        withoutProvenance[0], List.copyOf(disagreements));
  }

  private EpochCounts produce(RoutingProducer<String, String> producer, Step step, AckCounter.Tally tally,
      long flipMillis) throws InterruptedException {
    List<Future<RecordMetadata>> futures = new ArrayList<>(recordsPerStep + nullKeysPerStep);
    int nullKeysSent = 0;
    for (int n = 0; n < recordsPerStep; n++) {
      futures.add(producer.send(new ProducerRecord<>(TOPIC, key(n), "order " + n + " at epoch " + step.epoch())));
      // Spread the null-key records evenly among the keyed ones.
      while (nullKeysSent < nullKeysPerStep
          && (long) (n + 1) * (nullKeysPerStep + 1) >= (long) (nullKeysSent + 1) * recordsPerStep) {
        futures.add(producer.send(new ProducerRecord<>(TOPIC, null, "keyless event " + nullKeysSent)));
        nullKeysSent++;
      }
    }
    producer.flush();

    long succeeded = 0;
    long failed = 0;
    Map<Reason, Long> refused = new EnumMap<>(Reason.class);
    String refusalExample = null;
    for (Future<RecordMetadata> future : futures) {
      try {
        future.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        succeeded++;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof OwnershipAmbiguousException refusal) {
          refused.merge(refusal.reason(), 1L, Long::sum);
          if (refusalExample == null) {
            refusalExample = refusal.getMessage();
          }
        } else {
          failed++;
        }
      } catch (TimeoutException e) {
        failed++;
      }
    }
    Map<String, Long> acked = new TreeMap<>();
    long ackedTotal = 0;
    for (String cluster : List.of(ONPREM, CLOUD)) {
      acked.put(cluster, tally.acked(cluster, step.epoch()));
      ackedTotal += tally.acked(cluster, step.epoch());
    }
    if (ackedTotal != succeeded) {
      // Should not happen: every successful future was acknowledged by exactly one cluster's client.
      failed += Math.abs(succeeded - ackedTotal);
    }
    return new EpochCounts(step, futures.size(), Collections.unmodifiableMap(acked),
        Collections.unmodifiableMap(refused), failed, flipMillis, refusalExample);
  }

  private static List<String> compare(List<EpochCounts> producerSide, Map<Long, Map<String, Long>> consumerSide,
      long misplaced, long withoutProvenance) {
    List<String> problems = new ArrayList<>();
    for (EpochCounts counts : producerSide) {
      long epoch = counts.epoch();
      if (counts.failed() > 0) {
        problems.add("epoch " + epoch + ": " + counts.failed() + " send(s) failed or were not acknowledged");
      }
      long accounted = counts.acked(ONPREM) + counts.acked(CLOUD) + counts.refusedTotal() + counts.failed();
      if (accounted != counts.sent()) {
        problems.add("epoch " + epoch + ": sent " + counts.sent() + " but acknowledged + refused + failed = "
            + accounted);
      }
      for (String cluster : List.of(ONPREM, CLOUD)) {
        long read = consumerSide.getOrDefault(epoch, Map.of()).getOrDefault(cluster, 0L);
        if (read != counts.acked(cluster)) {
          problems.add("epoch " + epoch + " on " + cluster + ": " + counts.acked(cluster) + " acknowledged but "
              + read + " read back");
        }
      }
    }
    for (Map.Entry<Long, Map<String, Long>> e : consumerSide.entrySet()) {
      if (producerSide.stream().noneMatch(c -> c.epoch() == e.getKey())) {
        problems.add("read back records of epoch " + e.getKey() + " that the producer never wrote: " + e.getValue());
      }
    }
    if (misplaced > 0) {
      problems.add(misplaced + " record(s) sit on a cluster other than the origin in their provenance");
    }
    if (withoutProvenance > 0) {
      problems.add(withoutProvenance + " record(s) read back without Turnout provenance headers");
    }
    return problems;
  }

  private static Map<String, Object> producerConfig(KafkaTestCluster onprem, KafkaTestCluster cloud,
      Path authorityFile, AckCounter.Tally tally) {
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, ONPREM + "," + CLOUD);
    config.put(TurnoutConfig.CLUSTER_PREFIX + ONPREM + ".bootstrap.servers", onprem.bootstrapServers());
    config.put(TurnoutConfig.CLUSTER_PREFIX + CLOUD + ".bootstrap.servers", cloud.bootstrapServers());
    config.put(TurnoutConfig.AUTHORITY_FILE, authorityFile.toString());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, REFRESH_MS);
    // Nothing replicates onprem to cloud in this walkthrough, so a moved slice waits only until the records
    // already sent to onprem are acknowledged. With MirrorMaker 2 or a cluster link, keep the default
    // "replicated" barrier, which also waits until they are visible on cloud (see docs/cutover.md).
    config.put(TurnoutConfig.CUTOVER_BARRIER, "drained");
    // Everything else is an ordinary producer setting, applied to the client of each cluster.
    config.put(CommonClientConfigs.CLIENT_ID_CONFIG, CLIENT_ID);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, AckCounter.class.getName());
    config.put(AckCounter.TALLY_CONFIG, tally);
    return config;
  }

  private static void awaitEpoch(RoutingProducer<?, ?> producer, long epoch) throws InterruptedException {
    long deadline = System.nanoTime() + FLIP_TIMEOUT.toNanos();
    while (producer.epoch() != epoch) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The producer did not load authority epoch " + epoch + " within "
            + FLIP_TIMEOUT.toSeconds() + " s (epoch in force: " + producer.epoch() + ")");
      }
      Thread.sleep(5);
    }
  }

  /** Replaces {@code file} with {@code content} so that a reader sees either the old or the new document. */
  static void writeAtomically(Path file, String content) {
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "authority", ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  /** Every record in {@code topic}, read from the beginning with a plain consumer (no group). */
  static List<ConsumerRecord<String, String>> readAll(KafkaTestCluster cluster, String topic) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, CLIENT_ID + "-reader-" + cluster.name());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Timed out reading " + topic + " on " + cluster.name());
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }
}
