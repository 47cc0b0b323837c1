package dev.turnout.examples;

import dev.turnout.Provenance;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

/**
 * A plain Kafka {@link ProducerInterceptor} that counts broker acknowledgements per cluster and per authority
 * epoch: the producer side of the walkthrough's bookkeeping.
 *
 * <p>A {@code RoutingProducer} passes ordinary client settings such as {@code interceptor.classes} to the
 * {@code KafkaProducer} of every cluster, and gives each of them {@code client.id} {@code <client.id>-<alias>}.
 * So each instance of this interceptor sits inside exactly one cluster's client and knows that cluster from its
 * client id; the epoch comes from the {@code turnout.route} header the routing producer stamped on the record.
 * The counts go to the {@link Tally} passed as the value of {@link #TALLY_CONFIG}.
 */
public final class AckCounter implements ProducerInterceptor<Object, Object> {

  /** Config key whose value is the {@link Tally} instance to count into. */
  public static final String TALLY_CONFIG = "examples.ack.tally";

  private Tally tally;
  private String cluster;

  @Override
  public void configure(Map<String, ?> configs) {
    tally = (Tally) Objects.requireNonNull(configs.get(TALLY_CONFIG), TALLY_CONFIG + " is required");
    String clientId = String.valueOf(configs.get(CommonClientConfigs.CLIENT_ID_CONFIG));
    cluster = tally.clusterOf(clientId);
  }

  @Override
  public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception, Headers headers) {
    long epoch = headers == null ? -1 : Provenance.of(headers).map(Provenance::epoch).orElse(-1L);
    tally.record(cluster, epoch, exception == null);
  }

  @Override
  public void close() {}

  /** Acknowledged and failed sends per (cluster alias, epoch). Thread-safe. */
  public static final class Tally {

    private final String clientId;
    private final Map<String, LongAdder> acked = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();

    /** @param clientId the routing producer's {@code client.id}; cluster clients are {@code <clientId>-<alias>} */
    public Tally(String clientId) {
      this.clientId = clientId;
    }

    String clusterOf(String clusterClientId) {
      String prefix = clientId + "-";
      if (!clusterClientId.startsWith(prefix)) {
        throw new IllegalStateException("client.id '" + clusterClientId + "' is not '" + prefix + "<alias>'");
      }
      return clusterClientId.substring(prefix.length());
    }

    void record(String cluster, long epoch, boolean success) {
      (success ? acked : failed).computeIfAbsent(cluster + "/" + epoch, k -> new LongAdder()).increment();
    }

    /** Records the cluster acknowledged for an epoch. */
    public long acked(String cluster, long epoch) {
      LongAdder n = acked.get(cluster + "/" + epoch);
      return n == null ? 0 : n.sum();
    }

    /** Records the cluster's client failed to write for an epoch. */
    public long failed(String cluster, long epoch) {
      LongAdder n = failed.get(cluster + "/" + epoch);
      return n == null ? 0 : n.sum();
    }
  }
}
