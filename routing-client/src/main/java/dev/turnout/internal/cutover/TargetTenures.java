package dev.turnout.internal.cutover;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.authority.Rule;
import dev.turnout.authority.Slice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Since which epoch each slice (or unsliced rule) has been on its rule's target, and the maps installed since, so
 * that a rollback can name the epochs and documents of the slice's tenure on the target. Updated on every install
 * (under the coordinator's view lock); not thread-safe. Keeps at most {@value #MAX_DOCUMENTS} maps.
 */
final class TargetTenures {

  /** Maps kept for the longest tenure. */
  static final int MAX_DOCUMENTS = 256;

  private final Map<String, Long> fromEpochs = new HashMap<>();
  private final Map<String, Long> sinceMillis = new HashMap<>();
  private final ArrayDeque<AuthorityMap> documents = new ArrayDeque<>();
  private long loadedMillis = -1;

  /**
   * The tenures as they stood before an install: what a rollback by that install reconciles.
   *
   * @param sinceMillis per slice, when this producer installed the epoch that put it on the target; -1 when it was
   *     on the target in the first map this producer loaded
   * @param loadedMillis when this producer installed its first map; -1 before
   */
  record Snapshot(Map<String, Long> fromEpochs, List<AuthorityMap> documents, Map<String, Long> sinceMillis,
      long loadedMillis) {

    static final Snapshot EMPTY = new Snapshot(Map.of(), List.of(), Map.of(), -1);

    /** The epoch since which the slice was on the target, or {@code fallback} when it is not known. */
    long fromEpoch(String rule, String slice, long fallback) {
      return fromEpochs.getOrDefault(key(rule, slice), fallback);
    }

    /** When this producer saw the slice's tenure on the target begin; -1 when not known. */
    long sinceMillis(String rule, String slice) {
      return sinceMillis.getOrDefault(key(rule, slice), -1L);
    }

    /** The maps of epochs {@code from} to {@code to}, oldest first. */
    List<AuthorityMap> between(long from, long to) {
      List<AuthorityMap> out = new ArrayList<>();
      for (AuthorityMap map : documents) {
        if (map.epoch() >= from && map.epoch() <= to) {
          out.add(map);
        }
      }
      return out;
    }
  }

  /** Records {@code current}; returns the tenures as they stood before it. */
  Snapshot install(AuthorityMap current) {
    Snapshot before = new Snapshot(Map.copyOf(fromEpochs), List.copyOf(documents), Map.copyOf(sinceMillis),
        loadedMillis);
    long now = System.currentTimeMillis();
    boolean first = loadedMillis < 0;
    if (first) {
      loadedMillis = now;
    }
    Set<String> onTarget = onTarget(current);
    fromEpochs.keySet().retainAll(onTarget);
    sinceMillis.keySet().retainAll(onTarget);
    for (String key : onTarget) {
      fromEpochs.putIfAbsent(key, current.epoch());
      sinceMillis.putIfAbsent(key, first ? -1L : now);
    }
    documents.addLast(current);
    long oldest = fromEpochs.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
    while (!documents.isEmpty() && (documents.peekFirst().epoch() < oldest || documents.size() > MAX_DOCUMENTS)) {
      documents.removeFirst();
    }
    return before;
  }

  /** The slices of {@code map} owned by their rule's target ({@code null} slice: an unsliced rule). */
  private static Set<String> onTarget(AuthorityMap map) {
    Set<String> keys = new LinkedHashSet<>();
    for (Rule rule : map.rules()) {
      if (!rule.sliced()) {
        if (rule.state() == MigrationState.TARGET_AUTHORITY) {
          keys.add(key(rule.name(), null));
        }
        continue;
      }
      for (Slice slice : rule.slices()) {
        if (slice.owner().equals(rule.target())) {
          keys.add(key(rule.name(), slice.name()));
        }
      }
      if (rule.target().equals(rule.nullKeyOwner())) {
        keys.add(key(rule.name(), Rule.NULL_KEY_SLICE));
      }
    }
    return keys;
  }

  static String key(String rule, String slice) {
    return rule + '\u0000' + (slice == null ? "" : slice);
  }
}
