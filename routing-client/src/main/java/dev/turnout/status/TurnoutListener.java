package dev.turnout.status;

/**
 * Receives a routing client's lifecycle events and refusals; register it with {@code addListener}. Every
 * method has an empty default.
 *
 * <p>Methods are called synchronously on the thread where the event happens (a producer's authority refresh
 * thread or sending thread, a consumer's polling thread, the closing thread): keep them short, never block,
 * and never call the client from them. An exception thrown by a listener is logged and otherwise ignored.
 */
public interface TurnoutListener {

  /**
   * The client routes by a new epoch from now on.
   *
   * @param clientId the client
   * @param previousEpoch the epoch before, -1 when this is the first map
   * @param epoch the epoch now in force
   */
  default void onEpochApplied(String clientId, long previousEpoch, long epoch) {}

  /** The client refused a request (a send, a poll, a commit...); the caller received the error as well. */
  default void onRefusal(String clientId, Refusal refusal) {}

  /** {@code close} was called; the client is still usable for the listener's last reads of its status. */
  default void onClosing(String clientId) {}

  /** The client is closed. */
  default void onClosed(String clientId) {}
}
