package dev.turnout.source;

import dev.turnout.internal.control.ControlTopicTail;
import dev.turnout.internal.control.DocumentCandidates;
import java.io.IOException;
import java.security.PublicKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Reads the authority document from a compacted Kafka topic (the control topic): each record value is a whole
 * document in the properties text of the file source (UTF-8). The routing clients create it from
 * {@code turnout.authority.topic}; construct it yourself for an
 * {@link dev.turnout.AuthorityMonitor} or a custom setup.
 *
 * <p>At the first {@link #read()} the source reads every partition of the topic from the beginning up to the end
 * offsets of that moment (waiting at most the consumer's {@code default.api.timeout.ms}, 10 s unless set), then
 * tails it on a daemon thread. Among the documents seen, the newest valid one with the highest epoch is the one
 * {@link #read()} returns. A record that is not properties text, is not a valid document for the declared
 * clusters, or (with trusted keys) is not signed by one of them is skipped with a WARN line naming its topic,
 * partition and offset, and never displaces a valid document; a tombstone is ignored. A new winner calls the
 * {@link #onChange} callback at once, so a flip needs no refresh interval.
 *
 * <p>{@link #read()} fails when the topic has not been read to its end (the control cluster is unreachable,
 * or the topic missing), when the cluster has not answered for 5 s plus twice {@code default.api.timeout.ms} (25 s by default), or when no valid document was read yet; the
 * client then counts a failed refresh, as for a missing file. The consumer has no group id, never commits, reads
 * committed records only and never creates the topic. {@link #description()} and log lines never show settings.
 */
public final class KafkaTopicAuthoritySource implements AuthoritySource {

  private final String description;
  private final ControlTopicTail tail;

  /**
   * A source that connects at its first {@link #read()}.
   *
   * @param topic the control topic
   * @param clusterName how messages name the control cluster (for example an alias); not a secret
   * @param clientConfig the Kafka client settings of the control cluster: {@code bootstrap.servers} and its
   *     security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}...); a {@code client.id}
   *     in it is replaced by {@code <clientId>-turnout-authority}
   * @param clusters the cluster aliases of the clients ({@code turnout.clusters}): a document naming another
   *     alias is skipped
   * @param trustedKeys keys one of which must sign a document ({@code turnout.authority.trusted.keys}); empty:
   *     signatures are not required
   * @param clientId the client's id, the base of the consumer's {@code client.id} and the prefix of log lines
   * @throws org.apache.kafka.common.KafkaException for client settings Kafka's consumer rejects
   */
  public KafkaTopicAuthoritySource(String topic, String clusterName, Map<String, ?> clientConfig,
      List<String> clusters, Collection<PublicKey> trustedKeys, String clientId) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(clientConfig, "clientConfig");
    Objects.requireNonNull(clientId, "clientId");
    this.description = "topic " + topic + " of cluster " + Objects.requireNonNull(clusterName, "clusterName");
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-turnout-authority");
    this.tail = new ControlTopicTail(topic, clusterName, config,
        new DocumentCandidates(clusters, trustedKeys, clientId), clientId);
  }

  /**
   * The newest valid document with the highest epoch read from the topic.
   *
   * @throws IOException "control cluster unreachable: ..." or "no document on topic ... yet", with the reason
   */
  @Override
  public Map<String, String> read() throws IOException {
    return tail.read();
  }

  /** Runs {@code changed} whenever the tail of the topic brings a new winning document. */
  @Override
  public void onChange(Runnable changed) {
    tail.onChange(changed);
  }

  /** "topic t of cluster c": no settings, no secrets. */
  @Override
  public String description() {
    return description;
  }

  /** Stops reading and closes the consumer without waiting for the control cluster. */
  @Override
  public void close() {
    tail.close();
  }

  @Override
  public String toString() {
    return description();
  }
}
