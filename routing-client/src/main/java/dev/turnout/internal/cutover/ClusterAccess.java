package dev.turnout.internal.cutover;

import java.util.Map;

/** What the cutover machinery needs from the producer that owns it. Implementations must be thread-safe. */
public interface ClusterAccess {

  /**
   * Blocks until every record sent so far to the cluster's client has completed ({@code Producer.flush()});
   * returns at once when the cluster's client was never created.
   */
  void flush(int cluster);

  /**
   * Kafka client settings for a consumer of the cluster (bootstrap servers, security), used to find records
   * on a new owner. May hold secrets: never log it.
   */
  Map<String, Object> consumerConfig(int cluster);

  /**
   * The epoch of the authority map that routes the open transaction, or {@link Long#MAX_VALUE} when no
   * transaction is open. A cutover to epoch N waits until no transaction routed by an older map is open,
   * because such a transaction keeps writing to the old owners until it ends.
   */
  long activeTransactionEpoch();
}
