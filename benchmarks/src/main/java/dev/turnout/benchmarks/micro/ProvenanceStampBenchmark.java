package dev.turnout.benchmarks.micro;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Provenance stamping per record, as {@code RoutingProducer} does it: a new record id, the caller's headers
 * copied without any provenance headers, the precomputed route header and the id header, and the copy of
 * the record that carries them. {@code copyOnly} is the copy without stamping, for the difference.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProvenanceStampBenchmark {

  /** A route header of realistic length: {@code onprem-east/1042/orders-eu/early} (32 bytes). */
  public static final Header ROUTE = ProvenanceHeaders.routeHeader("onprem-east", 1042, "orders-eu", "early");

  @Param({"0", "2"})
  public int callerHeaders;

  private final RecordIds ids = new RecordIds();
  private ProducerRecord<byte[], byte[]> record;

  @Setup
  public void setUp() {
    RecordHeaders headers = new RecordHeaders();
    for (int i = 0; i < callerHeaders; i++) {
      headers.add(new RecordHeader("trace-" + i, ("value-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    record = new ProducerRecord<>("orders", null, null, "customer-004711".getBytes(StandardCharsets.UTF_8),
        new byte[100], headers);
  }

  @Benchmark
  public ProducerRecord<byte[], byte[]> stampAndCopy() {
    return ProvenanceHeaders.stampedCopy(record, ROUTE, ids.next());
  }

  @Benchmark
  public ProducerRecord<byte[], byte[]> copyOnly() {
    return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
        record.value(), record.headers());
  }
}
