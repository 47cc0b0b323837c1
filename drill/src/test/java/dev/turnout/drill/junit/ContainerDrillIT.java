package dev.turnout.drill.junit;

import dev.turnout.RoutingConsumer;
import dev.turnout.RoutingProducer;
import dev.turnout.authority.MigrationState;
import java.time.Duration;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The drill on two Apache Kafka containers with MirrorMaker 2 between them, where a Docker engine answers; skipped
 * (aborted by {@link ContainerClusters}) where none does, as on this project's build machines.
 */
@TurnoutDrill(clusters = ContainerClusters.class)
class ContainerDrillIT {

  @Test
  void aPromotionARollbackAndTheCutoverHoldOnContainers(DrillClusters clusters) throws Exception {
    Drill.on(clusters)
        .topic("container-orders", 3)
        .producer(config -> new RoutingProducer<>(config, new StringSerializer(), new StringSerializer()),
            n -> new ProducerRecord<>("container-orders", "k-" + n % 50, "v-" + n))
        .consumer(config -> new RoutingConsumer<>(config, new StringDeserializer(), new StringDeserializer()),
            record -> { })
        .step(MigrationState.MIRROR)
        .step(MigrationState.WRITE_PROMOTION, 50)
        .step(MigrationState.DUAL_READ)
        .step(MigrationState.TARGET_AUTHORITY)
        .stepDuration(Duration.ofSeconds(5))
        .run()
        .assertAllHeld();
  }
}
