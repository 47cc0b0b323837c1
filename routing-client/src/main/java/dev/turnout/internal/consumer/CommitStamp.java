package dev.turnout.internal.consumer;

import java.util.Objects;

/**
 * The Turnout stamp in the metadata of every offset a {@code RoutingConsumer} commits: the epoch of the
 * authority map the commit was made under, and whether it was an ordinary commit or a handover (the last
 * commit on a cluster whose reading of the partition ended). Comparing the stamps of a partition's commits
 * on two clusters tells which cluster holds the live position.
 *
 * <p>Encoding: {@code turnout:<epoch>:c:<application metadata>} for a commit,
 * {@code turnout:<epoch>:h<epoch millis>:<application metadata>} for a handover. Metadata without this
 * prefix is unstamped (a commit by a plain consumer, or by MirrorMaker's group offset sync): epoch -1.
 */
public final class CommitStamp implements Comparable<CommitStamp> {

  /** Kinds of commit, ordered: at the same epoch a commit ranks above a handover (it was made after it). */
  public enum Kind {
    /** The last commit on a cluster whose reading of the partition ended at this epoch. */
    HANDOVER,
    /** An ordinary commit (by the application, by auto-commit, or at a verified boundary). */
    COMMIT
  }

  static final String PREFIX = "turnout:";

  /** The stamp of a commit without Turnout metadata. */
  public static final CommitStamp UNSTAMPED = new CommitStamp(-1, Kind.COMMIT, -1, "");

  private final long epoch;
  private final Kind kind;
  private final long handoverMillis;
  private final String applicationMetadata;

  private CommitStamp(long epoch, Kind kind, long handoverMillis, String applicationMetadata) {
    this.epoch = epoch;
    this.kind = kind;
    this.handoverMillis = handoverMillis;
    this.applicationMetadata = applicationMetadata;
  }

  /** Metadata for an ordinary commit at {@code epoch}, keeping the application's metadata. */
  public static String commit(long epoch, String applicationMetadata) {
    requireEpoch(epoch);
    return PREFIX + epoch + ":c:" + nullToEmpty(applicationMetadata);
  }

  /** Metadata for a handover at {@code epoch}, made at {@code nowMillis} (wall clock). */
  public static String handover(long epoch, long nowMillis, String applicationMetadata) {
    requireEpoch(epoch);
    return PREFIX + epoch + ":h" + Math.max(0, nowMillis) + ":" + nullToEmpty(applicationMetadata);
  }

  /** The stamp in a commit's metadata; {@link #UNSTAMPED} (with the metadata as application metadata) if none. */
  public static CommitStamp parse(String metadata) {
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return metadata == null || metadata.isEmpty() ? UNSTAMPED : new CommitStamp(-1, Kind.COMMIT, -1, metadata);
    }
    int epochEnd = metadata.indexOf(':', PREFIX.length());
    if (epochEnd < 0) {
      return new CommitStamp(-1, Kind.COMMIT, -1, metadata);
    }
    int kindEnd = metadata.indexOf(':', epochEnd + 1);
    if (kindEnd < 0) {
      return new CommitStamp(-1, Kind.COMMIT, -1, metadata);
    }
    try {
      long epoch = Long.parseLong(metadata.substring(PREFIX.length(), epochEnd));
      String kind = metadata.substring(epochEnd + 1, kindEnd);
      String rest = metadata.substring(kindEnd + 1);
      if (epoch < 0) {
        return new CommitStamp(-1, Kind.COMMIT, -1, metadata);
      }
      if (kind.equals("c")) {
        return new CommitStamp(epoch, Kind.COMMIT, -1, rest);
      }
      if (kind.length() > 1 && kind.charAt(0) == 'h') {
        return new CommitStamp(epoch, Kind.HANDOVER, Long.parseLong(kind.substring(1)), rest);
      }
    } catch (NumberFormatException e) {
      // not a stamp
    }
    return new CommitStamp(-1, Kind.COMMIT, -1, metadata);
  }

  /** The application's part of a commit's metadata (what a plain consumer would have committed). */
  public static String applicationMetadata(String metadata) {
    return parse(metadata).applicationMetadata;
  }

  /** The epoch of the authority map the commit was made under; -1 when unstamped. */
  public long epoch() {
    return epoch;
  }

  /** The kind of commit ({@link Kind#COMMIT} when unstamped). */
  public Kind kind() {
    return kind;
  }

  /** Whether the metadata carried a Turnout stamp. */
  public boolean stamped() {
    return epoch >= 0;
  }

  /** Wall-clock time of a handover, -1 for other kinds. */
  public long handoverMillis() {
    return handoverMillis;
  }

  /** The application's metadata ({@code ""} when none). */
  public String applicationMetadata() {
    return applicationMetadata;
  }

  /** Orders by epoch, then kind (a handover before a commit of the same epoch). */
  @Override
  public int compareTo(CommitStamp other) {
    int byEpoch = Long.compare(epoch, other.epoch);
    return byEpoch != 0 ? byEpoch : kind.compareTo(other.kind);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CommitStamp s && epoch == s.epoch && kind == s.kind && handoverMillis == s.handoverMillis
        && applicationMetadata.equals(s.applicationMetadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, kind, handoverMillis, applicationMetadata);
  }

  @Override
  public String toString() {
    return stamped() ? kind + "@" + epoch : "unstamped";
  }

  private static void requireEpoch(long epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must not be negative: " + epoch);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
