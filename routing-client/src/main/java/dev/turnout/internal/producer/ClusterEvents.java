package dev.turnout.internal.producer;

import dev.turnout.internal.cluster.ClientEvents;
import dev.turnout.internal.cluster.ClusterBreaker;
import dev.turnout.internal.cluster.ClusterIdentity;
import dev.turnout.internal.cutover.AckLedger;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One cluster's bookkeeping: the ledger its acknowledgements feed, its breaker, and its cluster id check
 * (fed by the client's {@code ClientEventsInterceptor}). Sends are entered in the ledger by the producer
 * itself, with the topic it routed, just before the record is handed to the client, so that clients supplied
 * by the caller (which run no interceptor) are accounted for alike. When the caller configured interceptors, a
 * record they rewrote to another topic is checked by the {@link RewriteGuard}: stopped if that topic belongs
 * elsewhere, else entered in the ledger under the topic actually written.
 */
public final class ClusterEvents implements ClientEvents {

  private final AckLedger ledger;
  private final ClusterBreaker breaker;
  private final ClusterIdentity identity;
  private final RewriteGuard<?, ?> guard;
  private final int index;

  ClusterEvents(AckLedger ledger, ClusterBreaker breaker, ClusterIdentity identity, RewriteGuard<?, ?> guard,
      int index) {
    this.ledger = ledger;
    this.breaker = breaker;
    this.identity = identity;
    this.guard = guard;
    this.index = index;
  }

  @Override
  public ProducerRecord<Object, Object> intercept(ProducerRecord<Object, Object> record) {
    if (guard == null) {
      return record; // no interceptor of the caller: the topic is the routed one, already in the ledger
    }
    String refusal = guard.refusal(record, index);
    if (refusal != null) {
      return RewriteRefusedException.refusedRecord(record, refusal);
    }
    ledger.sent(record.topic());
    return record;
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
