package dev.turnout.status;

import java.time.Instant;
import java.util.List;

/**
 * A cutover barrier of a producer that is not open yet: sends of the moved slices of a topic wait there (or,
 * once it failed, are refused) until the records sent to the old owner are settled.
 *
 * @param topic the topic whose moved slices the barrier guards
 * @param slices the slices of the topic's rule in the new map that hold moved keys from {@code from} to
 *     {@code to}; {@code ["-"]} for a rule not split by key
 * @param from the old owner
 * @param to the new owner
 * @param fromEpoch the epoch the writes moved away from
 * @param toEpoch the epoch that moved them
 * @param state {@code WAITING} (acknowledgements, replication, or for a slice moved back from the target to the
 *     source the reconciliation of its target-only records), {@code RELEASING} (queued sends going out in order)
 *     or {@code FAILED} (sends refused with {@code CUTOVER_BARRIER_TIMEOUT}, or {@code ROLLBACK_NOT_RECONCILED} for
 *     a rolled-back slice)
 * @param waitingRecords records queued at the barrier now (for every pair of owners of the topic)
 * @param since when the barrier started waiting
 * @param detail what the barrier waits for, or why it failed (the refusal's message); empty when unknown
 */
public record BarrierStatus(String topic, List<String> slices, String from, String to, long fromEpoch, long toEpoch,
    String state, long waitingRecords, Instant since, String detail) {

  public BarrierStatus {
    slices = List.copyOf(slices);
    detail = detail == null ? "" : detail;
  }

  /** A status without {@code detail}. */
  public BarrierStatus(String topic, List<String> slices, String from, String to, long fromEpoch, long toEpoch,
      String state, long waitingRecords, Instant since) {
    this(topic, slices, from, to, fromEpoch, toEpoch, state, waitingRecords, since, "");
  }
}
