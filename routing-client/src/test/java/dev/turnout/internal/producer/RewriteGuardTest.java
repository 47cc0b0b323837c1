package dev.turnout.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.cluster.BreakerSettings;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.cutover.BarrierMode;
import dev.turnout.internal.cutover.ClusterAccess;
import dev.turnout.internal.cutover.CutoverCoordinator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RewriteGuardTest {

  private static final List<String> CLUSTERS = List.of("onprem", "cloud");
  private final CutoverCoordinator cutover = new CutoverCoordinator("test", CLUSTERS, BarrierMode.DRAINED, 10_000,
      1_000_000, 1L, new ClusterAccess() {
        @Override
        public void flush(int cluster) {}

        @Override
        public Map<String, Object> consumerConfig(int cluster) {
          return Map.of();
        }

        @Override
        public long activeTransactionEpoch() {
          return Long.MAX_VALUE;
        }
      }, millis -> {});
  private final RecordKeys<String, String> keys = RecordKeys.create(Map.of(), null, null, new StringSerializer(),
      new StringSerializer());
  private final RewriteGuard<String, String> guard = new RewriteGuard<>(cutover, keys, CLUSTERS);
  private final ClusterEvents onprem = new ClusterEvents(cutover.ledger(0),
      new ClusterBreaker("onprem", "test", new BreakerSettings(false, 50, 4, 4, Duration.ofSeconds(1), 2)),
      new ClusterIdentity("onprem", "test", null, Map.of()), guard, 0);

  @AfterEach
  void close() {
    cutover.close();
  }

  private void install() {
    cutover.install(null, AuthorityMap.parse(Map.of("epoch", "1", "source", "onprem", "target", "cloud",
        "rule.a.topics", "orders,audit", "rule.a.state", "MIRROR",
        "rule.b.topics", "payments", "rule.b.state", "TARGET_AUTHORITY"), CLUSTERS));
  }

  @Test
  void aRewriteToATopicOfAnotherOwnerBecomesARecordTheClientCannotSend() {
    install();
    guard.routing("orders");
    ProducerRecord<Object, Object> out = onprem.intercept(new ProducerRecord<>("payments", "k", "v"));
    guard.done();
    assertThatThrownBy(out::topic).isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining("'orders'").hasMessageContaining("'payments'").hasMessageContaining("'cloud'");
  }

  @Test
  void aRewriteToATopicOfTheSameOwnerIsSentAsIs() {
    install();
    guard.routing("orders");
    ProducerRecord<Object, Object> in = new ProducerRecord<>("audit", "k", "v");
    assertThat(onprem.intercept(in)).isSameAs(in);
    guard.done();
    assertThat(guard.refusal(new ProducerRecord<>("payments", "k", "v"), 0)).as("nothing routed now").isNull();
  }

  @Test
  void aRecordWithItsRoutedTopicPassesUntouched() {
    install();
    guard.routing("orders");
    ProducerRecord<Object, Object> in = new ProducerRecord<>("orders", "k", "v");
    assertThat(onprem.intercept(in)).isSameAs(in);
    guard.done();
  }
}
