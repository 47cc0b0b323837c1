package dev.turnout.internal.reconcile;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Copies the target-only records of one surveyed partition that the source lacks, with a transactional producer
 * whose {@code transactional.id} is {@code turnout-reconcile-<topic>-<partition>}:
 *
 * <ol>
 *   <li>{@code initTransactions} fences any other reconciler of the partition (its open transaction is aborted);
 *   <li>the source partition is searched ({@code read_committed}) for the candidates' ids;
 *   <li>the missing records are read again from the target and sent in target order to the same partition number
 *       (key, value, timestamp and headers kept, plus {@code turnout.reconciled}), committed every
 *       {@code batch} records (default {@value #BATCH}) and at the end.
 * </ol>
 *
 * <p>Fenced mid-way by another reconciler, it stops and reports the partition as taken over: its committed
 * batches stay, its open batch is aborted (visible to {@code read_uncommitted} readers only, as aborted records),
 * and the other reconciler, which searched the source after the fence, writes the rest.
 */
public final class PartitionCopier {

  /** Default records per transaction. */
  public static final int BATCH = 20_000;
  /** Prefix of the transactional ids. */
  public static final String TRANSACTIONAL_ID_PREFIX = "turnout-reconcile-";

  private final ClusterSide source;
  private final ClusterSide target;
  private final SourcePresence presence;
  private final PartitionReader targetReader;
  private final int batch;

  public PartitionCopier(ClusterSide source, ClusterSide target, int batch) {
    this.source = source;
    this.target = target;
    this.batch = batch;
    this.presence = new SourcePresence(source);
    this.targetReader = new PartitionReader(target);
  }

  /** The transactional id that serializes the reconcilers of {@code partition}. */
  public static String transactionalId(TopicPartition partition) {
    return TRANSACTIONAL_ID_PREFIX + partition.topic() + '-' + partition.partition();
  }

  /** Writes the survey's missing records to the source. */
  public CopyOutcome copy(PartitionSurvey survey) {
    TopicPartition tp = survey.partition();
    if (survey.candidates().isEmpty()) {
      return new CopyOutcome(tp, survey.read(), 0, 0, survey.skipped(), false);
    }
    Batches batches = new Batches();
    try (Producer<byte[], byte[]> producer = source.transactionalProducer(transactionalId(tp))) {
      try {
        producer.initTransactions();
        Set<ByteBuffer> wanted = new HashSet<>();
        survey.candidates().forEach(c -> wanted.add(c.id()));
        Set<ByteBuffer> present = presence.present(tp, wanted, survey.minTimestamp());
        TreeMap<Long, Candidate> missing = new TreeMap<>();
        survey.candidates().stream().filter(c -> !present.contains(c.id())).forEach(c -> missing.put(c.offset(), c));
        batches.alreadyPresent = survey.candidates().size() - missing.size();
        if (!missing.isEmpty()) {
          write(producer, tp, missing, batches);
        }
      } catch (KafkaException e) {
        if (fenced(e)) {
          return new CopyOutcome(tp, survey.read(), batches.committed, batches.alreadyPresent, survey.skipped(), true);
        }
        abortQuietly(producer, e);
        if (e instanceof TimeoutException && batches.committed == 0 && batches.sent == 0) {
          throw Calls.unreachable(source, "the transactional producer of partition " + tp, e);
        }
        throw new ReconcileFailure(ReconcileFailure.Kind.WRITE_FAILED, "writing to partition " + tp + " of the source "
            + source + " failed after " + batches.committed + " record(s) were committed: " + e + ". Fix the cause "
            + "(the principal needs Write and transactional access on the source) and rerun: records already "
            + "written are found and skipped.", e);
      } catch (ReconcileFailure e) {
        abortQuietly(producer, e);
        throw e;
      }
    }
    return new CopyOutcome(tp, survey.read(), batches.committed, batches.alreadyPresent, survey.skipped(), false);
  }

  private void write(Producer<byte[], byte[]> producer, TopicPartition tp, TreeMap<Long, Candidate> missing,
      Batches batches) {
    producer.beginTransaction();
    targetReader.read(tp, missing.firstKey(), missing.lastKey() + 1, r -> {
      Candidate c = missing.get(r.offset());
      if (c == null) {
        return;
      }
      if (!c.id().equals(RecordClassifier.id(r.headers()))) {
        throw changed(tp, r.offset());
      }
      producer.send(copyOf(r));
      batches.sent++;
      if (batches.sent - batches.committed == batch) {
        producer.commitTransaction();
        batches.committed = batches.sent;
        producer.beginTransaction();
      }
    });
    producer.commitTransaction();
    batches.committed = batches.sent;
    if (batches.sent != missing.size()) {
      throw changed(tp, -1);
    }
  }

  private ProducerRecord<byte[], byte[]> copyOf(ConsumerRecord<byte[], byte[]> r) {
    RecordHeaders headers = new RecordHeaders();
    for (Header h : r.headers()) {
      headers.add(h);
    }
    headers.add(ProvenanceHeaders.reconciledHeader(target.alias(), r.partition(), r.offset()));
    return new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), r.key(), r.value(), headers);
  }

  private ReconcileFailure changed(TopicPartition tp, long offset) {
    return new ReconcileFailure(ReconcileFailure.Kind.GAP, "partition " + tp + " on the target changed between the "
        + "validation read and the copy" + (offset < 0 ? "" : " (offset " + offset + " holds another record)")
        + ": records were deleted meanwhile. The batch in progress was aborted; rerun to validate the range again.");
  }

  private static boolean fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
        return true;
      }
    }
    return false;
  }

  private static void abortQuietly(Producer<byte[], byte[]> producer, Exception cause) {
    try {
      producer.abortTransaction();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /** Counters of one copy. */
  private static final class Batches {
    long sent;
    long committed;
    long alreadyPresent;
  }
}
