package dev.turnout.cutover;

import dev.turnout.provenance.RecordIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this producer wrote to one cluster, per topic: that it wrote to the topic at all, and per partition
 * the last record acknowledged (its {@code turnout.id} sequence and timestamp). Fed by the cluster client's
 * interceptor: {@link #sent(String)} inside {@code send}, {@link #acknowledged} on the client's I/O thread.
 *
 * <p>With idempotence (the {@code KafkaProducer} default) acknowledgements arrive in log order per
 * partition, so the last acknowledged record of a partition is the last one in its log among this
 * producer's records. Lock-free on both paths, except when a topic is first seen or grows partitions; ids
 * are stored as received and parsed only when a cutover reads them.
 */
public final class AckLedger {

  private final long instance;
  private final Map<String, TopicAcks> topics = new ConcurrentHashMap<>();
  /** The entry of the topic acknowledged last; immutable, so a stale read only costs a map lookup. */
  private Recent recent;

  private record Recent(String topic, TopicAcks acks) {}

  /** A ledger of records whose ids carry {@code instance} (the producer's {@link RecordIds#instance()}). */
  public AckLedger(long instance) {
    this.instance = instance;
  }

  /** Records that a send to {@code topic} is being made. Called inside {@code send}, before it returns. */
  public void sent(String topic) {
    if (!topics.containsKey(topic)) {
      topics.computeIfAbsent(topic, t -> new TopicAcks());
    }
  }

  /**
   * Records an acknowledged record. Records without a {@code turnout.id} of this producer are ignored.
   *
   * @param id the value of the record's {@code turnout.id} header, or {@code null}
   */
  public void acknowledged(String topic, int partition, long timestamp, byte[] id) {
    if (id == null || partition < 0) {
      return;
    }
    // Runs per record on the client's I/O thread: remember the last topic's entry (the same topic string
    // usually comes back), store the id as it is, and leave parsing to the rare reader.
    Recent recent = this.recent;
    TopicAcks acks;
    if (recent != null && recent.topic == topic) {
      acks = recent.acks;
    } else {
      acks = topics.get(topic);
      if (acks == null) {
        acks = topics.computeIfAbsent(topic, t -> new TopicAcks());
      }
      this.recent = new Recent(topic, acks);
    }
    acks.slot(partition).update(id, timestamp);
  }

  /** The topics this producer ever sent to on this cluster (a live view). */
  java.util.Set<String> topics() {
    return topics.keySet();
  }

  /** Whether this producer ever sent a record to the topic on this cluster. */
  boolean hasWritten(String topic) {
    return topics.containsKey(topic);
  }

  /** The last acknowledged record of every partition of the topic that has one. */
  List<LastAck> lastAcks(String topic) {
    TopicAcks acks = topics.get(topic);
    return acks == null ? List.of() : acks.snapshot(topic, instance);
  }

  /** The last acknowledged record of one partition: its id sequence and timestamp. */
  record LastAck(String topic, int partition, long sequence, long timestamp) {}

  private static final class TopicAcks {
    private volatile PartitionAck[] partitions = new PartitionAck[0];

    PartitionAck slot(int partition) {
      PartitionAck[] current = partitions;
      if (partition < current.length && current[partition] != null) {
        return current[partition];
      }
      synchronized (this) {
        current = partitions;
        if (partition >= current.length) {
          PartitionAck[] grown = new PartitionAck[Math.max(partition + 1, current.length * 2)];
          System.arraycopy(current, 0, grown, 0, current.length);
          current = grown;
        }
        if (current[partition] == null) {
          current[partition] = new PartitionAck();
        }
        partitions = current;
        return current[partition];
      }
    }

    List<LastAck> snapshot(String topic, long instance) {
      PartitionAck[] current = partitions;
      List<LastAck> out = new ArrayList<>();
      for (int p = 0; p < current.length; p++) {
        PartitionAck slot = current[p];
        if (slot != null) {
          // Timestamp first: it then belongs to the same record as the sequence or to an earlier one.
          long timestamp = slot.timestamp;
          byte[] id = slot.id;
          long sequence = RecordIds.sequenceOf(id);
          if (sequence >= 0 && RecordIds.instanceOf(id) == instance) {
            out.add(new LastAck(topic, p, sequence, timestamp));
          }
        }
      }
      return out;
    }
  }

  private static final class PartitionAck {
    /** The {@code turnout.id} of the last acknowledged record, as received (16 bytes for this producer's). */
    volatile byte[] id;
    volatile long timestamp;

    void update(byte[] lastId, long ts) {
      id = lastId;
      timestamp = ts;
    }
  }
}
