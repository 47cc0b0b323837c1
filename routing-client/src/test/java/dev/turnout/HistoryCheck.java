package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.testkit.KafkaTestCluster;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Checks the whole history of a topic on one cluster against what the test sent: values are {@code <key>:<seq>},
 * sequence numbers increasing per key in the order the test sent them. Over every record of the topic
 * ({@code read_committed}): each {@code turnout.id} appears once, each key's sequence numbers appear in increasing
 * order, every acknowledged record is there, no record that failed is there, and every record was written by the
 * owner of its slice in the epoch its {@code turnout.route} names.
 */
final class HistoryCheck {

  /** What the test sent: every send's result, acknowledged or failed with its exception. Thread-safe. */
  static final class Sends {
    private final Map<String, BitSet> acked = new ConcurrentHashMap<>();
    private final Map<String, BitSet> failed = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong completed = new AtomicLong();

    /** Counts a send; call before {@code send}. */
    void sending() {
      sent.incrementAndGet();
    }

    /** Records a send's result (a producer callback). */
    void completed(String key, int seq, Exception e) {
      Map<String, BitSet> into = e == null ? acked : failed;
      BitSet set = into.computeIfAbsent(key, k -> new BitSet());
      synchronized (set) {
        set.set(seq);
      }
      if (e != null) {
        failures.add(e);
      }
      completed.incrementAndGet();
    }

    long acked() {
      return count(acked);
    }

    /** A copy of the acknowledged sequence numbers per key. */
    Map<String, BitSet> ackedSnapshot() {
      return snapshot(acked);
    }

    /** A copy of the failed sequence numbers per key. */
    Map<String, BitSet> failedSnapshot() {
      return snapshot(failed);
    }

    private static Map<String, BitSet> snapshot(Map<String, BitSet> sets) {
      Map<String, BitSet> out = new HashMap<>();
      sets.forEach((key, set) -> {
        synchronized (set) {
          out.put(key, (BitSet) set.clone());
        }
      });
      return out;
    }

    long failed() {
      return count(failed);
    }

    private static long count(Map<String, BitSet> sets) {
      long n = 0;
      for (BitSet set : sets.values()) {
        synchronized (set) {
          n += set.cardinality();
        }
      }
      return n;
    }

    /** Failures without a typed exception (a Kafka or Turnout exception carrying a message). */
    List<Exception> untypedFailures() {
      return failures.stream().filter(e -> !(e instanceof org.apache.kafka.common.KafkaException)
          || e.getMessage() == null || e.getMessage().isBlank()).toList();
    }
  }

  /** What the cluster holds, checked. */
  static final class Report {
    long records;
    long reconciledCopies;
    long duplicateIds;
    long missing;
    long orderViolations;
    long provenanceViolations;
    long failedButWritten;
    final Map<String, Long> byOrigin = new HashMap<>();
    final List<String> examples = new ArrayList<>();

    void example(String what) {
      if (examples.size() < 10) {
        examples.add(what);
      }
    }

    boolean clean() {
      return duplicateIds == 0 && missing == 0 && orderViolations == 0 && provenanceViolations == 0
          && failedButWritten == 0;
    }

    @Override
    public String toString() {
      return records + " records (" + reconciledCopies + " reconciled copies), by origin " + byOrigin
          + "; duplicate ids " + duplicateIds + ", acknowledged but missing " + missing + ", per-key order violations "
          + orderViolations + ", written by a non-owner " + provenanceViolations + ", failed but written "
          + failedButWritten + (examples.isEmpty() ? "" : "; e.g. " + examples);
    }
  }

  private HistoryCheck() {}

  /**
   * @param ownerAt the owner alias of a key bucket at an epoch
   */
  static Report check(KafkaTestCluster cluster, String topic, Sends sends,
      BiFunction<Integer, Long, String> ownerAt) {
    Report report = new Report();
    Set<String> ids = new HashSet<>();
    Map<String, Integer> lastSeq = new HashMap<>();
    Map<String, BitSet> seen = new HashMap<>();
    StringSerializer keys = new StringSerializer();
    for (ConsumerRecord<String, String> r : Records.readAll(cluster, topic, true)) {
      report.records++;
      String key = r.key();
      int seq = Integer.parseInt(r.value().substring(r.value().lastIndexOf(':') + 1));
      Provenance p = Provenance.of(r).orElse(null);
      if (p == null) {
        report.provenanceViolations++;
        report.example(key + ":" + seq + " has no provenance");
        continue;
      }
      if (r.headers().lastHeader(Provenance.RECONCILED_HEADER) != null) {
        report.reconciledCopies++;
      }
      if (!ids.add(p.id())) {
        report.duplicateIds++;
        report.example(key + ":" + seq + " id " + p.id() + " twice (offset " + r.offset() + ")");
      }
      int previous = lastSeq.getOrDefault(key, -1);
      if (seq <= previous) {
        report.orderViolations++;
        report.example(key + ": seq " + seq + " at " + r.partition() + "@" + r.offset() + " after seq " + previous);
      } else {
        lastSeq.put(key, seq);
      }
      seen.computeIfAbsent(key, k -> new BitSet()).set(seq);
      report.byOrigin.merge(p.origin(), 1L, Long::sum);
      int bucket = AuthorityMap.bucket(keys.serialize(topic, key));
      String owner = ownerAt.apply(bucket, p.epoch());
      if (!p.origin().equals(owner)) {
        report.provenanceViolations++;
        report.example(key + ":" + seq + " written by '" + p.origin() + "' at epoch " + p.epoch() + ", owner '"
            + owner + "'");
      }
    }
    sends.acked.forEach((key, set) -> {
      BitSet missing;
      synchronized (set) {
        missing = (BitSet) set.clone();
      }
      missing.andNot(seen.getOrDefault(key, new BitSet()));
      report.missing += missing.cardinality();
      if (!missing.isEmpty()) {
        report.example(key + ":" + missing.nextSetBit(0) + " acknowledged but missing");
      }
    });
    sends.failed.forEach((key, set) -> {
      BitSet written;
      synchronized (set) {
        written = (BitSet) set.clone();
      }
      written.and(seen.getOrDefault(key, new BitSet()));
      report.failedButWritten += written.cardinality();
    });
    return report;
  }
}
