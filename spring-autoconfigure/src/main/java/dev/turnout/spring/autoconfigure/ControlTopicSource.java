package dev.turnout.spring.autoconfigure;

import dev.turnout.source.KafkaTopicAuthoritySource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

/**
 * The Kafka control topic of {@code turnout.authority.topic}: its cluster is the alias of
 * {@code turnout.authority.topic-cluster} (with that cluster's settings: {@code spring.kafka.*} consumer settings
 * and {@code turnout.clusters.<alias>.properties.*} / {@code .consumer.properties.*}), or the cluster of
 * {@code turnout.authority.topic-bootstrap-servers} with {@code turnout.authority.topic-properties.*} only.
 */
final class ControlTopicSource {

  private ControlTopicSource() {}

  /**
   * @throws InvalidConfigurationPropertyValueException when both or neither cluster properties are set, or the
   *     alias is not declared
   */
  static KafkaTopicAuthoritySource create(KafkaProperties kafka, TurnoutProperties properties) {
    TurnoutProperties.Authority authority = properties.getAuthority();
    String alias = authority.getTopicCluster() == null ? null : authority.getTopicCluster().trim();
    String bootstrap = String.join(",", authority.getTopicBootstrapServers()).trim();
    if ((alias == null) == bootstrap.isEmpty()) {
      throw new InvalidConfigurationPropertyValueException("turnout.authority.topic-cluster", alias,
          alias == null ? "name the cluster of turnout.authority.topic: set turnout.authority.topic-cluster to one of "
              + "turnout.clusters " + properties.getClusters().keySet() + ", or turnout.authority.topic-bootstrap-servers"
              + " (with turnout.authority.topic-properties.* for its security)."
              : "set only one of turnout.authority.topic-cluster and turnout.authority.topic-bootstrap-servers.");
    }
    Map<String, Object> config = new HashMap<>();
    String name;
    if (alias != null) {
      TurnoutProperties.Cluster cluster = properties.getClusters().get(alias);
      if (cluster == null) {
        throw new InvalidConfigurationPropertyValueException("turnout.authority.topic-cluster", alias, "cluster '"
            + alias + "' is not declared in turnout.clusters " + properties.getClusters().keySet() + ".");
      }
      if (!authority.getTopicProperties().isEmpty()) {
        throw new InvalidConfigurationPropertyValueException("turnout.authority.topic-properties", null, "with "
            + "turnout.authority.topic-cluster the client settings are those of cluster '" + alias + "': remove "
            + "turnout.authority.topic-properties, or use turnout.authority.topic-bootstrap-servers.");
      }
      config.putAll(kafka.buildConsumerProperties());
      config.putAll(cluster.getProperties());
      config.putAll(cluster.getConsumer().getProperties());
      String own = String.join(",", cluster.getBootstrapServers()).trim();
      if (!own.isEmpty()) {
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, own);
      }
      name = alias;
    } else {
      config.putAll(authority.getTopicProperties());
      config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      name = bootstrap;
    }
    String clientId = kafka.getClientId() == null ? "turnout" : kafka.getClientId();
    List<String> aliases = List.copyOf(properties.getClusters().keySet());
    return new KafkaTopicAuthoritySource(authority.getTopic().trim(), name, config, aliases,
        TurnoutClientConfigs.trustedKeys(authority), clientId);
  }
}
