package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.OwnershipAmbiguousException.Reason;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.SingleKafkaCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A control cluster that goes down after the client read its document: the map in force keeps routing until
 * the cluster has not answered for the tail's bound and no refresh has succeeded for the maximum staleness, then
 * routing fails closed with the reason; once the cluster is back, routing resumes. A real in-process KRaft broker
 * is stopped and started.
 */
@SingleKafkaCluster
class ControlClusterOutageIT {

  @Test
  void routingFailsClosedWhileTheControlClusterIsDownAndResumesWhenItIsBack(KafkaTestCluster control)
      throws Exception {
    control.admin().createTopics(List.of(new NewTopic("turnout-control-outage", 1, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
    Map<String, Object> publisher = control.clientConfig();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(publisher, new StringSerializer(),
        new StringSerializer())) {
      producer.send(new ProducerRecord<>("turnout-control-outage", "authority",
          "epoch=1\nsource=onprem\ntarget=cloud\nrule.r.topics=orders\nrule.r.state=MIRROR\n")).get(10, TimeUnit.SECONDS);
    }
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", "localhost:1");
    config.put("turnout.cluster.cloud.bootstrap.servers", "localhost:2");
    config.put(TurnoutConfig.AUTHORITY_TOPIC, "turnout-control-outage");
    config.put(TurnoutConfig.AUTHORITY_TOPIC_BOOTSTRAP_SERVERS, control.bootstrapServers());
    config.put("turnout.authority.topic.default.api.timeout.ms", 1_000);
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, 300L);
    config.put(TurnoutConfig.AUTHORITY_MAX_STALENESS_MS, 3_000L);
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());
    config.put("client.id", "outage");

    try (RoutingProducer<String, String> producer = new RoutingProducer<>(config)) {
      assertThat(producer.epoch()).isEqualTo(1);
      assertThat(producer.failingClosed()).isFalse();

      control.stopBroker();
      try {
        long stopped = System.nanoTime();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).until(producer::failingClosed);
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).as("the tail's bound (5 s + 2 x 1 s), then the "
            + "maximum staleness (3 s)").isGreaterThan(Duration.ofSeconds(7));
        var refused = producer.send(new ProducerRecord<>("orders", "k", "v"));
        ExecutionException e = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
            () -> refused.get(5, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOfSatisfying(OwnershipAmbiguousException.class, refusal -> {
          assertThat(refusal.reason()).isEqualTo(Reason.STALE_AUTHORITY_MAP);
          assertThat(refusal.getMessage()).contains("control cluster unreachable: no answer for more than 7000 ms "
              + "while tailing topic turnout-control-outage of cluster " + control.bootstrapServers());
        });
      } finally {
        control.startBroker();
      }
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> !producer.failingClosed());
      assertThat(producer.epoch()).isEqualTo(1);
    }
  }
}
