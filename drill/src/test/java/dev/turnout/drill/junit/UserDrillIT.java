package dev.turnout.drill.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.RoutingConsumer;
import dev.turnout.RoutingProducer;
import dev.turnout.authority.MigrationState;
import dev.turnout.drill.ReconcileMode;
import dev.turnout.drill.check.Finding;
import dev.turnout.drill.check.Invariants;
import dev.turnout.drill.plan.Flip;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The extension used as a user would: embedded clusters injected, the user's own producer and consumer code (a
 * value type of its own with its own serializer, processing into a ledger) walked through a promotion, a
 * rollback and the cutover.
 */
@TurnoutDrill
class UserDrillIT {

  /** The user's value type. */
  record Order(long id, String customer) {}

  /** The user's serializer: 8 bytes of id, then the customer's UTF-8 bytes. */
  static final class OrderSerializer implements Serializer<Order> {
    @Override
    public byte[] serialize(String topic, Order order) {
      byte[] customer = order.customer().getBytes(StandardCharsets.UTF_8);
      return ByteBuffer.allocate(8 + customer.length).putLong(order.id()).put(customer).array();
    }
  }

  static final class OrderDeserializer implements Deserializer<Order> {
    @Override
    public Order deserialize(String topic, byte[] data) {
      ByteBuffer b = ByteBuffer.wrap(data);
      long id = b.getLong();
      return new Order(id, new String(data, 8, data.length - 8, StandardCharsets.UTF_8));
    }
  }

  private static Drill orders(DrillClusters clusters, String topic, Map<Long, Order> ledger) {
    return Drill.on(clusters)
        .topic(topic, 3)
        .producer(config -> new RoutingProducer<>(config, new StringSerializer(), new OrderSerializer()),
            n -> new ProducerRecord<>(topic, "customer-" + n % 100, new Order(n, "customer-" + n % 100)))
        .consumer(config -> new RoutingConsumer<>(config, new StringDeserializer(), new OrderDeserializer()),
            record -> ledger.put(record.value().id(), record.value()))
        .rate(60);
  }

  @Test
  void aPromotionARollbackAndTheCutoverHoldEveryInvariant(DrillClusters clusters) throws Exception {
    assertThat(clusters.embedded()).isTrue();
    Map<Long, Order> ledger = new ConcurrentHashMap<>();

    DrillResult result = orders(clusters, "user-orders", ledger)
        .step(MigrationState.MIRROR)
        .step(MigrationState.WRITE_PROMOTION, 50)
        .step(MigrationState.DUAL_READ)
        .step(MigrationState.WRITE_PROMOTION, 100)
        .step(MigrationState.TARGET_AUTHORITY)
        .stepDuration(Duration.ofSeconds(6))
        .reconcile(ReconcileMode.AUTO)
        .run();
    System.out.println(result);

    result.assertAllHeld();
    assertThat(result.findings()).hasSize(6).allSatisfy(f -> assertThat(f.checked()).isPositive());
    assertThat(result.acknowledged()).isGreaterThan(500);
    assertThat(result.distinctProcessed()).isEqualTo(result.acknowledged());
    assertThat(ledger).hasSize((int) result.acknowledged());
    assertThat(result.flips()).extracting(Flip::rollback).containsExactly(false, true, false, false);
    assertThat(result.flips().get(1).note()).contains("auto");
  }

  @Test
  void aRollbackNobodyReconcilesFailsTheAssertionNamingTheInvariant(DrillClusters clusters) throws Exception {
    Map<Long, Order> ledger = new ConcurrentHashMap<>();

    DrillResult result = orders(clusters, "user-orders-unreconciled", ledger)
        .step(MigrationState.MIRROR)
        .step(MigrationState.WRITE_PROMOTION, 50)
        .step(MigrationState.DUAL_READ)
        .stepDuration(Duration.ofSeconds(4))
        .reconcile(ReconcileMode.NONE)
        .run();
    System.out.println(result);

    assertThat(result.allHeld()).isFalse();
    assertThat(result.broken()).contains(Invariants.ROLLBACK_ON_SOURCE);
    Finding rollback = result.findings().stream().filter(f -> f.name().equals(Invariants.ROLLBACK_ON_SOURCE))
        .findFirst().orElseThrow();
    assertThat(rollback.violations()).isPositive();
    assertThatThrownBy(result::assertAllHeld).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("Drill of topic 'user-orders-unreconciled': ")
        .hasMessageContaining("BROKEN " + Invariants.ROLLBACK_ON_SOURCE + ": ")
        .hasMessageContaining("before the rollback to epoch");
  }

  @Test
  void aConsumerWhoseInstancesEachTakeTheirOwnGroupProcessesRecordsTwiceAndTheAssertionSaysSo(
      DrillClusters clusters) throws Exception {
    Map<Long, Order> ledger = new ConcurrentHashMap<>();

    DrillResult result = orders(clusters, "user-orders-own-groups", ledger)
        .consumer(config -> {
          config.put("group.id", config.get("client.id")); // the bug: one group per instance
          return new RoutingConsumer<>(config, new StringDeserializer(), new OrderDeserializer());
        }, record -> ledger.put(record.value().id(), record.value()))
        .consumers(2)
        .step(MigrationState.MIRROR)
        .step(MigrationState.DUAL_READ)
        .stepDuration(Duration.ofSeconds(3))
        .run();
    System.out.println(result);

    assertThat(result.broken()).containsExactly(Invariants.DUPLICATE);
    assertThat(result.processings()).isEqualTo(2 * result.distinctProcessed());
    assertThatThrownBy(result::assertAllHeld).isInstanceOf(AssertionError.class)
        .hasMessageContaining("1 invariant(s) broken: " + Invariants.DUPLICATE)
        .hasMessageContaining("processed from 'source'").hasMessageContaining("and again from 'source'");
  }
}
