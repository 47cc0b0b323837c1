package dev.turnout.internal.cutover;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The maps installed so far, newest first, reduced to those that can still name the last owner of some
 * topic: for a topic, the last owner of its writes is given by the newest map with a rule for it (and for
 * null keys, the newest whose rule routes null keys), however many maps without one came after. A cutover
 * compares the new map with that owner, not only with the map just before, so a topic that passes through
 * an epoch routing it nowhere still gets its barrier. Immutable.
 */
final class RoutingHistory {

  private final List<AuthorityMap> maps; // newest first, never empty

  private RoutingHistory(List<AuthorityMap> maps) {
    this.maps = maps;
  }

  /** A history of one map. */
  static RoutingHistory of(AuthorityMap map) {
    return new RoutingHistory(List.of(Objects.requireNonNull(map, "map")));
  }

  /** This history with {@code next} installed after it; older maps that {@code next} shadows are dropped. */
  RoutingHistory then(AuthorityMap next) {
    List<AuthorityMap> kept = new ArrayList<>(maps.size() + 1);
    kept.add(next);
    for (AuthorityMap older : maps) {
      if (!shadows(next, older)) {
        kept.add(older);
      }
    }
    return new RoutingHistory(List.copyOf(kept));
  }

  /** The newest map. */
  AuthorityMap latest() {
    return maps.get(0);
  }

  /** The rule of the newest map that has one for {@code topic}, or {@code null}. */
  Rule lastRule(String topic) {
    for (AuthorityMap map : maps) {
      Rule rule = map.ruleFor(topic);
      if (rule != null) {
        return rule;
      }
    }
    return null;
  }

  /** The null-key route of the newest map whose rule for {@code topic} routes null keys, or {@code null}. */
  Route lastNullKeyRoute(String topic) {
    for (AuthorityMap map : maps) {
      Rule rule = map.ruleFor(topic);
      Route route = rule == null ? null : nullKeyRoute(rule);
      if (route != null && route.routable()) {
        return route;
      }
    }
    return null;
  }

  /** Number of maps kept (for tests). */
  int size() {
    return maps.size();
  }

  static Route nullKeyRoute(Rule rule) {
    return rule.unslicedRoute() != null ? rule.unslicedRoute() : rule.nullKeyRoute();
  }

  /**
   * Whether {@code newer} makes {@code older} useless: every topic {@code older} governs is governed by
   * {@code newer} too (each of its rules' selectors recur in {@code newer}), and null keys are routed by
   * {@code newer} wherever {@code older} might have routed them. Conservative: false keeps the older map.
   */
  private static boolean shadows(AuthorityMap newer, AuthorityMap older) {
    boolean olderRoutesNullKeys = false;
    for (Rule rule : older.rules()) {
      olderRoutesNullKeys |= routesNullKeys(rule);
      boolean found = false;
      for (Rule candidate : newer.rules()) {
        if (candidate.topics().equals(rule.topics()) && candidate.prefixes().equals(rule.prefixes())) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    if (!olderRoutesNullKeys) {
      return true;
    }
    for (Rule rule : newer.rules()) {
      if (!routesNullKeys(rule)) {
        return false;
      }
    }
    return true;
  }

  private static boolean routesNullKeys(Rule rule) {
    Route route = nullKeyRoute(rule);
    return route != null && route.routable();
  }
}
