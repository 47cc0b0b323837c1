package dev.turnout.internal.provenance;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Encoding and decoding of the two provenance headers.
 *
 * <ul>
 *   <li>{@value #ROUTE}: UTF-8 {@code <origin alias>/<epoch>/<rule>/<slice>}, slice {@code -} when the rule
 *       has none. Aliases, rule and slice names never contain {@code /}.
 *   <li>{@value #ID}: {@value #ID_LENGTH} bytes, the producer instance id (8 bytes) followed by a big-endian
 *       sequence number (8 bytes).
 * </ul>
 *
 * <p>Reconciliation adds a third header to the copies it writes to the source: {@value #RECONCILED}, UTF-8
 * {@code <target alias>/<partition>/<offset>}, the place of the original record on the target.
 */
public final class ProvenanceHeaders {

  /** Header naming the cluster, epoch, rule and slice that routed the record. */
  public static final String ROUTE = "turnout.route";
  /** Header carrying the record's unique id. */
  public static final String ID = "turnout.id";
  /** Length of a {@value #ID} value in bytes. */
  public static final int ID_LENGTH = 16;
  /** Slice written in {@value #ROUTE} when the rule has no slices. */
  public static final String NO_SLICE = "-";
  /** Header marking a copy written to the source by reconciliation: where the original is on the target. */
  public static final String RECONCILED = "turnout.reconciled";

  private ProvenanceHeaders() {}

  /** Builds the immutable route header for one routing decision; computed once per epoch and decision. */
  public static Header routeHeader(String origin, long epoch, String rule, String slice) {
    String value = origin + '/' + epoch + '/' + rule + '/' + (slice == null ? NO_SLICE : slice);
    return new RecordHeader(ROUTE, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The routed copy of a caller's record: the same topic, partition, timestamp, key and value, with the
   * caller's headers in order, except any {@value #ROUTE}, {@value #ID} or {@value #RECONCILED} (a record routed
   * anew is no reconciled copy, even when it was built from a consumed one), followed by {@code routeHeader} and
   * a new {@value #ID} header holding {@code id}. The caller's record is not modified. The headers are added to
   * the copy's own header list (no intermediate list for {@code ProducerRecord}'s constructor to copy).
   *
   * @param routeHeader the precomputed header of the routing decision
   * @param id the record id ({@link RecordIds#next()})
   */
  public static <K, V> ProducerRecord<K, V> stampedCopy(ProducerRecord<K, V> record, Header routeHeader, byte[] id) {
    ProducerRecord<K, V> copy = new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(),
        record.key(), record.value(), (Iterable<Header>) null);
    Headers headers = copy.headers();
    for (Header h : record.headers().toArray()) {
      String key = h.key();
      if (!ROUTE.equals(key) && !ID.equals(key) && !RECONCILED.equals(key)) {
        headers.add(h);
      }
    }
    headers.add(routeHeader);
    headers.add(new RecordHeader(ID, id));
    return copy;
  }

  /** The {@value #RECONCILED} marker of a copy of the target record at {@code partition} and {@code offset}. */
  public static Header reconciledHeader(String targetAlias, int partition, long offset) {
    String value = targetAlias + '/' + partition + '/' + offset;
    return new RecordHeader(RECONCILED, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Parsed form of a {@value #RECONCILED} value, or {@code null} when the value is not one. */
  public static ReconciledStamp parseReconciled(byte[] value) {
    if (value == null) {
      return null;
    }
    String[] parts = new String(value, StandardCharsets.UTF_8).split("/", -1);
    if (parts.length != 3 || parts[0].isEmpty()) {
      return null;
    }
    try {
      int partition = Integer.parseInt(parts[1]);
      long offset = Long.parseLong(parts[2]);
      return partition < 0 || offset < 0 ? null : new ReconciledStamp(parts[0], partition, offset);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The decoded fields of a {@value #RECONCILED} marker: where the original record is on the target. */
  public record ReconciledStamp(String targetAlias, int partition, long offset) {
    public ReconciledStamp {
      Objects.requireNonNull(targetAlias, "targetAlias");
    }
  }

  /** Parsed form of a {@value #ROUTE} value, or {@code null} when the value is not one. */
  public static RouteStamp parseRoute(byte[] value) {
    if (value == null) {
      return null;
    }
    String text = new String(value, StandardCharsets.UTF_8);
    String[] parts = text.split("/", -1);
    if (parts.length != 4 || parts[0].isEmpty() || parts[2].isEmpty() || parts[3].isEmpty()) {
      return null;
    }
    long epoch;
    try {
      epoch = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      return null;
    }
    if (epoch < 0) {
      return null;
    }
    return new RouteStamp(parts[0], epoch, parts[2], NO_SLICE.equals(parts[3]) ? null : parts[3]);
  }

  /** The decoded fields of a route header. {@code slice} is {@code null} for an unsliced rule. */
  public record RouteStamp(String origin, long epoch, String rule, String slice) {
    public RouteStamp {
      Objects.requireNonNull(origin, "origin");
      Objects.requireNonNull(rule, "rule");
    }
  }
}
