package dev.turnout.spring.autoconfigure;

import static dev.turnout.spring.autoconfigure.Clusters.committedKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.AuthorityMonitor;
import dev.turnout.OwnershipAmbiguousException;
import dev.turnout.spring.TurnoutClients;
import dev.turnout.testkit.KafkaTestCluster;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.transaction.KafkaTransactionManager;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring Boot's KafkaTransactionManager, built on Turnout's producer factory, commits each transaction on the
 * cluster that owns its writes, follows a flip at the next transaction, and rolls back a transaction that
 * would span two clusters.
 */
@TwoKafkaClusters
@SpringBootTest(classes = TurnoutTransactionsIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
        "spring.kafka.producer.transaction-id-prefix=orders-tx-",
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.properties.max.block.ms=10000",
        // Nothing replicates onprem to cloud here: a moved slice waits only for its acknowledgements.
        "turnout.cutover.barrier=drained",
        "turnout.authority.refresh-interval=100ms",
        "turnout.authority.epoch=1",
        "turnout.authority.source=onprem",
        "turnout.authority.target=cloud",
        "turnout.authority.rule.tx.topics=tx",
        "turnout.authority.rule.tx.state=MIRROR",
        "turnout.authority.rule.moved.topics=moved",
        "turnout.authority.rule.moved.state=TARGET_AUTHORITY",
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TurnoutTransactionsIT {

  private static KafkaTestCluster onprem;
  private static KafkaTestCluster cloud;

  @Autowired
  KafkaTemplate<String, String> template;
  @Autowired
  KafkaTransactionManager<String, String> transactionManager;
  @Autowired
  ConfigurableEnvironment environment;
  @Autowired
  TurnoutClients clients;
  @Autowired
  @Qualifier(TurnoutAutoConfiguration.MONITOR_BEAN)
  AuthorityMonitor monitor;

  @BeforeAll
  static void clusters(TwoClusters clusters) {
    onprem = clusters.source();
    cloud = clusters.target();
    clusters.createTopic("tx", 2);
    clusters.createTopic("moved", 2);
  }

  @DynamicPropertySource
  static void bootstrap(DynamicPropertyRegistry registry) {
    registry.add("turnout.clusters.onprem.bootstrap-servers", () -> onprem.bootstrapServers());
    registry.add("turnout.clusters.cloud.bootstrap-servers", () -> cloud.bootstrapServers());
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @Test
  void transactionsCommitOnTheOwnerFollowFlipsAndNeverSpanClusters() throws Exception {
    assertThat(transactionManager.getProducerFactory()).isSameAs(template.getProducerFactory());
    TransactionTemplate transactions = new TransactionTemplate(transactionManager);

    transactions.executeWithoutResult(status -> send("tx", "t1"));
    assertThat(committedKeys(onprem, "tx")).containsExactly("t1");
    assertThat(committedKeys(cloud, "tx")).isEmpty();

    // A transaction that writes to topics owned by two clusters is refused at the second send and rolled back.
    assertThatThrownBy(() -> transactions.executeWithoutResult(status -> {
      send("tx", "split-a");
      send("moved", "split-b");
    })).hasRootCauseInstanceOf(OwnershipAmbiguousException.class)
        .rootCause().hasMessageContaining("transaction cannot span clusters");
    assertThat(committedKeys(onprem, "tx")).containsExactly("t1");
    assertThat(committedKeys(cloud, "moved")).isEmpty();

    environment.getPropertySources().addFirst(new MapPropertySource("flip", Map.of(
        "turnout.authority.epoch", "2", "turnout.authority.rule.tx.state", "TARGET_AUTHORITY")));
    await().atMost(Duration.ofSeconds(10)).until(() -> monitor.map().epoch() == 2
        && clients.producers().stream().allMatch(p -> p.epoch() == 2));

    transactions.executeWithoutResult(status -> {
      send("tx", "t2");
      send("moved", "m2");
    });
    assertThat(committedKeys(cloud, "tx")).containsExactly("t2");
    assertThat(committedKeys(cloud, "moved")).containsExactly("m2");
    assertThat(committedKeys(onprem, "tx")).containsExactly("t1");
  }

  private void send(String topic, String key) {
    try {
      template.send(topic, key, "v").get(10, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
