package dev.turnout.internal.consumer;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Builds the switch worker's own clients for a cluster: a group-less consumer of raw records (the boundary
 * search) and an Admin client (the group's commits and members). Each gets the configuration the worker
 * derives from the cluster's client configuration. The seam lets tests give the worker
 * {@code MockConsumer}s and {@code MockAdminClient}s.
 */
public interface SwitchClients {

  /**
   * @param config the reader's configuration ({@link ClusterReader#readerConfig}): no group, byte deserializers
   */
  Consumer<byte[], byte[]> reader(String alias, Map<String, Object> config);

  /** @param config the Admin configuration ({@link GroupOffsets#adminConfig}) */
  Admin admin(String alias, Map<String, Object> config);

  /** Real Kafka clients. */
  static SwitchClients kafka() {
    return new SwitchClients() {
      @Override
      public Consumer<byte[], byte[]> reader(String alias, Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      }

      @Override
      public Admin admin(String alias, Map<String, Object> config) {
        return Admin.create(config);
      }
    };
  }
}
