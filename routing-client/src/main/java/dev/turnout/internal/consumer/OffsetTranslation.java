package dev.turnout.internal.consumer;

import java.util.Locale;

/**
 * How a committed offset on the old cluster is first translated to the new one, before the exact boundary
 * search refines it. The value of {@code turnout.consumer.offset.translation}.
 */
public enum OffsetTranslation {
  /** Offset-preserving links (Cluster Linking, AutoMQ Kafka Linking, WarpStream Orbit): the same offset. */
  IDENTITY("identity"),
  /**
   * MirrorMaker 2 checkpoints of the group, read with {@code RemoteClusterUtils.translateOffsets} (needs
   * {@code org.apache.kafka:connect-mirror-client} on the class path). Only from MirrorMaker's source to
   * its target; the other direction falls back to timestamps.
   */
  MIRRORMAKER2("mirrormaker2"),
  /** {@code offsetsForTimes} with the timestamp of the last processed record. */
  TIMESTAMP("timestamp");

  /** Class that must be loadable for {@link #MIRRORMAKER2}. */
  public static final String MM2_CLIENT_CLASS = "org.apache.kafka.connect.mirror.RemoteClusterUtils";

  private final String configValue;

  OffsetTranslation(String configValue) {
    this.configValue = configValue;
  }

  /** The configuration value naming this translation. */
  public String configValue() {
    return configValue;
  }

  /**
   * The translation named by a configuration value (case-insensitive).
   *
   * @throws IllegalArgumentException for any other value
   */
  public static OffsetTranslation parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (OffsetTranslation t : values()) {
      if (t.configValue.equals(v)) {
        return t;
      }
    }
    throw new IllegalArgumentException("'" + value + "' is not one of identity, mirrormaker2, timestamp");
  }
}
