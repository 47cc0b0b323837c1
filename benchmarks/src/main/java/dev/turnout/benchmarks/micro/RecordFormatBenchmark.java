package dev.turnout.benchmarks.micro;

import dev.turnout.benchmarks.workload.HeaderEncoding;
import dev.turnout.benchmarks.workload.Payloads;
import dev.turnout.internal.provenance.RecordIds;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Where provenance headers cost CPU, without a broker or a network in the way, for 100-byte values:
 *
 * <ul>
 *   <li>{@code clientAppend}: the producer's per-record work on a record: the application builds it and adds
 *       the headers, then what {@code KafkaProducer.send} does with them (header array, upper-bound size,
 *       room check, append to a 16 KiB batch as {@code MemoryRecordsBuilder} writes it);
 *   <li>{@code brokerParse}: the broker's per-record work on an uncompressed batch as its validator reads it
 *       (batch CRC, then every record parsed, headers included), per record.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordFormatBenchmark {

  /** Records in the batch {@code brokerParse} reads per invocation. */
  static final int BATCH_RECORDS = 100;
  private static final int BATCH_BYTES = 16 * 1024;

  @Param({"none", "two-headers", "one-header", "id-only"})
  public String encoding;

  private HeaderEncoding headers;
  private final RecordIds ids = new RecordIds();
  private final Payloads payloads = new Payloads(100, 1024, 11);
  private ByteBuffer buffer;
  private MemoryRecordsBuilder builder;
  private MemoryRecords batch;
  private long next;

  @Setup
  public void setUp() {
    headers = HeaderEncoding.valueOf(encoding.toUpperCase(Locale.ROOT).replace('-', '_'));
    buffer = ByteBuffer.allocate(BATCH_BYTES);
    builder = newBuilder();
    MemoryRecordsBuilder full = MemoryRecords.builder(ByteBuffer.allocate(BATCH_BYTES * 4), Compression.NONE,
        TimestampType.CREATE_TIME, 0L);
    for (int i = 0; i < BATCH_RECORDS; i++) {
      full.append(System.currentTimeMillis(), payloads.key(i), payloads.value(i), record(i).headers().toArray());
    }
    batch = full.build();
  }

  private MemoryRecordsBuilder newBuilder() {
    buffer.clear();
    return MemoryRecords.builder(buffer, Compression.NONE, TimestampType.CREATE_TIME, 0L);
  }

  private ProducerRecord<byte[], byte[]> record(long i) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>("orders", null, null, payloads.key(i), payloads.value(i), (Iterable<Header>) null);
    headers.apply(record.headers(), ids);
    return record;
  }

  @Benchmark
  public int clientAppend() {
    long i = next++;
    ProducerRecord<byte[], byte[]> record = record(i);
    Header[] array = record.headers().toArray();
    int upperBound = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
        CompressionType.NONE, record.key(), record.value(), array);
    long timestamp = 1_700_000_000_000L + i;
    if (!builder.hasRoomFor(timestamp, record.key(), record.value(), array)) {
      builder.close();
      builder = newBuilder();
    }
    builder.append(timestamp, record.key(), record.value(), array);
    return upperBound;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH_RECORDS)
  public void brokerParse(Blackhole blackhole) {
    for (RecordBatch b : batch.batches()) {
      b.ensureValid();
      for (Record r : b) {
        blackhole.consume(r.headers());
        blackhole.consume(r.offset());
      }
    }
  }
}
