package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.internal.cutover.BarrierFailure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A routing producer over {@link MockProducer}s supplied per cluster: routing, refusals, headers, barriers
 * and transactions without a broker.
 */
class RoutingProducerMockTest {

  private static final String HEAD = "source=onprem\ntarget=cloud\n";
  private static final String ORDERS_ON_PREM = "epoch=1\n" + HEAD + "rule.o.topics=orders\nrule.o.state=MIRROR\n"
      + "rule.p.topics=payments\nrule.p.state=TARGET_AUTHORITY\n";

  private final MockProducer<String, String> onprem = mock(true);
  private final MockProducer<String, String> cloud = mock(true);
  private RoutingProducer<String, String> producer;

  private static MockProducer<String, String> mock(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new StringSerializer(), new StringSerializer());
  }

  private static Map<String, Object> configs(MapAuthoritySource source) {
    Map<String, Object> configs = new HashMap<>();
    configs.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    configs.put(TurnoutConfig.AUTHORITY_SOURCE, source);
    configs.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 50);
    configs.put(TurnoutConfig.CUTOVER_BARRIER, "drained");
    return configs;
  }

  private RoutingProducer<String, String> build(Map<String, Object> configs, MockProducer<String, String> onprem,
      MockProducer<String, String> cloud) {
    producer = RoutingProducer.<String, String>builder(configs)
        .serializers(new StringSerializer(), new StringSerializer())
        .client("onprem", onprem)
        .client("cloud", cloud)
        .build();
    return producer;
  }

  @AfterEach
  void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }

  private static String header(ProducerRecord<?, ?> record, String key) {
    return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  @Test
  void sendsGoToTheOwnersClientWithProvenanceHeaders() throws Exception {
    build(configs(new MapAuthoritySource(ORDERS_ON_PREM)), onprem, cloud);
    RecordMetadata orders = producer.send(new ProducerRecord<>("orders", "k", "v")).get();
    producer.send(new ProducerRecord<>("payments", "k", "v")).get();
    assertThat(orders.topic()).isEqualTo("orders");
    assertThat(onprem.history()).extracting(ProducerRecord::topic).containsExactly("orders");
    assertThat(cloud.history()).extracting(ProducerRecord::topic).containsExactly("payments");
    assertThat(header(onprem.history().get(0), "turnout.route")).contains("onprem").contains("1");
    assertThat(onprem.history().get(0).headers().lastHeader("turnout.id")).isNotNull();
    assertThat(producer.epoch()).isEqualTo(1);
  }

  @Test
  void aRefusedSendIsWrittenNowhereAndReportedThroughTheFutureAndCallback() {
    build(configs(new MapAuthoritySource(ORDERS_ON_PREM)), onprem, cloud);
    AtomicReference<Exception> called = new AtomicReference<>();
    Future<RecordMetadata> future = producer.send(new ProducerRecord<>("unknown", "k", "v"),
        (metadata, error) -> called.set(error));
    assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(OwnershipAmbiguousException.class).hasMessageContaining("unknown");
    assertThat(((OwnershipAmbiguousException) called.get()).reason())
        .isEqualTo(OwnershipAmbiguousException.Reason.NO_MATCHING_RULE);
    assertThat(onprem.history()).isEmpty();
    assertThat(cloud.history()).isEmpty();
    assertThat(producer.recentRefusals()).hasSize(1);
  }

  @Test
  void keySlicesGoToTheirOwners() throws Exception {
    String doc = "epoch=1\n" + HEAD + "rule.o.topics=orders\nrule.o.state=WRITE_PROMOTION\n"
        + "rule.o.slice.a.keys=0-4999\nrule.o.slice.a.owner=cloud\nrule.o.slice.b.keys=5000-9999\n"
        + "rule.o.slice.b.owner=onprem\n";
    build(configs(new MapAuthoritySource(doc)), onprem, cloud);
    for (int i = 0; i < 100; i++) {
      producer.send(new ProducerRecord<>("orders", "key-" + i, "v")).get();
    }
    assertThat(onprem.history()).isNotEmpty();
    assertThat(cloud.history()).isNotEmpty();
    assertThat(onprem.history().size() + cloud.history().size()).isEqualTo(100);
    onprem.history().forEach(r -> assertThat(header(r, "turnout.route")).contains("onprem"));
    cloud.history().forEach(r -> assertThat(header(r, "turnout.route")).contains("cloud"));
  }

  @Test
  void aMovedTopicWaitsForTheOldOwnersRecordsThenGoesToTheNewOwner() throws Exception {
    MockProducer<String, String> slowOnprem = mock(false);
    MapAuthoritySource source = new MapAuthoritySource(ORDERS_ON_PREM);
    build(configs(source), slowOnprem, cloud);
    Future<RecordMetadata> first = producer.send(new ProducerRecord<>("orders", "k", "first"));
    source.set(ORDERS_ON_PREM.replace("epoch=1", "epoch=2").replace("rule.o.state=MIRROR", "rule.o.state=TARGET_AUTHORITY"));
    await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == 2);
    Future<RecordMetadata> second = producer.send(new ProducerRecord<>("orders", "k", "second"));
    await().atMost(Duration.ofSeconds(10)).until(second::isDone);
    assertThat(first.isDone()).as("the barrier flushed the old owner first").isTrue();
    assertThat(slowOnprem.flushed()).isTrue();
    assertThat(second.get().topic()).isEqualTo("orders");
    assertThat(cloud.history()).extracting(ProducerRecord::value).containsExactly("second");
  }

  @Test
  void aFailedCommitLeavesTheTransactionOpenSoItCanBeAborted() throws Exception {
    Map<String, Object> configs = configs(new MapAuthoritySource(ORDERS_ON_PREM));
    configs.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx");
    build(configs, onprem, cloud);
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>("orders", "k", "v")).get();
    onprem.commitTransactionException = new TimeoutException("commit timed out");
    assertThatThrownBy(producer::commitTransaction).isInstanceOf(TimeoutException.class);
    onprem.commitTransactionException = null;
    producer.abortTransaction();
    assertThat(onprem.transactionAborted()).isTrue();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>("orders", "k", "again")).get();
    producer.commitTransaction();
    assertThat(onprem.transactionCommitted()).isTrue();
  }

  @Test
  void aFailedCommitCanBeRetried() throws Exception {
    Map<String, Object> configs = configs(new MapAuthoritySource(ORDERS_ON_PREM));
    configs.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx");
    build(configs, onprem, cloud);
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>("orders", "k", "v")).get();
    onprem.commitTransactionException = new TimeoutException("commit timed out");
    assertThatThrownBy(producer::commitTransaction).isInstanceOf(TimeoutException.class);
    onprem.commitTransactionException = null;
    producer.commitTransaction();
    assertThat(onprem.transactionCommitted()).isTrue();
    assertThatThrownBy(producer::commitTransaction).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No transaction in progress");
  }

  private static double metric(RoutingProducer<?, ?> producer, String name) {
    return producer.metrics().entrySet().stream()
        .filter(e -> e.getKey().group().equals("turnout") && e.getKey().name().equals(name))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
  }

  @Test
  void aCutoverWaitsForATransactionWhoseCommitFailedUntilItIsAborted() throws Exception {
    MapAuthoritySource source = new MapAuthoritySource(ORDERS_ON_PREM);
    Map<String, Object> configs = configs(source);
    configs.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx");
    build(configs, onprem, cloud);
    MockProducer<String, String> controlOnprem = mock(true);
    try (RoutingProducer<String, String> control = RoutingProducer.<String, String>builder(configs)
        .serializers(new StringSerializer(), new StringSerializer())
        .client("onprem", controlOnprem).client("cloud", mock(true)).build()) {
      for (RoutingProducer<String, String> p : List.of(producer, control)) {
        p.initTransactions();
        p.beginTransaction();
        p.send(new ProducerRecord<>("orders", "k", "v")).get();
      }
      control.commitTransaction();
      onprem.commitTransactionException = new TimeoutException("commit timed out");
      assertThatThrownBy(producer::commitTransaction).isInstanceOf(TimeoutException.class);

      source.set(ORDERS_ON_PREM.replace("epoch=1", "epoch=2").replace("rule.o.state=MIRROR", "rule.o.state=TARGET_AUTHORITY"));
      await().atMost(Duration.ofSeconds(10)).until(() -> metric(control, "cutover-barriers-total") == 1
          && metric(control, "cutovers-pending") == 0);
      assertThat(controlOnprem.flushed()).as("the control's cutover flushed its old owner").isTrue();
      assertThat(producer.epoch()).isEqualTo(2);
      assertThat(metric(producer, "cutovers-pending")).as("still waiting for the open transaction").isEqualTo(1);
      assertThat(metric(producer, "cutover-barriers-total")).as("no barrier checks the old owner while the commit "
          + "may still land").isZero();

      onprem.commitTransactionException = null;
      producer.abortTransaction();
      await().atMost(Duration.ofSeconds(10)).until(() -> metric(producer, "cutovers-pending") == 0);
      assertThat(metric(producer, "cutover-barriers-total")).isEqualTo(1);
    }
  }

  @Test
  void aTransactionThatCannotBeginOnItsClusterFailsTheSendThroughItsFuture() {
    Map<String, Object> configs = configs(new MapAuthoritySource(ORDERS_ON_PREM));
    configs.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx");
    build(configs, onprem, cloud);
    onprem.initTransactionException = new IllegalStateException("not ready");
    producer.initTransactions();
    producer.beginTransaction();
    AtomicReference<Exception> called = new AtomicReference<>();
    Future<RecordMetadata> future = producer.send(new ProducerRecord<>("orders", "k", "v"),
        (metadata, error) -> called.set(error));
    assertThatThrownBy(future::get).cause().isInstanceOf(KafkaException.class).hasMessageContaining("not ready");
    assertThat(called.get()).isInstanceOf(KafkaException.class);
    assertThat(onprem.history()).isEmpty();
  }

  @Test
  void suppliedClientsWithoutBootstrapServersNeedTheDrainedBarrier() {
    Map<String, Object> configs = configs(new MapAuthoritySource(ORDERS_ON_PREM));
    configs.remove(TurnoutConfig.CUTOVER_BARRIER);
    assertThatThrownBy(() -> build(configs, onprem, cloud)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("turnout.cutover.barrier=drained");
  }

  @Test
  void aClientForAnUndeclaredClusterIsRefused() {
    assertThatThrownBy(() -> RoutingProducer.<String, String>builder(configs(new MapAuthoritySource(ORDERS_ON_PREM)))
        .serializers(new StringSerializer(), new StringSerializer())
        .client("onprem", onprem).client("cloud", cloud).client("elsewhere", mock(true)).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("elsewhere");
  }

  @Test
  void closingTheProducerClosesTheSuppliedClients() {
    build(configs(new MapAuthoritySource(ORDERS_ON_PREM)), onprem, cloud);
    producer.send(new ProducerRecord<>("orders", "k", "v"));
    producer.close();
    assertThat(onprem.closed()).isTrue();
  }

  @Test
  void recordsStoppedByCloseSayTheProducerClosedNotThatABarrierTimedOut() {
    Refusals refusals = new Refusals("test", null, 2, new Listeners("test"));
    KafkaException closed = refusals.barrierError(new BarrierFailure(BarrierFailure.Kind.CLOSED, "orders", 2,
        "The producer was closed while the record waited"));
    assertThat(closed).isNotInstanceOf(OwnershipAmbiguousException.class).hasMessageContaining("closed");
    KafkaException timeout = refusals.barrierError(new BarrierFailure(BarrierFailure.Kind.TIMEOUT, "orders", 2, "late"));
    assertThat(((OwnershipAmbiguousException) timeout).reason())
        .isEqualTo(OwnershipAmbiguousException.Reason.CUTOVER_BARRIER_TIMEOUT);
  }

  @Test
  void aRecordWaitingAtABarrierWhenTheProducerClosesFailsAsClosed() {
    MockProducer<String, String> stuckOnprem = mock(false);
    stuckOnprem.flushException = new KafkaException("cannot flush");
    MapAuthoritySource source = new MapAuthoritySource(ORDERS_ON_PREM);
    Map<String, Object> configs = configs(source);
    configs.put(TurnoutConfig.CUTOVER_MAX_PAUSE_MS, 60_000);
    build(configs, stuckOnprem, cloud);
    producer.send(new ProducerRecord<>("orders", "k", "first"));
    source.set(ORDERS_ON_PREM.replace("epoch=1", "epoch=2").replace("rule.o.state=MIRROR", "rule.o.state=TARGET_AUTHORITY"));
    await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == 2);
    Future<RecordMetadata> waiting = producer.send(new ProducerRecord<>("orders", "k", "second"));
    assertThat(waiting.isDone()).isFalse();
    producer.close(Duration.ZERO);
    assertThat(waiting).isDone();
    assertThatThrownBy(waiting::get).cause().isInstanceOf(KafkaException.class)
        .isNotInstanceOf(OwnershipAmbiguousException.class).hasMessageContaining("closed");
    assertThat(cloud.history()).isEmpty();
  }
}
