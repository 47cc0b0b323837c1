package dev.turnout.status;

/**
 * The cluster id pinning of one alias ({@code turnout.cluster.<alias>.expected.cluster.id}).
 *
 * @param expected the expected cluster id, or {@code null} when the alias is not pinned
 * @param observed the id the cluster behind the alias reported last, or {@code null} when none was read yet
 *     (or the alias is not pinned: unpinned aliases are not checked)
 * @param verdict what the check concludes
 */
public record ClusterIdCheck(String expected, String observed, Verdict verdict) {

  /** The outcome of the check. */
  public enum Verdict {
    /** No expected id is configured: not checked. */
    NOT_PINNED,
    /** Pinned, but the cluster has not reported its id yet. */
    NOT_SEEN,
    /** The cluster reports the expected id. */
    MATCH,
    /** The cluster reports another id: every send to the alias is refused ({@code CLUSTER_ID_MISMATCH}). */
    MISMATCH
  }

  /** The check of an alias without an expected id. */
  public static final ClusterIdCheck NOT_PINNED = new ClusterIdCheck(null, null, Verdict.NOT_PINNED);
}
