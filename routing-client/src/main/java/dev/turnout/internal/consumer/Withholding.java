package dev.turnout.internal.consumer;

import org.apache.kafka.common.header.Headers;

/**
 * Which records of one partition the consumer leaves out after a switch, because they are copies of records
 * the group already processed on the other cluster. Two rules, either or both:
 *
 * <ul>
 *   <li><b>Below a boundary</b>: records below {@link #below()} are copies of processed records and are
 *       withheld, except those the rule keeps: on a forward move, records written directly to the new
 *       cluster ({@link RecordIdentity#writtenDirectlyTo}); on a move back, reconciled copies (which the id
 *       rule then judges). The rule ends at the first record at or past the boundary.
 *   <li><b>By id</b>: records whose {@code turnout.id} is in the processed set (derived from the other
 *       cluster's log) are withheld wherever they appear. A record without an id, or with an id not in the
 *       set, is delivered. The rule ends once every id of the set has been met.
 * </ul>
 *
 * <p>Built by the switch worker, then used by the polling thread only (not thread-safe). Kept in the
 * {@link PartitionBook} while active; the poll path looks records up only for partitions holding one.
 */
public final class Withholding {

  private long below;
  private final String keepDirectOn;
  private final long keepSinceEpoch;
  private final IdSet processed;
  private long withheldById;

  private Withholding(long below, String keepDirectOn, long keepSinceEpoch, IdSet processed) {
    this.below = below;
    this.keepDirectOn = keepDirectOn;
    this.keepSinceEpoch = keepSinceEpoch;
    this.processed = processed;
  }

  /**
   * Forward move: withhold records below {@code below}, except those written directly to {@code keepDirectOn}
   * under epoch {@code sinceEpoch} or later.
   */
  static Withholding below(long below, String keepDirectOn, long sinceEpoch) {
    return new Withholding(below, keepDirectOn, sinceEpoch, null);
  }

  /**
   * Move back: withhold records below {@code below} (-1: none) except reconciled copies, and every record
   * whose id is in {@code processed} ({@code null}: none).
   */
  static Withholding movedBack(long below, IdSet processed) {
    return new Withholding(below, null, -1, processed);
  }

  /**
   * Whether the record at {@code offset} is withheld. Records must be presented in offset order.
   */
  public boolean withholds(long offset, Headers headers) {
    if (below >= 0) {
      if (offset < below) {
        if (!kept(headers)) {
          return true;
        }
      } else {
        below = -1;
      }
    }
    if (processed != null && processed.unseen() > 0) {
      byte[] id = RecordIdentity.idOf(headers);
      if (id != null && processed.markSeen(id)) {
        withheldById++;
        return true;
      }
    }
    return false;
  }

  private boolean kept(Headers headers) {
    return keepDirectOn != null ? RecordIdentity.writtenDirectlyTo(keepDirectOn, headers, keepSinceEpoch)
        : RecordIdentity.reconciled(headers);
  }

  /** Whether nothing remains to withhold (the boundary was passed and every processed id was met). */
  public boolean finished() {
    return below < 0 && (processed == null || processed.unseen() == 0);
  }

  /** The boundary rule's offset, -1 once passed or when not used. */
  public long below() {
    return below;
  }

  /** The ids of the processed set, 0 without one. */
  public int processedIds() {
    return processed == null ? 0 : processed.size();
  }

  /** Returns and resets the count of records withheld by id since the last call (for the metrics). */
  public long takeWithheldById() {
    long n = withheldById;
    withheldById = 0;
    return n;
  }

  @Override
  public String toString() {
    return "Withholding{below=" + below + (keepDirectOn != null ? ", keeping records written to '" + keepDirectOn
        + "'" : "") + (processed != null ? ", " + processed.unseen() + " of " + processed.size()
        + " processed id(s) not met yet" : "") + '}';
  }
}
