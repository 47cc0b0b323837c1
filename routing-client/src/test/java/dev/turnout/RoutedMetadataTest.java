package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.internal.producer.QueuedFuture;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which cluster took a write: {@link RoutedCallback} and {@link RoutingProducer#sendRouted} name the alias for
 * direct sends, sends released from a cutover barrier and sends inside transactions.
 */
class RoutedMetadataTest {

  private static final String HEAD = "source=onprem\ntarget=cloud\n";
  private static final String ORDERS_ON_PREM = "epoch=1\n" + HEAD + "rule.o.topics=orders\nrule.o.state=MIRROR\n"
      + "rule.p.topics=payments\nrule.p.state=TARGET_AUTHORITY\n";

  private final MockProducer<String, String> cloud = mock(true);
  private RoutingProducer<String, String> producer;

  private static MockProducer<String, String> mock(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new StringSerializer(), new StringSerializer());
  }

  private RoutingProducer<String, String> build(MapAuthoritySource source, MockProducer<String, String> onprem,
      String transactionalId) {
    Map<String, Object> configs = new HashMap<>();
    configs.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    configs.put(TurnoutConfig.AUTHORITY_SOURCE, source);
    configs.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 50);
    configs.put(TurnoutConfig.CUTOVER_BARRIER, "drained");
    if (transactionalId != null) {
      configs.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    }
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

  /** A RoutedCallback that keeps what it was called with. */
  private static final class Seen implements RoutedCallback {
    final CompletableFuture<RoutedMetadata> metadata = new CompletableFuture<>();
    final AtomicReference<Exception> error = new AtomicReference<>();

    @Override
    public void onCompletion(RoutedMetadata m, Exception e) {
      error.set(e);
      metadata.complete(m);
    }
  }

  @Test
  void aDirectSendNamesTheClusterInTheCallbackAndTheFuture() throws Exception {
    build(new MapAuthoritySource(ORDERS_ON_PREM), mock(true), null);
    Seen orders = new Seen();
    RecordMetadata plain = producer.send(new ProducerRecord<>("orders", "k", "v"), orders).get();
    RoutedMetadata payments = producer.sendRouted(new ProducerRecord<>("payments", "k", "v")).get(5, TimeUnit.SECONDS);

    RoutedMetadata seen = orders.metadata.get(5, TimeUnit.SECONDS);
    assertThat(orders.error.get()).isNull();
    assertThat(seen.cluster()).isEqualTo("onprem");
    assertThat(seen.topic()).isEqualTo("orders");
    assertThat(seen.offset()).isEqualTo(plain.offset());
    assertThat(seen.partition()).isEqualTo(plain.partition());
    assertThat(seen.toString()).startsWith("onprem:orders-");
    assertThat(payments.cluster()).isEqualTo("cloud");
    assertThat(payments.metadata().topic()).isEqualTo("payments");
    assertThat(payments.hasOffset()).isTrue();
  }

  @Test
  void aSendReleasedFromACutoverBarrierNamesTheNewOwner() throws Exception {
    CountDownLatch flushMayEnd = new CountDownLatch(1);
    MockProducer<String, String> slowOnprem = new MockProducer<>(false, null, new StringSerializer(),
        new StringSerializer()) {
      @Override
      public void flush() {
        try {
          flushMayEnd.await(); // the barrier's drain stage holds until the test has queued its sends
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.flush();
      }
    };
    MapAuthoritySource source = new MapAuthoritySource(ORDERS_ON_PREM);
    build(source, slowOnprem, null);
    Seen first = new Seen();
    producer.send(new ProducerRecord<>("orders", "k", "first"), first);
    source.set(ORDERS_ON_PREM.replace("epoch=1", "epoch=2")
        .replace("rule.o.state=MIRROR", "rule.o.state=TARGET_AUTHORITY"));
    await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == 2);

    Seen second = new Seen();
    Future<RecordMetadata> queued = producer.send(new ProducerRecord<>("orders", "k", "second"), second);
    CompletableFuture<RoutedMetadata> third = producer.sendRouted(new ProducerRecord<>("orders", "k", "third"));

    assertThat(queued).as("the send waited at the barrier").isInstanceOf(QueuedFuture.class);
    assertThat(queued).isNotDone();
    flushMayEnd.countDown();
    assertThat(first.metadata.get(10, TimeUnit.SECONDS).cluster()).isEqualTo("onprem");
    RoutedMetadata released = second.metadata.get(10, TimeUnit.SECONDS);
    assertThat(released.cluster()).isEqualTo("cloud");
    assertThat(queued.get(10, TimeUnit.SECONDS).offset()).isEqualTo(released.offset());
    assertThat(third.get(10, TimeUnit.SECONDS).cluster()).isEqualTo("cloud");
    assertThat(cloud.history()).extracting(ProducerRecord::value).containsExactly("second", "third");
  }

  @Test
  void aTransactionalSendNamesTheClusterTheTransactionIsBoundTo() throws Exception {
    MockProducer<String, String> onprem = mock(true);
    build(new MapAuthoritySource(ORDERS_ON_PREM), onprem, "tx");
    producer.initTransactions();
    producer.beginTransaction();
    Seen seen = new Seen();
    producer.send(new ProducerRecord<>("orders", "k", "v"), seen);
    RoutedMetadata routed = producer.sendRouted(new ProducerRecord<>("orders", "k", "w")).get(5, TimeUnit.SECONDS);
    producer.commitTransaction();

    assertThat(seen.metadata.get(5, TimeUnit.SECONDS).cluster()).isEqualTo("onprem");
    assertThat(routed.cluster()).isEqualTo("onprem");
    assertThat(onprem.transactionCommitted()).isTrue();
  }

  @Test
  void aRefusedSendNamesNoCluster() throws Exception {
    build(new MapAuthoritySource(ORDERS_ON_PREM), mock(true), null);
    Seen seen = new Seen();
    producer.send(new ProducerRecord<>("unknown", "k", "v"), seen);
    CompletableFuture<RoutedMetadata> refused = producer.sendRouted(new ProducerRecord<>("unknown", "k", "v"));

    assertThat(seen.metadata.get(5, TimeUnit.SECONDS).cluster()).isNull();
    assertThat(seen.error.get()).isInstanceOf(OwnershipAmbiguousException.class);
    assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(OwnershipAmbiguousException.class);
  }
}
