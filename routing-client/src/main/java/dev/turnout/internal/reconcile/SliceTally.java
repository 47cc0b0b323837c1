package dev.turnout.internal.reconcile;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plan of one slice of one partition: target-only records, how many are already on the source, and their
 * key buckets, target offsets and timestamps (each an inclusive min..max).
 */
public record SliceTally(String topic, int partition, String slice, long targetOnly, long alreadyOnSource,
    int minBucket, int maxBucket, long firstOffset, long lastOffset, long firstTimestamp, long lastTimestamp) {

  /** One tally per slice of a partition's candidates, slices in order of first appearance. */
  public static List<SliceTally> of(PartitionSurvey survey, Set<ByteBuffer> present) {
    Map<String, List<Candidate>> bySlice = new LinkedHashMap<>();
    for (Candidate c : survey.candidates()) {
      bySlice.computeIfAbsent(c.slice() == null ? "-" : c.slice(), s -> new ArrayList<>()).add(c);
    }
    List<SliceTally> out = new ArrayList<>();
    bySlice.forEach((slice, candidates) -> out.add(of(survey, slice, candidates, present)));
    return out;
  }

  private static SliceTally of(PartitionSurvey survey, String slice, List<Candidate> candidates,
      Set<ByteBuffer> present) {
    long onSource = 0;
    int minBucket = Integer.MAX_VALUE;
    int maxBucket = -1;
    long firstTs = Long.MAX_VALUE;
    long lastTs = Long.MIN_VALUE;
    for (Candidate c : candidates) {
      if (present.contains(c.id())) {
        onSource++;
      }
      if (c.bucket() >= 0) {
        minBucket = Math.min(minBucket, c.bucket());
        maxBucket = Math.max(maxBucket, c.bucket());
      }
      firstTs = Math.min(firstTs, c.timestamp());
      lastTs = Math.max(lastTs, c.timestamp());
    }
    return new SliceTally(survey.partition().topic(), survey.partition().partition(), slice, candidates.size(),
        onSource, maxBucket < 0 ? -1 : minBucket, maxBucket, candidates.get(0).offset(),
        candidates.get(candidates.size() - 1).offset(), firstTs, lastTs);
  }
}
