package dev.turnout.internal.producer;

import dev.turnout.internal.cluster.ClientEvents;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.cutover.AckLedger;

/**
 * One cluster's bookkeeping: the ledger its acknowledgements feed, its breaker, and its cluster id check
 * (fed by the client's {@code ClientEventsInterceptor}). Sends are entered in the ledger by the producer
 * itself, with the topic it routed, just before the record is handed to the client, so that clients supplied
 * by the caller (which run no interceptor) are accounted for alike.
 */
public final class ClusterEvents implements ClientEvents {

  private final AckLedger ledger;
  private final ClusterBreaker breaker;
  private final ClusterIdentity identity;

  ClusterEvents(AckLedger ledger, ClusterBreaker breaker, ClusterIdentity identity) {
    this.ledger = ledger;
    this.breaker = breaker;
    this.identity = identity;
  }

  /** The ledger of what the producer wrote to this cluster. */
  public AckLedger ledger() {
    return ledger;
  }

  /** The breaker of this cluster. */
  public ClusterBreaker breaker() {
    return breaker;
  }

  @Override
  public void sending(String topic) {
    // Entered by the producer before the send (see the class comment).
  }

  @Override
  public void clusterId(String clusterId) {
    identity.observed(clusterId);
  }
}
