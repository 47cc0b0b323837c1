package dev.turnout.drill.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.RoutingConsumer;
import dev.turnout.RoutingProducer;
import dev.turnout.authority.MigrationState;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.TwoClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clusters the test starts itself (standing in for Testcontainers-managed brokers), named to the extension by the
 * system properties of the external path, with replication of its own: the extension starts nothing and the drill
 * runs on them.
 */
@TurnoutDrill
class ExternalClustersIT {

  private static TwoClusters own;
  private static InProcessMirrorMaker mirror;
  private static Path sourceSettings;

  @BeforeAll
  static void startOwnClusters() throws Exception {
    own = TwoClusters.start();
    own.createTopic("ext-orders", 2);
    mirror = InProcessMirrorMaker.builder(own).topics("ext-.*").start();
    sourceSettings = Files.createTempFile("drill-source", ".properties");
    Files.writeString(sourceSettings, "# the source's client settings\nclient.dns.lookup=use_all_dns_ips\n");
    System.setProperty(DrillClusters.SOURCE_BOOTSTRAP, own.source().bootstrapServers());
    System.setProperty(DrillClusters.TARGET_BOOTSTRAP, own.target().bootstrapServers());
    System.setProperty(DrillClusters.SOURCE_CONFIG, sourceSettings.toString());
  }

  @AfterAll
  static void stopOwnClusters(DrillClusters clusters) throws Exception {
    List.of(DrillClusters.SOURCE_BOOTSTRAP, DrillClusters.TARGET_BOOTSTRAP, DrillClusters.SOURCE_CONFIG)
        .forEach(System::clearProperty);
    clusters.close();
    mirror.close();
    own.close();
    Files.deleteIfExists(sourceSettings);
  }

  @Test
  void theExtensionUsesTheClustersNamedByTheSystemPropertiesAndStartsNone(DrillClusters clusters)
      throws Exception {
    assertThat(clusters.embedded()).isFalse();
    assertThat(clusters.sourceBootstrap()).isEqualTo(own.source().bootstrapServers());
    assertThat(clusters.targetBootstrap()).isEqualTo(own.target().bootstrapServers());
    assertThat(clusters.sourceConfig()).containsEntry("client.dns.lookup", "use_all_dns_ips");
    assertThat(clusters.routingConfig("c")).containsEntry("turnout.cluster.source.client.dns.lookup",
        "use_all_dns_ips");

    DrillResult result = Drill.on(clusters)
        .topic("ext-orders", 2)
        .producer(config -> new RoutingProducer<>(config, new StringSerializer(), new StringSerializer()),
            n -> new ProducerRecord<>("ext-orders", "k-" + n % 20, "order " + n))
        .consumer(config -> new RoutingConsumer<>(config, new StringDeserializer(), new StringDeserializer()),
            record -> { })
        .step(MigrationState.MIRROR)
        .step(MigrationState.WRITE_PROMOTION, 100)
        .step(MigrationState.TARGET_AUTHORITY)
        .stepDuration(Duration.ofSeconds(4))
        .run();
    System.out.println(result);

    result.assertAllHeld();
    assertThat(result.acknowledged()).isGreaterThan(200);
    assertThat(result.flips()).extracting(f -> f.epoch()).containsExactly(2L, 3L);
    // clusters named again (a later run on the same clusters) go on from the highest epoch on the control topic
    try (DrillClusters again = DrillClusters.external(own.source().clientConfig(), own.target().clientConfig())) {
      assertThat(again.nextEpoch()).isEqualTo(4);
      assertThat(again.publish("ext-orders", MigrationState.MIRROR, 0)).isEqualTo(4);
    }
    // the control and status topics were created on the test's own clusters
    assertThat(own.source().admin().listTopics().names().get()).contains(DrillClusters.CONTROL_TOPIC);
    assertThat(own.target().admin().listTopics().names().get()).contains(DrillClusters.STATUS_TOPIC);
  }
}
