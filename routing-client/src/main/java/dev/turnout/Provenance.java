package dev.turnout;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.ProvenanceHeaders.RouteStamp;
import dev.turnout.internal.provenance.RecordIds;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Where a record came from, read back from the two headers a Turnout producer stamps on every routed
 * record:
 *
 * <ul>
 *   <li>{@code turnout.route}: UTF-8 {@code <origin alias>/<epoch>/<rule>/<slice>} ({@code -} for no slice);
 *   <li>{@code turnout.id}: 16 bytes, unique per record (producer instance and sequence).
 * </ul>
 *
 * <p>Records replicated by MirrorMaker 2 or a cluster link keep these headers, so a record read on the
 * target still names the cluster it was first written to.
 */
public final class Provenance {

  /** Name of the route header. */
  public static final String ROUTE_HEADER = ProvenanceHeaders.ROUTE;
  /** Name of the id header. */
  public static final String ID_HEADER = ProvenanceHeaders.ID;
  /**
   * Name of the marker header on copies that reconciliation ({@code dev.turnout.reconcile}) wrote to the source:
   * UTF-8 {@code <target alias>/<partition>/<offset>}, where the original record is on the target.
   */
  public static final String RECONCILED_HEADER = ProvenanceHeaders.RECONCILED;

  private final String origin;
  private final long epoch;
  private final String rule;
  private final String slice;
  private final byte[] id;

  private Provenance(String origin, long epoch, String rule, String slice, byte[] id) {
    this.origin = origin;
    this.epoch = epoch;
    this.rule = rule;
    this.slice = slice;
    this.id = id;
  }

  /** The provenance of a consumed record; empty when it carries no valid Turnout headers. */
  public static Optional<Provenance> of(ConsumerRecord<?, ?> record) {
    return of(Objects.requireNonNull(record, "record").headers());
  }

  /** The provenance in a set of headers; empty when they hold no valid Turnout headers. */
  public static Optional<Provenance> of(Headers headers) {
    Header route = headers.lastHeader(ProvenanceHeaders.ROUTE);
    Header id = headers.lastHeader(ProvenanceHeaders.ID);
    if (route == null || id == null || id.value() == null || id.value().length == 0) {
      return Optional.empty();
    }
    RouteStamp stamp = ProvenanceHeaders.parseRoute(route.value());
    if (stamp == null) {
      return Optional.empty();
    }
    return Optional.of(new Provenance(stamp.origin(), stamp.epoch(), stamp.rule(), stamp.slice(), id.value().clone()));
  }

  /** The alias of the cluster the record was first written to. */
  public String origin() {
    return origin;
  }

  /** The epoch of the authority map that routed it. */
  public long epoch() {
    return epoch;
  }

  /** The name of the rule that routed it. */
  public String rule() {
    return rule;
  }

  /** The slice that routed it, or empty when the rule had no slices. */
  public Optional<String> slice() {
    return Optional.ofNullable(slice);
  }

  /** The record id as lower-case hexadecimal. */
  public String id() {
    return RecordIds.toHex(id);
  }

  /** A copy of the raw record id bytes. */
  public byte[] idBytes() {
    return id.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Provenance p && epoch == p.epoch && origin.equals(p.origin) && rule.equals(p.rule)
        && Objects.equals(slice, p.slice) && Arrays.equals(id, p.id);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, epoch, rule, slice, Arrays.hashCode(id));
  }

  @Override
  public String toString() {
    return origin + '/' + epoch + '/' + rule + '/' + (slice == null ? "-" : slice) + " id=" + id();
  }
}
