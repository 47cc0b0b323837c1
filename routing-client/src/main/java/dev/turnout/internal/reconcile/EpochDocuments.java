package dev.turnout.internal.reconcile;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Rule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The authority documents given with a request, by epoch. A record routed under epoch {@code e} is checked
 * against the document of epoch {@code e}, or of the nearest lower epoch given.
 */
public final class EpochDocuments {

  private final NavigableMap<Long, AuthorityMap> byEpoch = new TreeMap<>();

  /**
   * @throws IllegalArgumentException when {@code maps} is empty or holds two different documents of one epoch
   */
  public EpochDocuments(Collection<AuthorityMap> maps) {
    for (AuthorityMap map : maps) {
      AuthorityMap earlier = byEpoch.putIfAbsent(map.epoch(), map);
      if (earlier != null && !earlier.sameDocument(map)) {
        throw new IllegalArgumentException("two different documents of epoch " + map.epoch()
            + " were given: give one document per epoch");
      }
    }
    if (byEpoch.isEmpty()) {
      throw new IllegalArgumentException("no authority document was given: give the documents of the epochs to "
          + "reconcile (at least the one in force at the first epoch)");
    }
  }

  /** The document a record of {@code epoch} is checked against. */
  public AuthorityMap forEpoch(long epoch) {
    Map.Entry<Long, AuthorityMap> e = byEpoch.floorEntry(epoch);
    if (e == null) {
      throw new ReconcileFailure(ReconcileFailure.Kind.MISSING_DOCUMENT, "no authority document for epoch " + epoch
          + ": the lowest epoch given is " + byEpoch.firstKey() + ". Add the document of epoch " + epoch
          + " (or of an earlier epoch still in force at " + epoch + ") to the request's documents.");
    }
    return e.getValue();
  }

  /** The documents in force during {@code fromEpoch..toEpoch}: the one at {@code fromEpoch} and later ones. */
  public List<AuthorityMap> inForce(long fromEpoch, long toEpoch) {
    List<AuthorityMap> out = new ArrayList<>();
    out.add(forEpoch(fromEpoch));
    out.addAll(byEpoch.subMap(fromEpoch, false, toEpoch, true).values());
    return out;
  }

  /** Whether {@code other} holds the same documents (same canonical content and clusters) for the same epochs. */
  public boolean sameAs(EpochDocuments other) {
    if (other == null || !byEpoch.keySet().equals(other.byEpoch.keySet())) {
      return false;
    }
    for (Map.Entry<Long, AuthorityMap> e : byEpoch.entrySet()) {
      AuthorityMap theirs = other.byEpoch.get(e.getKey());
      if (!e.getValue().sameDocument(theirs) || !e.getValue().clusters().equals(theirs.clusters())) {
        return false;
      }
    }
    return true;
  }

  /** The rule named {@code name} in {@code map}, or {@code null}. */
  public static Rule rule(AuthorityMap map, String name) {
    for (Rule rule : map.rules()) {
      if (rule.name().equals(name)) {
        return rule;
      }
    }
    return null;
  }
}
