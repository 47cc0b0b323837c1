package dev.turnout.internal.consumer;

import org.apache.kafka.common.TopicPartition;

/** Events of the switch worker that are not resolutions. Called on the worker's thread; must not block. */
public interface SwitchListener {

  /** A partition has waited longer than the boundary timeout and still waits (reported once per wait). */
  void stillPending(TopicPartition tp, Resolution.Problem problem, String detail);

  /** After a rewind, the last processed record appeared: {@code count} records are delivered a second time. */
  void duplicatesAdmitted(TopicPartition tp, long count);
}
