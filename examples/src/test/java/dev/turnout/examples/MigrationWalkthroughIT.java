package dev.turnout.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.Provenance;
import dev.turnout.authority.MigrationState;
import dev.turnout.examples.Walkthrough.EpochCounts;
import dev.turnout.examples.Walkthrough.Result;
import dev.turnout.examples.Walkthrough.Step;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the walkthrough on two real in-process clusters and checks every count against owners computed here,
 * independently of the routing code, from the bucket function and the slice ranges of each epoch.
 */
@TwoKafkaClusters
class MigrationWalkthroughIT {

  private static final int RECORDS = 300;
  private static final int NULL_KEYS = 3;
  private static final String ONPREM = "onprem";
  private static final String CLOUD = "cloud";

  @TempDir
  Path dir;

  @Test
  void everyEpochWritesEachKeyToItsOwnerAndBothSidesAgree(TwoClusters clusters) throws Exception {
    List<EpochCounts> reported = new CopyOnWriteArrayList<>();
    Result result = new Walkthrough(RECORDS, NULL_KEYS)
        .run(clusters.source(), clusters.target(), dir, reported::add);

    // The plan: MIRROR, WRITE_PROMOTION 10%, WRITE_PROMOTION 50%, TARGET_AUTHORITY.
    assertThat(Step.plan()).extracting(Step::epoch, Step::state).containsExactly(
        tuple(1L, MigrationState.MIRROR),
        tuple(2L, MigrationState.WRITE_PROMOTION),
        tuple(3L, MigrationState.WRITE_PROMOTION),
        tuple(4L, MigrationState.TARGET_AUTHORITY));
    assertThat(result.producerSide()).extracting(EpochCounts::epoch).containsExactly(1L, 2L, 3L, 4L);
    assertThat(reported).as("listener told about every step, in order").isEqualTo(result.producerSide());

    Map<Long, EpochCounts> byEpoch = new HashMap<>();
    result.producerSide().forEach(c -> byEpoch.put(c.epoch(), c));

    // Epoch 1, MIRROR: everything, null keys included, on onprem.
    EpochCounts mirror = byEpoch.get(1L);
    assertThat(mirror.sent()).isEqualTo(RECORDS + NULL_KEYS);
    assertThat(mirror.acked(ONPREM)).isEqualTo(RECORDS + NULL_KEYS);
    assertThat(mirror.acked(CLOUD)).isZero();
    assertThat(mirror.refused()).isEmpty();

    // Epochs 2 and 3, WRITE_PROMOTION: buckets 0-999, then 0-4999, on cloud; null keys refused.
    for (long epoch : List.of(2L, 3L)) {
      int lastCloudBucket = epoch == 2 ? 999 : 4999;
      long expectedCloud = 0;
      for (int n = 0; n < RECORDS; n++) {
        if (bucket("customer-" + n) <= lastCloudBucket) {
          expectedCloud++;
        }
      }
      EpochCounts counts = byEpoch.get(epoch);
      assertThat(expectedCloud).as("keys on cloud at epoch %d", epoch).isBetween(1L, (long) RECORDS - 1);
      assertThat(counts.acked(CLOUD)).as("cloud at epoch %d", epoch).isEqualTo(expectedCloud);
      assertThat(counts.acked(ONPREM)).as("onprem at epoch %d", epoch).isEqualTo(RECORDS - expectedCloud);
      assertThat(counts.refused()).as("refusals at epoch %d", epoch)
          .containsExactly(Map.entry(Reason.NULL_KEY_NOT_ROUTABLE, (long) NULL_KEYS));
      assertThat(counts.refusalExample()).contains("null key", "null-key-owner");
      assertThat(counts.failed()).isZero();
    }

    // Epoch 4, TARGET_AUTHORITY: everything, null keys included, on cloud.
    EpochCounts target = byEpoch.get(4L);
    assertThat(target.acked(CLOUD)).isEqualTo(RECORDS + NULL_KEYS);
    assertThat(target.acked(ONPREM)).isZero();
    assertThat(target.refused()).isEmpty();

    // The consumer side (provenance read back from both clusters) equals the producer side.
    for (EpochCounts counts : result.producerSide()) {
      assertThat(result.read(counts.epoch(), ONPREM)).as("read back on onprem, epoch %d", counts.epoch())
          .isEqualTo(counts.acked(ONPREM));
      assertThat(result.read(counts.epoch(), CLOUD)).as("read back on cloud, epoch %d", counts.epoch())
          .isEqualTo(counts.acked(CLOUD));
    }
    assertThat(result.consumerSide()).containsOnlyKeys(1L, 2L, 3L, 4L);
    assertThat(result.misplaced()).isZero();
    assertThat(result.withoutProvenance()).isZero();
    assertThat(result.disagreements()).isEmpty();
    assertThat(result.agrees()).isTrue();

    // Record by record: each keyed record of each epoch sits on the owner of its key's bucket, exactly once.
    Map<Long, Map<String, List<String>>> keysByEpochAndCluster = new TreeMap<>();
    readInto(keysByEpochAndCluster, clusters.source(), ONPREM);
    readInto(keysByEpochAndCluster, clusters.target(), CLOUD);
    for (long epoch = 1; epoch <= 4; epoch++) {
      Map<String, List<String>> keys = keysByEpochAndCluster.get(epoch);
      List<String> expectedOnprem = new ArrayList<>();
      List<String> expectedCloud = new ArrayList<>();
      for (int n = 0; n < RECORDS; n++) {
        String key = "customer-" + n;
        (expectedOwner(epoch, key).equals(CLOUD) ? expectedCloud : expectedOnprem).add(key);
      }
      if (epoch == 1) {
        addNulls(expectedOnprem);
      } else if (epoch == 4) {
        addNulls(expectedCloud);
      }
      assertThat(keys.getOrDefault(ONPREM, List.of())).as("keys on onprem at epoch %d", epoch)
          .containsExactlyInAnyOrderElementsOf(expectedOnprem);
      assertThat(keys.getOrDefault(CLOUD, List.of())).as("keys on cloud at epoch %d", epoch)
          .containsExactlyInAnyOrderElementsOf(expectedCloud);
    }
  }

  /** The bucket of a key, computed here: murmur2 of the serialized key, made positive, modulo 10,000. */
  private static int bucket(String key) {
    return Utils.toPositive(Utils.murmur2(new StringSerializer().serialize("orders", key))) % 10_000;
  }

  private static String expectedOwner(long epoch, String key) {
    return switch ((int) epoch) {
      case 1 -> ONPREM;
      case 2 -> bucket(key) <= 999 ? CLOUD : ONPREM;
      case 3 -> bucket(key) <= 4999 ? CLOUD : ONPREM;
      case 4 -> CLOUD;
      default -> throw new IllegalArgumentException("epoch " + epoch);
    };
  }

  private static void addNulls(List<String> keys) {
    for (int i = 0; i < NULL_KEYS; i++) {
      keys.add(null);
    }
  }

  private static void readInto(Map<Long, Map<String, List<String>>> into, KafkaTestCluster cluster, String alias) {
    for (ConsumerRecord<String, String> record : Walkthrough.readAll(cluster, "orders")) {
      Provenance provenance = Provenance.of(record).orElseThrow();
      assertThat(provenance.origin()).isEqualTo(alias);
      assertThat(provenance.rule()).isEqualTo("orders");
      into.computeIfAbsent(provenance.epoch(), e -> new TreeMap<>())
          .computeIfAbsent(alias, a -> new ArrayList<>()).add(record.key());
    }
  }
}
