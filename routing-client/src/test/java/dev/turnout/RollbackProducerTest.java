package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.cutover.RollbackScope;
import dev.turnout.internal.cutover.SliceReconciliation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollback barrier through a routing producer over {@link MockProducer}s: sends of a slice moved back from
 * cloud (target) to onprem (source) are refused with {@code ROLLBACK_NOT_RECONCILED} (futures failed, callbacks
 * called) while its target-only records are not proven to be on onprem, and go to onprem once they are; the
 * other slices never wait; a document leaving TARGET_AUTHORITY without {@code rollback.allowed} is not installed.
 */
class RollbackProducerTest {

  @TempDir
  Path dir;

  private final MockProducer<String, String> onprem = mock();
  private final MockProducer<String, String> cloud = mock();

  private static MockProducer<String, String> mock() {
    return new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
  }

  private static String promoted(long epoch) {
    return "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.r.topics=t\nrule.r.state=WRITE_PROMOTION\n"
        + "rule.r.slice.a.keys=0-4999\nrule.r.slice.a.owner=cloud\nrule.r.slice.b.keys=5000-9999\nrule.r.slice.b.owner=onprem\n";
  }

  private static String rolledBack(long epoch) {
    return "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.r.topics=t\nrule.r.state=MIRROR\n";
  }

  private static String key(boolean inSliceA) {
    for (int i = 0; ; i++) {
      String key = "k" + i;
      if ((AuthorityMap.bucket(new StringSerializer().serialize("t", key)) < 5000) == inSliceA) {
        return key;
      }
    }
  }

  private RoutingProducer<String, String> producer(Path file, SliceReconciliation reconciliation) {
    Map<String, Object> configs = Map.of(
        TurnoutConfig.CLUSTERS, "onprem,cloud",
        TurnoutConfig.AUTHORITY_FILE, file.toString(),
        TurnoutConfig.AUTHORITY_REFRESH_MS, 50,
        TurnoutConfig.CUTOVER_BARRIER, "drained",
        TurnoutConfig.ROLLBACK_MAX_PAUSE_MS, 30_000);
    return RoutingProducer.<String, String>builder(configs)
        .serializers(new StringSerializer(), new StringSerializer())
        .client("onprem", onprem)
        .client("cloud", cloud)
        .reconciliation((clientId, aliases, clusterConfigs) -> reconciliation)
        .build();
  }

  private static void write(Path file, String document) throws Exception {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, document);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aFailingReconciliationFailsEveryQueuedSendOfTheSliceWithItsReasonAndCallsEveryCallback() throws Exception {
    Path file = dir.resolve("authority.properties");
    write(file, promoted(1));
    CountDownLatch answer = new CountDownLatch(1);
    List<RollbackScope> asked = Collections.synchronizedList(new ArrayList<>());
    SliceReconciliation failing = new SliceReconciliation() {
      @Override
      public long missing(RollbackScope scope) throws Exception {
        asked.add(scope);
        answer.await();
        throw new IllegalStateException("cluster 'cloud' is unreachable");
      }

      @Override
      public void reconcile(RollbackScope scope) {
        throw new AssertionError("manual mode never reconciles");
      }
    };
    String movedKey = key(true);
    try (RoutingProducer<String, String> producer = producer(file, failing)) {
      producer.send(new ProducerRecord<>("t", movedKey, "on-cloud")).get(5, TimeUnit.SECONDS);
      assertThat(cloud.history()).hasSize(1);
      write(file, rolledBack(2));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);

      List<Exception> callbacks = Collections.synchronizedList(new ArrayList<>());
      List<Future<RecordMetadata>> queued = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        queued.add(producer.send(new ProducerRecord<>("t", movedKey, "after-" + i), (m, e) -> callbacks.add(e)));
      }
      RecordMetadata other = producer.send(new ProducerRecord<>("t", key(false), "slice-b")).get(5, TimeUnit.SECONDS);
      assertThat(other).as("slice b never waits").isNotNull();
      await().atMost(Duration.ofSeconds(5)).until(() -> !asked.isEmpty());
      assertThat(queued).noneMatch(Future::isDone);
      answer.countDown();

      for (Future<RecordMetadata> f : queued) {
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause()
            .isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
              assertThat(e.reason()).isEqualTo(Reason.ROLLBACK_NOT_RECONCILED);
              assertThat(e.getMessage()).contains("rule 'r' slice 'a'", "cluster 'cloud' is unreachable");
            });
      }
      assertThat(callbacks).hasSize(3).allSatisfy(e -> assertThat(e).isInstanceOf(OwnershipAmbiguousException.class));
      Future<RecordMetadata> later = producer.send(new ProducerRecord<>("t", movedKey, "later"));
      assertThatThrownBy(() -> later.get(5, TimeUnit.SECONDS)).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.ROLLBACK_NOT_RECONCILED));
      assertThat(producer.status().barriers()).singleElement().satisfies(b -> {
        assertThat(b.state()).isEqualTo("FAILED");
        assertThat(b.from()).isEqualTo("cloud");
        assertThat(b.detail()).contains("cluster 'cloud' is unreachable");
      });
      assertThat(producer.recentRefusals()).anySatisfy(r -> assertThat(r.refusal().reason())
          .isEqualTo(Reason.ROLLBACK_NOT_RECONCILED));
    }
    assertThat(onprem.history()).extracting(ProducerRecord::value).containsExactly("slice-b");
    assertThat(asked.get(0).targetOffsetsUpTo()).isNotNull();
  }

  @Test
  void theSliceGoesToTheSourceOnceItsTargetOnlyRecordsAreThere() throws Exception {
    Path file = dir.resolve("authority.properties");
    write(file, promoted(1));
    AtomicLong missing = new AtomicLong(2);
    AtomicReference<RollbackScope> asked = new AtomicReference<>();
    SliceReconciliation counting = new SliceReconciliation() {
      @Override
      public long missing(RollbackScope scope) {
        asked.set(scope);
        return missing.get();
      }

      @Override
      public void reconcile(RollbackScope scope) {
        throw new AssertionError("manual mode never reconciles");
      }
    };
    String movedKey = key(true);
    try (RoutingProducer<String, String> producer = producer(file, counting)) {
      producer.send(new ProducerRecord<>("t", movedKey, "on-cloud")).get(5, TimeUnit.SECONDS);
      write(file, rolledBack(2));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);
      Future<RecordMetadata> waiting = producer.send(new ProducerRecord<>("t", movedKey, "after"));
      await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() != null);
      assertThat(waiting.isDone()).isFalse();
      missing.set(0);
      assertThat(waiting.get(5, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(onprem.history()).extracting(ProducerRecord::value).containsExactly("after");
    assertThat(asked.get().rule()).isEqualTo("r");
    assertThat(asked.get().slice()).isEqualTo("a");
    // the slice was on cloud in the first map: only this producer's own records bound the read, from its start
    assertThat(asked.get().sinceMillis()).isPositive();
  }

  @Test
  void withoutAReconciliationTheRolledBackSliceFailsClosed() throws Exception {
    Path file = dir.resolve("authority.properties");
    write(file, promoted(1));
    String movedKey = key(true);
    try (RoutingProducer<String, String> producer = producer(file, null)) {
      producer.send(new ProducerRecord<>("t", movedKey, "on-cloud")).get(5, TimeUnit.SECONDS);
      write(file, rolledBack(2));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);
      Future<RecordMetadata> refused = producer.send(new ProducerRecord<>("t", movedKey, "after"));
      assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).cause()
          .isInstanceOfSatisfying(OwnershipAmbiguousException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.ROLLBACK_NOT_RECONCILED);
            assertThat(e.getMessage()).contains("no slice reconciliation is available");
          });
    }
    assertThat(onprem.history()).isEmpty();
  }

  @Test
  void leavingTargetAuthorityNeedsRollbackAllowedOnTheNewDocument() throws Exception {
    Path file = dir.resolve("authority.properties");
    write(file, "epoch=1\nsource=onprem\ntarget=cloud\nrule.r.topics=t\nrule.r.state=TARGET_AUTHORITY\n");
    try (RoutingProducer<String, String> producer = producer(file, null)) {
      write(file, rolledBack(2));
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.status().authorityProblem() != null);
      assertThat(producer.epoch()).isEqualTo(1);
      assertThat(producer.status().authorityProblem()).contains("ROLLBACK_NOT_ALLOWED", "rule.r.rollback.allowed=true");
      write(file, rolledBack(2) + "rule.r.rollback.allowed=true\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.epoch() == 2);
    }
  }
}
