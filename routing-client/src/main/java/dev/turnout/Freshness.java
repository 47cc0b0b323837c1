package dev.turnout;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.source.AuthorityRefresher;

/** Whether a refresher's map lets routing proceed, and if not, why: the one wording of the status API. */
final class Freshness {

  private Freshness() {}

  /** {@code null} when routing may proceed; otherwise why every decision is refused. */
  static String failingClosedReason(AuthorityRefresher refresher) {
    AuthorityMap map = refresher.map();
    String cache = refresher.cacheNote() == null ? "" : ". " + refresher.cacheNote();
    if (map == null) {
      return "no valid authority map has been loaded from " + refresher.source().description() + cache;
    }
    if (refresher.isStale(System.nanoTime())) {
      return "the authority map (epoch " + map.epoch() + ") is stale: no refresh from "
          + refresher.source().description() + " has succeeded for " + refresher.ageMillis() + " ms (maximum "
          + refresher.maxStalenessMillis() + " ms)" + cache;
    }
    return null;
  }

  /** The refresher's diagnosis of its last read (error or rejection), or {@code null} when there is none. */
  static String authorityProblem(AuthorityRefresher refresher) {
    String why = refresher.diagnosis();
    return why.isEmpty() ? null : why;
  }
}
