package dev.turnout.examples;

import dev.turnout.examples.Walkthrough.EpochCounts;
import dev.turnout.examples.Walkthrough.Result;
import dev.turnout.testkit.TwoClusters;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runnable walkthrough of a migration of topic {@code orders} from cluster {@code onprem} to cluster
 * {@code cloud} with a {@link dev.turnout.RoutingProducer}: MIRROR (epoch 1), WRITE_PROMOTION with 10% and then
 * 50% of the key buckets on cloud (epochs 2 and 3), TARGET_AUTHORITY (epoch 4). Two real Kafka clusters run
 * in this JVM (no Docker). See {@code examples/README.md}.
 *
 * <p>Usage: {@code MigrationWalkthrough [keyed records per step, default 2000]}. Exits with status 1 when the
 * records acknowledged to the producer and the records read back from the clusters disagree.
 */
public final class MigrationWalkthrough {

  /** Keyed records per step when no argument is given. */
  public static final int DEFAULT_RECORDS_PER_STEP = 2_000;
  /** Null-key records per step, refused while writes are split by key. */
  public static final int NULL_KEYS_PER_STEP = 3;

  private static final String PRODUCER_RULE =
      "+-------+------------------------------------------------+----------+--------+--------+---------------------------+";
  private static final String PRODUCER_ROW = "| %5s | %-46s | %8s | %6s | %6s | %-25s |%n";
  private static final String CONSUMER_RULE = "+-------+---------------+---------------+-------------------+";
  private static final String CONSUMER_ROW = "| %5s | %13s | %13s | %-17s |%n";

  private MigrationWalkthrough() {}

  public static void main(String[] args) throws Exception {
    int recordsPerStep = DEFAULT_RECORDS_PER_STEP;
    if (args.length > 0) {
      try {
        recordsPerStep = Integer.parseInt(args[0].trim());
      } catch (NumberFormatException e) {
        recordsPerStep = -1;
      }
      if (recordsPerStep < 1) {
        System.err.println("Usage: MigrationWalkthrough [keyed records per step, a positive integer; default "
            + DEFAULT_RECORDS_PER_STEP + "]");
        System.exit(2);
      }
    }
    boolean agreed = run(recordsPerStep, System.out);
    if (!agreed) {
      System.exit(1);
    }
  }

  /** Runs the walkthrough on two fresh clusters, printing as it goes; returns whether both sides agreed. */
  static boolean run(int recordsPerStep, PrintStream out) throws IOException, InterruptedException {
    long started = System.nanoTime();
    out.printf("Turnout migration walkthrough: topic '%s', per step %d keyed records (customer-0..customer-%d)"
        + " + %d null-key records%n", Walkthrough.TOPIC, recordsPerStep, recordsPerStep - 1, NULL_KEYS_PER_STEP);
    Path workDir = Files.createTempDirectory("turnout-walkthrough-");
    Result result;
    try (TwoClusters clusters = TwoClusters.start()) {
      out.printf("Clusters (in-process KRaft): %s=%s (source), %s=%s (target)%n", Walkthrough.ONPREM,
          clusters.source().bootstrapServers(), Walkthrough.CLOUD, clusters.target().bootstrapServers());
      out.printf("Authority file: %s (re-read every %d ms, replaced atomically at each step)%n%n",
          workDir.resolve("authority.properties"), Walkthrough.REFRESH_MS);
      out.println("Producer side: acks per cluster (counted in each cluster's client), refusals by reason");
      out.println(PRODUCER_RULE);
      out.printf(PRODUCER_ROW, "epoch", "rule 'orders'", "in force", "onprem", "cloud", "refused");
      out.println(PRODUCER_RULE);
      result = new Walkthrough(recordsPerStep, NULL_KEYS_PER_STEP).run(clusters.source(), clusters.target(),
          workDir, counts -> out.printf(PRODUCER_ROW, counts.epoch(), counts.step().label(),
              counts.flipMillis() + " ms", counts.acked(Walkthrough.ONPREM), counts.acked(Walkthrough.CLOUD),
              refusals(counts)));
      out.println(PRODUCER_RULE);
      result.producerSide().stream().filter(c -> c.refusalExample() != null).findFirst().ifPresent(c ->
          out.printf("Refused at epoch %d: %s%n", c.epoch(), c.refusalExample()));
      printConsumerSide(result, out);
    } finally {
      deleteQuietly(workDir);
    }

    long acked = result.producerSide().stream()
        .mapToLong(c -> c.acked(Walkthrough.ONPREM) + c.acked(Walkthrough.CLOUD)).sum();
    long refused = result.producerSide().stream().mapToLong(EpochCounts::refusedTotal).sum();
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    if (result.agrees()) {
      out.printf("%nOK: both sides agree on all %d acknowledged records; the %d refused records were written "
          + "nowhere. (%d s)%n", acked, refused, seconds);
      return true;
    }
    out.printf("%nMISMATCH between the producer side and the consumer side:%n");
    result.disagreements().forEach(d -> out.println("  - " + d));
    return false;
  }

  private static String refusals(EpochCounts counts) {
    if (counts.refusedTotal() == 0 && counts.failed() == 0) {
      return "0";
    }
    String reasons = counts.refused().entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
    if (counts.failed() > 0) {
      reasons += (reasons.isEmpty() ? "" : ", ") + counts.failed() + " FAILED";
    }
    return reasons;
  }

  private static void printConsumerSide(Result result, PrintStream out) {
    out.printf("%nConsumer side: '%s' read back from both clusters (plain KafkaConsumer), counted by "
        + "Provenance origin and epoch%n", Walkthrough.TOPIC);
    out.println(CONSUMER_RULE);
    out.printf(CONSUMER_ROW, "epoch", "origin onprem", "origin cloud", "= producer side?");
    out.println(CONSUMER_RULE);
    long totalOnprem = 0;
    long totalCloud = 0;
    for (EpochCounts counts : result.producerSide()) {
      long onprem = result.read(counts.epoch(), Walkthrough.ONPREM);
      long cloud = result.read(counts.epoch(), Walkthrough.CLOUD);
      totalOnprem += onprem;
      totalCloud += cloud;
      boolean same = onprem == counts.acked(Walkthrough.ONPREM) && cloud == counts.acked(Walkthrough.CLOUD);
      out.printf(CONSUMER_ROW, counts.epoch(), onprem, cloud, same ? "yes" : "NO");
    }
    for (Map.Entry<Long, Map<String, Long>> e : result.consumerSide().entrySet()) {
      if (result.producerSide().stream().noneMatch(c -> c.epoch() == e.getKey())) {
        out.printf(CONSUMER_ROW, e.getKey(), e.getValue().getOrDefault(Walkthrough.ONPREM, 0L),
            e.getValue().getOrDefault(Walkthrough.CLOUD, 0L), "NO (unexpected)");
      }
    }
    out.println(CONSUMER_RULE);
    out.printf(CONSUMER_ROW, "total", totalOnprem, totalCloud, "");
    out.println(CONSUMER_RULE);
    if (result.misplaced() > 0 || result.withoutProvenance() > 0) {
      out.printf("Also read: %d record(s) on a cluster other than their origin, %d without provenance%n",
          result.misplaced(), result.withoutProvenance());
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory; nothing to do
    }
  }
}
