package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.spring.TurnoutClients;
import dev.turnout.spring.TurnoutConsumerFactory;
import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A {@code @KafkaListener} keeps processing across a read-authority switch: with MirrorMaker 2 copying onprem
 * to cloud, the Environment moves a topic to TARGET_AUTHORITY and the listener, whose container Turnout's
 * consumer factory feeds, processes every record exactly once, from onprem before and from cloud after.
 * Producers keep the default replicated cutover barrier: MirrorMaker 2 replicates what they wrote to onprem.
 */
@TwoKafkaClusters
@SpringBootTest(classes = TurnoutKafkaListenerIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.consumer.key-deserializer=org.apache.kafka.common.serialization.StringDeserializer",
        "spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.StringDeserializer",
        "spring.kafka.consumer.group-id=listener-group",
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "turnout.consumer.boundary-timeout=20s",
        "turnout.authority.refresh-interval=100ms",
        "turnout.authority.epoch=1",
        "turnout.authority.source=onprem",
        "turnout.authority.target=cloud",
        "turnout.authority.rule.events.topics=events",
        "turnout.authority.rule.events.state=MIRROR",
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TurnoutKafkaListenerIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;
  private static InProcessMirrorMaker mirrorMaker;

  @Autowired
  KafkaTemplate<String, String> template;
  @Autowired
  ConsumerFactory<?, ?> consumerFactory;
  @Autowired
  ConfigurableEnvironment environment;
  @Autowired
  Received received;
  @Autowired
  TurnoutClients clients;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("events", 3);
    mirrorMaker = InProcessMirrorMaker.builder(clusters).aliases("onprem", "cloud").topics("events")
        .groups("listener-group").start();
  }

  @AfterAll
  static void stopMirrorMaker() {
    mirrorMaker.close();
  }

  @DynamicPropertySource
  static void bootstrap(DynamicPropertyRegistry registry) {
    registry.add("turnout.clusters.onprem.bootstrap-servers", () -> onprem.bootstrapServers());
    registry.add("turnout.clusters.cloud.bootstrap-servers", () -> cloud.bootstrapServers());
  }

  /** The values the listener processed, in order. */
  static final class Received {
    final List<String> values = new CopyOnWriteArrayList<>();

    @KafkaListener(topics = "events")
    void onEvent(ConsumerRecord<String, String> record) {
      values.add(record.value());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    @Bean
    Received received() {
      return new Received();
    }
  }

  @Test
  void theListenerProcessesEveryRecordOnceAcrossTheSwitch() throws Exception {
    assertThat(consumerFactory).isInstanceOf(TurnoutConsumerFactory.class);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("before-" + i);
      template.send("events", "k" + (i % 7), "before-" + i).get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> received.values.size() >= 50);

    environment.getPropertySources().addFirst(new MapPropertySource("flip", Map.of(
        "turnout.authority.epoch", "2", "turnout.authority.rule.events.state", "TARGET_AUTHORITY")));
    // Writes go to cloud once the producers route by epoch 2; the listener's consumer moves its reads itself.
    await().atMost(Duration.ofSeconds(10)).until(() -> clients.producers().stream().allMatch(p -> p.epoch() == 2));
    for (int i = 0; i < 50; i++) {
      expected.add("after-" + i);
      template.send("events", "k" + (i % 7), "after-" + i).get(10, TimeUnit.SECONDS);
    }

    await().atMost(Duration.ofSeconds(60)).until(() -> received.values.containsAll(expected));
    Thread.sleep(1000); // a duplicate would arrive right behind the last record
    assertThat(received.values).containsExactlyInAnyOrderElementsOf(expected);
  }
}
