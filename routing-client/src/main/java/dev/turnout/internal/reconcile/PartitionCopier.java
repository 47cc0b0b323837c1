package dev.turnout.internal.reconcile;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Copies the target-only records of surveyed partitions that the source lacks, up to {@value #GROUP} partitions at
 * a time, each partition with a transactional producer whose {@code transactional.id} is
 * {@code turnout-reconcile-<topic>-<partition>}:
 *
 * <ol>
 *   <li>{@code initTransactions} of every producer of the group (in parallel) fences any other reconciler of those
 *       partitions (its open transaction is aborted);
 *   <li>then the group's source partitions are searched ({@code read_committed}, all at once) for the candidates'
 *       ids;
 *   <li>the missing records (kept from the validation read, or read again from the target when they did not fit
 *       in memory) are sent in target order to the same partition number (key, value, timestamp and headers kept,
 *       plus {@code turnout.reconciled}) without waiting for each send, committed every {@code batch} records
 *       (default {@value #BATCH}) and at the end of the partition, before the next partition is written.
 * </ol>
 *
 * <p>Fenced mid-way by another reconciler, a partition stops and is reported as taken over: its committed batches
 * stay, its open batch is aborted (visible to {@code read_uncommitted} readers only, as aborted records), and the
 * other reconciler, which searched the source after the fence, writes the rest. Any other failure aborts the
 * group's open transactions and fails the call.
 */
public final class PartitionCopier {

  /** Default records per transaction. */
  public static final int BATCH = 20_000;
  /** Prefix of the transactional ids. */
  public static final String TRANSACTIONAL_ID_PREFIX = "turnout-reconcile-";
  /** Partitions copied at once (one producer each). */
  static final int GROUP = 16;

  private final ClusterSide source;
  private final ClusterSide target;
  private final SourcePresence presence;
  private final PartitionReader targetReader;
  private final ProducerPool producers;
  private final int batch;

  public PartitionCopier(ClusterSide source, ClusterSide target, int batch) {
    this.source = source;
    this.target = target;
    this.batch = batch;
    this.presence = new SourcePresence(source);
    this.targetReader = new PartitionReader(target);
    this.producers = new ProducerPool(source);
  }

  /** The transactional id that serializes the reconcilers of {@code partition}. */
  public static String transactionalId(TopicPartition partition) {
    return TRANSACTIONAL_ID_PREFIX + partition.topic() + '-' + partition.partition();
  }

  /**
   * Writes the surveys' missing records to the source; one outcome per survey, in order.
   *
   * @param kept the candidate records kept from the validation read; a partition without them is read again
   */
  List<CopyOutcome> copy(List<PartitionSurvey> surveys, RetainedRecords kept) {
    Map<TopicPartition, CopyOutcome> outcomes = new HashMap<>();
    List<PartitionCopy> group = new ArrayList<>();
    for (PartitionSurvey survey : surveys) {
      if (survey.candidates().isEmpty()) {
        outcomes.put(survey.partition(), new CopyOutcome(survey.partition(), survey.read(), 0, 0, survey.skipped(),
            false));
        continue;
      }
      group.add(new PartitionCopy(survey));
      if (group.size() == GROUP) {
        copyGroup(group, kept, outcomes);
        group = new ArrayList<>();
      }
    }
    if (!group.isEmpty()) {
      copyGroup(group, kept, outcomes);
    }
    return surveys.stream().map(s -> outcomes.get(s.partition())).toList();
  }

  private void copyGroup(List<PartitionCopy> group, RetainedRecords kept, Map<TopicPartition, CopyOutcome> outcomes) {
    try {
      producers.open(group, this::writeFailed);
      List<PartitionCopy> live = group.stream().filter(c -> !c.takenOver).toList();
      Map<TopicPartition, Set<ByteBuffer>> wanted = new HashMap<>();
      Map<TopicPartition, Long> minTimestamps = new HashMap<>();
      for (PartitionCopy c : live) {
        Set<ByteBuffer> ids = new HashSet<>();
        c.survey.candidates().forEach(candidate -> ids.add(candidate.id()));
        wanted.put(c.partition(), ids);
        minTimestamps.put(c.partition(), c.survey.minTimestamp());
      }
      Map<TopicPartition, Set<ByteBuffer>> present = presence.present(wanted, minTimestamps);
      for (PartitionCopy c : live) {
        write(c, present.get(c.partition()), kept.of(c.partition()));
      }
    } catch (RuntimeException e) {
      group.forEach(c -> c.abortQuietly(e));
      throw e;
    } finally {
      group.forEach(PartitionCopy::close);
    }
    group.forEach(c -> outcomes.put(c.partition(), c.outcome()));
  }

  private void write(PartitionCopy c, Set<ByteBuffer> present, List<ConsumerRecord<byte[], byte[]>> kept) {
    TreeMap<Long, Candidate> missing = new TreeMap<>();
    c.survey.candidates().stream().filter(x -> !present.contains(x.id())).forEach(x -> missing.put(x.offset(), x));
    c.alreadyPresent = c.survey.candidates().size() - missing.size();
    if (missing.isEmpty()) {
      return;
    }
    guarded(c, () -> {
      if (kept != null) {
        for (ConsumerRecord<byte[], byte[]> r : kept) {
          if (missing.containsKey(r.offset())) {
            c.send(copyOf(r), batch);
          }
        }
      } else {
        reread(c, missing);
      }
      c.commit(); // at once: an open transaction holds the source partition's last stable offset
    });
    if (!c.takenOver && c.sent != missing.size()) {
      throw changed(c.partition(), -1);
    }
  }

  private void reread(PartitionCopy c, TreeMap<Long, Candidate> missing) {
    targetReader.read(c.partition(), missing.firstKey(), missing.lastKey() + 1, r -> {
      Candidate candidate = missing.get(r.offset());
      if (candidate == null) {
        return;
      }
      if (!candidate.id().equals(RecordClassifier.id(r.headers()))) {
        throw changed(c.partition(), r.offset());
      }
      c.send(copyOf(r), batch);
    });
  }

  /** Runs a step of {@code c}'s writes; a fence marks it taken over, another Kafka failure fails the call. */
  private void guarded(PartitionCopy c, Runnable step) {
    if (c.takenOver) {
      return;
    }
    try {
      step.run();
    } catch (KafkaException e) {
      if (!fenced(e)) {
        throw writeFailed(c, e);
      }
      c.takenOver = true;
    }
  }

  private ReconcileFailure writeFailed(PartitionCopy c, KafkaException e) {
    if (e instanceof TimeoutException && c.committed == 0 && c.sent == 0) {
      return Calls.unreachable(source, "the transactional producer of partition " + c.partition(), e);
    }
    return new ReconcileFailure(ReconcileFailure.Kind.WRITE_FAILED, "writing to partition " + c.partition()
        + " of the source " + source + " failed after " + c.committed + " record(s) were committed: " + e
        + ". Fix the cause (the principal needs Write and transactional access on the source) and rerun: records "
        + "already written are found and skipped.", e);
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

  static boolean fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
        return true;
      }
    }
    return false;
  }
}
