package dev.turnout.internal.cutover;

/**
 * A send waiting at a cutover barrier, supplied by the producer. The barrier calls exactly one of
 * {@link #release()} and {@link #refuse(BarrierFailure)}, once, in queue order.
 */
public interface QueuedSend {

  /** Estimated bytes the record holds while it waits (serialized key, value and headers). */
  long sizeInBytes();

  /** Sends the record to its owner now. Must not throw; failures go to the record's future and callback. */
  void release();

  /** Fails the record without writing it anywhere. Must not throw. */
  void refuse(BarrierFailure failure);
}
