package dev.turnout.internal.consumer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link OffsetTranslation#MIRRORMAKER2}: the group's checkpoints that MirrorMaker 2 writes on the target.
 * Loaded only when configured, so {@code connect-mirror-client} stays optional. MirrorMaker's translation
 * lags the commit (by up to {@code offset.lag.max} records near the head, more for older commits, and by the
 * checkpoint interval), so it is a starting point, never the answer.
 */
final class MirrorMakerTranslator implements OffsetTranslator {

  private static final Logger log = LoggerFactory.getLogger(MirrorMakerTranslator.class);
  private static final Duration TRANSLATE_TIMEOUT = Duration.ofSeconds(5);
  private static final long CACHE_NANOS = Duration.ofSeconds(1).toNanos();
  private static final String IDENTITY_POLICY = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy";

  private final String group;
  private final String mm2SourceAlias;
  private final Function<String, Map<String, Object>> clientConfigs;
  private final Checkpoints checkpoints;
  private final Map<String, Cached> cache = new HashMap<>();

  /**
   * @param mm2SourceAlias MirrorMaker's alias of the old cluster; {@code null} to use the Turnout alias
   * @param clientConfigs the client configuration of each Turnout cluster alias
   */
  MirrorMakerTranslator(String group, String mm2SourceAlias, Function<String, Map<String, Object>> clientConfigs) {
    this(group, mm2SourceAlias, clientConfigs, RemoteClusterUtils::translateOffsets);
  }

  /** @param checkpoints reads MirrorMaker's translated offsets of a group (tests give it a fake) */
  MirrorMakerTranslator(String group, String mm2SourceAlias, Function<String, Map<String, Object>> clientConfigs,
      Checkpoints checkpoints) {
    this.group = group;
    this.mm2SourceAlias = mm2SourceAlias;
    this.clientConfigs = clientConfigs;
    this.checkpoints = checkpoints;
  }

  /** {@code RemoteClusterUtils.translateOffsets}. */
  interface Checkpoints {
    Map<TopicPartition, OffsetAndMetadata> translate(Map<String, Object> mirrorClientConfig, String remoteAlias,
        String group, Duration timeout) throws Exception;
  }

  @Override
  public OptionalLong translate(TopicPartition tp, long fromOffset, RecordIdentity anchor, String fromAlias,
      String toAlias, boolean forward, ClusterReader to) {
    if (!forward || group == null) {
      return OptionalLong.empty();
    }
    String remote = mm2SourceAlias != null ? mm2SourceAlias : fromAlias;
    String key = toAlias + "/" + remote;
    Cached cached = cache.get(key);
    long now = System.nanoTime();
    if (cached == null || now - cached.readAt > CACHE_NANOS) {
      Map<TopicPartition, OffsetAndMetadata> offsets;
      try {
        offsets = checkpoints.translate(mirrorClientConfig(clientConfigs.apply(toAlias)), remote, group,
            TRANSLATE_TIMEOUT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return OptionalLong.empty();
      } catch (Exception e) {
        log.warn("Cannot read MirrorMaker 2 checkpoints of group '{}' from '{}' on cluster '{}' ({}); searching "
            + "the boundary from the last processed record's timestamp instead", group, remote, toAlias, e.toString());
        return OptionalLong.empty();
      }
      cached = new Cached(offsets, now);
      cache.put(key, cached);
    }
    OffsetAndMetadata translated = cached.offsets.get(tp);
    return translated == null ? OptionalLong.empty() : OptionalLong.of(translated.offset());
  }

  /** The connection settings (and the identity replication policy: Turnout topics keep their names). */
  static Map<String, Object> mirrorClientConfig(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>();
    clientConfig.forEach((k, v) -> {
      if (k.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) || k.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
          || k.startsWith("ssl.") || k.startsWith("sasl.")) {
        config.put(k, v);
      }
    });
    config.put("replication.policy.class", IDENTITY_POLICY);
    return config;
  }

  private record Cached(Map<TopicPartition, OffsetAndMetadata> offsets, long readAt) {}
}
