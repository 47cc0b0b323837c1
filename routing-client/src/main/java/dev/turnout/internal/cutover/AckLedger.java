package dev.turnout.internal.cutover;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this producer wrote to one cluster, per topic: that it wrote to the topic at all, and per partition
 * the last record acknowledged (the sequence of its {@code turnout.id} and its timestamp). {@link #sent(String)}
 * is called inside {@code send}; {@link #acknowledged} from the record's completion callback on the client's
 * I/O thread.
 *
 * <p>With idempotence (the {@code KafkaProducer} default) acknowledgements arrive in log order per
 * partition, so the last acknowledged record of a partition is the last one in its log among this
 * producer's records. Lock-free on both paths, except when a topic is first seen or grows partitions.
 */
public final class AckLedger {

  private final Map<String, TopicAcks> topics = new ConcurrentHashMap<>();
  /** The entry of the topic acknowledged last; immutable, so a stale read only costs a map lookup. */
  private Recent recent;
  /** The topic of the last {@link #sent} call (see there). */
  private String lastSent;

  private record Recent(String topic, TopicAcks acks) {}

  /** An empty ledger. */
  public AckLedger() {}

  /** Records that a send to {@code topic} is being made. Called inside {@code send}, before it returns. */
  public void sent(String topic) {
    // Consecutive sends usually name the same topic string: skip the map then. Plain field: it is written
    // after the topic is in the map, entries are never removed, and a stale read only costs the lookup.
    if (topic == lastSent) {
      return;
    }
    if (!topics.containsKey(topic)) {
      topics.computeIfAbsent(topic, t -> new TopicAcks());
    }
    lastSent = topic;
  }

  /**
   * Records an acknowledged record of this producer.
   *
   * @param sequence the sequence of the record's {@code turnout.id} ({@code RecordIds#sequenceOf})
   */
  public void acknowledged(String topic, int partition, long timestamp, long sequence) {
    acknowledged(topic, partition, timestamp, sequence, -1);
  }

  /**
   * Records an acknowledged record of this producer and its offset ({@code -1} when unknown, e.g. with
   * {@code acks=0}), so that a rollback can bound the records this producer wrote to the cluster.
   *
   * @param sequence the sequence of the record's {@code turnout.id} ({@code RecordIds#sequenceOf})
   */
  public void acknowledged(String topic, int partition, long timestamp, long sequence, long offset) {
    if (partition < 0 || sequence < 0) {
      return;
    }
    // Runs per record on the client's I/O thread: remember the last topic's entry (the same topic string
    // usually comes back) and touch nothing the sending thread wrote but what the caller passes.
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
    acks.slot(partition).update(sequence, timestamp, offset);
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
    return acks == null ? List.of() : acks.snapshot(topic);
  }

  /**
   * Per partition of the topic, the offset after the last record acknowledged with an offset (exclusive upper
   * bound of this producer's records there); empty when none was.
   */
  Map<org.apache.kafka.common.TopicPartition, Long> offsetsUpTo(String topic) {
    TopicAcks acks = topics.get(topic);
    return acks == null ? Map.of() : acks.offsetsUpTo(topic);
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

    Map<org.apache.kafka.common.TopicPartition, Long> offsetsUpTo(String topic) {
      PartitionAck[] current = partitions;
      Map<org.apache.kafka.common.TopicPartition, Long> out = new java.util.HashMap<>();
      for (int p = 0; p < current.length; p++) {
        PartitionAck slot = current[p];
        long offset = slot == null ? -1 : slot.maxOffset();
        if (offset >= 0) {
          out.put(new org.apache.kafka.common.TopicPartition(topic, p), offset + 1);
        }
      }
      return out;
    }

    List<LastAck> snapshot(String topic) {
      PartitionAck[] current = partitions;
      List<LastAck> out = new ArrayList<>();
      for (int p = 0; p < current.length; p++) {
        PartitionAck slot = current[p];
        if (slot != null) {
          // Timestamp first: it then belongs to the same record as the sequence or to an earlier one.
          long timestamp = slot.timestamp();
          long sequence = slot.sequence();
          if (sequence >= 0) {
            out.add(new LastAck(topic, p, sequence, timestamp));
          }
        }
      }
      return out;
    }
  }

  private static final class PartitionAck {
    private static final VarHandle SEQUENCE;
    private static final VarHandle TIMESTAMP;
    private static final VarHandle OFFSET;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        SEQUENCE = lookup.findVarHandle(PartitionAck.class, "sequence", long.class);
        TIMESTAMP = lookup.findVarHandle(PartitionAck.class, "timestamp", long.class);
        OFFSET = lookup.findVarHandle(PartitionAck.class, "maxOffset", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /** The {@code turnout.id} sequence of the last acknowledged record; -1 before the first. */
    private long sequence = -1;
    private long timestamp;
    /** The highest offset acknowledged; -1 before the first with an offset. */
    private long maxOffset = -1;

    /**
     * Release stores: no full fence per record on the I/O thread. A cutover reads after flushing the client,
     * which happens after every callback of the flushed records ran, so it sees at least those records.
     */
    void update(long lastSequence, long ts, long offset) {
      SEQUENCE.setRelease(this, lastSequence);
      TIMESTAMP.setRelease(this, ts);
      // Acknowledgements of a partition arrive in log order on one I/O thread; the check keeps the highest
      // offset should a retried batch ever complete late. A plain read: only that thread writes it.
      if (offset > maxOffset) {
        OFFSET.setRelease(this, offset);
      }
    }

    long maxOffset() {
      return (long) OFFSET.getAcquire(this);
    }

    long sequence() {
      return (long) SEQUENCE.getAcquire(this);
    }

    long timestamp() {
      return (long) TIMESTAMP.getAcquire(this);
    }
  }
}
