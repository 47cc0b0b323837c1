package dev.turnout.internal.cutover;

import java.util.Locale;

/** What a send for a moved slice waits for before it is written to the slice's new owner. */
public enum BarrierMode {
  /**
   * The records this producer sent to the old owner are acknowledged, and the last of them in every
   * partition is visible on the new owner (found there by its {@code turnout.id}). Needs replication from the
   * old owner to the new one (MirrorMaker 2 with identity names, a cluster link).
   */
  REPLICATED,
  /** The records this producer sent to the old owner are acknowledged; nothing is awaited on the new owner. */
  DRAINED;

  /** The configuration value, {@code replicated} or {@code drained}. */
  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a configuration value (case-insensitive); {@code null} when it is neither mode. */
  public static BarrierMode parse(String value) {
    if (value == null) {
      return null;
    }
    for (BarrierMode mode : values()) {
      if (mode.configValue().equalsIgnoreCase(value.trim())) {
        return mode;
      }
    }
    return null;
  }
}
