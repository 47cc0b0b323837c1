package dev.turnout.internal.reconcile;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The source search of a plan, continued from what a {@link PlanCache.Entry} remembers: for a partition searched
 * before, only the offsets appended since (and, for candidates new since, from their own lower bound); otherwise
 * from the lower bound of all its candidates ({@link SourcePresence}). All partitions are searched at once.
 */
final class PlanSearch {

  private final SourcePresence presence;

  PlanSearch(SourcePresence presence) {
    this.presence = presence;
  }

  /** Per partition with candidates, the ids of its candidates present on the source. */
  Map<TopicPartition, Set<ByteBuffer>> present(List<PartitionSurvey> surveys,
      Map<TopicPartition, PlanCache.Entry> entries) {
    Map<TopicPartition, PartitionSurvey> byPartition = new HashMap<>();
    surveys.stream().filter(s -> !s.candidates().isEmpty()).forEach(s -> byPartition.put(s.partition(), s));
    if (byPartition.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, Long> logStart = presence.offsets(byPartition.keySet(), tp -> OffsetSpec.earliest());
    Map<TopicPartition, Long> end = presence.offsets(byPartition.keySet(), tp -> OffsetSpec.latest());
    Map<TopicPartition, Long> newSince = new HashMap<>();
    byPartition.forEach((tp, survey) -> {
      PlanCache.Entry e = entries.get(tp);
      if (!e.sourceValid(logStart.get(tp), end.get(tp))) {
        e.resetSource();
      }
      List<Candidate> fresh = survey.candidates().subList(e.candidatesSearched, survey.candidates().size());
      if (!fresh.isEmpty()) {
        newSince.put(tp, fresh.stream().mapToLong(Candidate::timestamp).min().orElseThrow());
      }
    });
    Map<TopicPartition, Long> bound = presence.lowerBounds(newSince);
    Map<TopicPartition, OffsetRange> ranges = new HashMap<>();
    Map<TopicPartition, Set<ByteBuffer>> wanted = new HashMap<>();
    byPartition.forEach((tp, survey) -> {
      PlanCache.Entry e = entries.get(tp);
      long to = end.get(tp);
      long from = e.searchedTo >= 0 ? e.searchedTo : to;
      Long b = bound.get(tp);
      if (b != null && b >= 0) {
        from = Math.min(from, b);
      }
      ranges.put(tp, new OffsetRange(Math.min(from, to), to));
      Set<ByteBuffer> ids = new HashSet<>();
      survey.candidates().forEach(c -> {
        if (!e.found.contains(c.id())) {
          ids.add(c.id());
        }
      });
      wanted.put(tp, ids);
    });
    Map<TopicPartition, Set<ByteBuffer>> found = presence.scan(ranges, wanted);
    Map<TopicPartition, Set<ByteBuffer>> out = new HashMap<>();
    byPartition.forEach((tp, survey) -> {
      PlanCache.Entry e = entries.get(tp);
      e.found.addAll(found.get(tp));
      e.searchedTo = end.get(tp);
      e.sourceLogStart = logStart.get(tp);
      e.candidatesSearched = survey.candidates().size();
      out.put(tp, e.found);
    });
    return out;
  }
}
