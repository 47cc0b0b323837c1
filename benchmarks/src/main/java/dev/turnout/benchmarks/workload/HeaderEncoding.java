package dev.turnout.benchmarks.workload;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.DefaultRecord;

/**
 * Ways of carrying provenance in record headers, applied by a raw {@code KafkaProducer} to measure what the
 * format costs. {@link #TWO_HEADERS} is Turnout's format; the others are leaner candidates measured for
 * comparison, not formats Turnout writes.
 */
public enum HeaderEncoding {
  /** No headers: the raw baseline. */
  NONE("no headers"),
  /** Turnout's format: {@code turnout.route} (UTF-8 route) and {@code turnout.id} (16 bytes). */
  TWO_HEADERS("turnout.route + turnout.id"),
  /** One header {@code turnout} whose value is the 16-byte id followed by the UTF-8 route. */
  ONE_HEADER("one header: id + route"),
  /** Only the 16-byte {@code turnout.id}: the least any per-record identity can cost. */
  ID_ONLY("turnout.id only");

  /** The route header of every benchmark record: {@code onprem-east/1042/orders-eu/early}, 32 bytes. */
  public static final Header ROUTE = ProvenanceHeaders.routeHeader("onprem-east", 1042, "orders-eu", "early");
  /** Key of the {@link #ONE_HEADER} header. */
  public static final String ONE_HEADER_KEY = "turnout";

  private final String description;

  HeaderEncoding(String description) {
    this.description = description;
  }

  /** What the encoding puts on a record. */
  public String description() {
    return description;
  }

  /** Adds this encoding's headers, with a new id from {@code ids}, to {@code headers}. */
  public void apply(Headers headers, RecordIds ids) {
    switch (this) {
      case NONE -> { }
      case TWO_HEADERS -> headers.add(ROUTE).add(ProvenanceHeaders.ID, ids.next());
      case ONE_HEADER -> {
        byte[] route = ROUTE.value();
        byte[] value = new byte[ProvenanceHeaders.ID_LENGTH + route.length];
        System.arraycopy(ids.next(), 0, value, 0, ProvenanceHeaders.ID_LENGTH);
        System.arraycopy(route, 0, value, ProvenanceHeaders.ID_LENGTH, route.length);
        headers.add(ONE_HEADER_KEY, value);
      }
      case ID_ONLY -> headers.add(ProvenanceHeaders.ID, ids.next());
      default -> throw new IllegalStateException(name());
    }
  }

  /** Bytes this encoding adds to one uncompressed record in a batch with the given key and value sizes. */
  public int bytesAdded(int keySize, int valueSize) {
    RecordHeaders headers = new RecordHeaders();
    apply(headers, new RecordIds(1));
    return DefaultRecord.sizeInBytes(1, 1L, keySize, valueSize, headers.toArray())
        - DefaultRecord.sizeInBytes(1, 1L, keySize, valueSize, new Header[0]);
  }

}
