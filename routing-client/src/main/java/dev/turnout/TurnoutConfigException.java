package dev.turnout;

import org.apache.kafka.common.config.ConfigException;

/**
 * An invalid or unknown Turnout setting. The message names the key and says what is wrong and what to set
 * instead; {@link #key()} and {@link #reason()} give the parts to frameworks that show the error under their
 * own property names. Secret values are never part of it.
 */
public class TurnoutConfigException extends ConfigException {

  private static final long serialVersionUID = 1L;

  private final String key;
  private final String reason;
  private final transient Object value;

  private TurnoutConfigException(String key, Object value, String reason, String message) {
    super(message);
    this.key = key;
    this.value = value;
    this.reason = reason;
  }

  /**
   * An invalid value.
   *
   * @param shownValue the value to show in the message, or {@code null} to show none (unset, or possibly secret)
   * @param reason what is wrong and what to do
   */
  static TurnoutConfigException invalid(String key, Object shownValue, String reason) {
    return new TurnoutConfigException(key, shownValue, reason, shownValue == null ? "Invalid configuration " + key + ": " + reason
        : "Invalid value " + shownValue + " for configuration " + key + ": " + reason);
  }

  /** An unknown key; the reason is the whole message. */
  static TurnoutConfigException unknown(String key, String message) {
    return new TurnoutConfigException(key, null, message, message);
  }

  /** The configuration key at fault, e.g. {@code turnout.cutover.max.pause.ms}. */
  public String key() {
    return key;
  }

  /** The value as the message shows it (secrets masked), or {@code null} when it shows none. */
  public Object value() {
    return value;
  }

  /** What is wrong with it and what to do, without the key. */
  public String reason() {
    return reason;
  }
}
