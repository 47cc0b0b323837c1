package dev.turnout.internal.consumer;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * What identifies one record across clusters: its {@code turnout.id} header when a Turnout producer wrote
 * it, otherwise its fingerprint (timestamp, key bytes, value bytes, and every header in order). Replication
 * by MirrorMaker 2 or a cluster link keeps all of these.
 *
 * <p>Fingerprints are compared exactly (byte for byte), not by hash, so two records match only if a plain
 * producer wrote identical content with the same timestamp; the boundary search reports such a case as
 * ambiguous instead of guessing.
 */
public final class RecordIdentity {

  /**
   * The header reconciliation adds to the copy of a target-only record it writes to the source:
   * {@code <target alias>/<partition>/<offset>} of the original. A copy and its original share their
   * {@code turnout.id}, so matching by id alone would confuse them.
   */
  public static final String RECONCILED = ProvenanceHeaders.RECONCILED;

  private final byte[] id;
  private final byte[] reconciled;
  private final long timestamp;
  private final byte[] key;
  private final byte[] value;
  private final Header[] headers;
  private final long offset;
  private final String origin;

  private RecordIdentity(byte[] id, long timestamp, byte[] key, byte[] value, Header[] headers, long offset,
      String origin, byte[] reconciled) {
    this.id = id;
    this.reconciled = reconciled;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
    this.headers = headers;
    this.offset = offset;
    this.origin = origin;
  }

  /** The identity of a record read as bytes. */
  public static RecordIdentity of(ConsumerRecord<byte[], byte[]> record) {
    return new RecordIdentity(idOf(record.headers()), record.timestamp(), record.key(), record.value(),
        record.headers().toArray(), record.offset(), originOf(record.headers()), reconciledOf(record.headers()));
  }

  /** The {@code turnout.id} of a record, or {@code null} when it has none of the right length. */
  static byte[] idOf(Headers headers) {
    Header header = headers.lastHeader(ProvenanceHeaders.ID);
    return header != null && header.value() != null && header.value().length == ProvenanceHeaders.ID_LENGTH
        ? header.value() : null;
  }

  /** The value of a record's {@value #RECONCILED} marker, or {@code null} when it has none. */
  public static byte[] reconciledOf(Headers headers) {
    Header header = headers.lastHeader(RECONCILED);
    return header == null ? null : header.value();
  }

  /** Whether a record is a reconciled copy (or a replica of one). */
  public static boolean reconciled(Headers headers) {
    return headers.lastHeader(RECONCILED) != null;
  }

  /**
   * Whether a record was written directly to the cluster {@code alias}: its provenance origin is
   * {@code alias} and it is not a reconciled copy (a reconciled copy keeps its original's origin header but
   * was written to the other cluster; its replica on {@code alias} is a copy too).
   */
  public static boolean writtenDirectlyTo(String alias, Headers headers) {
    return writtenDirectlyTo(alias, headers, -1);
  }

  /**
   * As {@link #writtenDirectlyTo(String, Headers)}, routed under epoch {@code sinceEpoch} or later: records
   * written to {@code alias} under an earlier epoch belong to an earlier stay of the group's reads there.
   */
  public static boolean writtenDirectlyTo(String alias, Headers headers, long sinceEpoch) {
    if (alias == null || reconciled(headers)) {
      return false;
    }
    Header header = headers.lastHeader(ProvenanceHeaders.ROUTE);
    ProvenanceHeaders.RouteStamp stamp = header == null ? null : ProvenanceHeaders.parseRoute(header.value());
    return stamp != null && alias.equals(stamp.origin()) && stamp.epoch() >= sinceEpoch;
  }

  /** The origin alias in a record's {@code turnout.route} header, or {@code null}. */
  public static String originOf(Headers headers) {
    Header header = headers.lastHeader(ProvenanceHeaders.ROUTE);
    if (header == null) {
      return null;
    }
    ProvenanceHeaders.RouteStamp stamp = ProvenanceHeaders.parseRoute(header.value());
    return stamp == null ? null : stamp.origin();
  }

  /** Whether {@code candidate} is a copy of this record. */
  public boolean matches(ConsumerRecord<byte[], byte[]> candidate) {
    if (id != null) {
      byte[] other = idOf(candidate.headers());
      // A reconciled copy shares its original's id: the marker tells them apart.
      return other != null && Arrays.equals(id, other) && Arrays.equals(reconciled, reconciledOf(candidate.headers()));
    }
    if (candidate.timestamp() != timestamp || !Arrays.equals(key, candidate.key())
        || !Arrays.equals(value, candidate.value())) {
      return false;
    }
    Header[] other = candidate.headers().toArray();
    if (other.length != headers.length) {
      return false;
    }
    for (int i = 0; i < headers.length; i++) {
      if (!headers[i].key().equals(other[i].key()) || !Arrays.equals(headers[i].value(), other[i].value())) {
        return false;
      }
    }
    return true;
  }

  /** Whether the match is by {@code turnout.id} (unique) rather than by fingerprint. */
  public boolean byId() {
    return id != null;
  }

  /** The record's timestamp. */
  public long timestamp() {
    return timestamp;
  }

  /** The record's offset on the cluster it was read from. */
  public long offset() {
    return offset;
  }

  /** Whether it is a reconciled copy (or a replica of one). */
  public boolean isReconciled() {
    return reconciled != null;
  }

  /** The origin alias of its provenance, or {@code null} for a record without Turnout headers. */
  public String origin() {
    return origin;
  }

  /** A description for logs and exceptions; shows no key or value content. */
  public String describe() {
    if (id != null) {
      return "the record with turnout.id " + RecordIds.toHex(id) + " (offset " + offset + ", timestamp " + timestamp + ")";
    }
    return "the record at offset " + offset + " (timestamp " + timestamp + ", key " + length(key) + ", value "
        + length(value) + ", " + headers.length + " header(s); matched by fingerprint)";
  }

  private static String length(byte[] bytes) {
    return bytes == null ? "null" : bytes.length + " bytes";
  }

  @Override
  public String toString() {
    return describe();
  }
}
