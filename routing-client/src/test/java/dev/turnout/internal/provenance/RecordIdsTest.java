package dev.turnout.internal.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordIdsTest {

  @Test
  void idsAreSixteenBytes() {
    RecordIds ids = new RecordIds();
    for (int i = 0; i < 10; i++) {
      assertThat(ids.next()).hasSize(ProvenanceHeaders.ID_LENGTH).hasSize(16);
    }
  }

  @Test
  void eachCallReturnsANewArray() {
    RecordIds ids = new RecordIds(1);
    byte[] a = ids.next();
    byte[] b = ids.next();
    assertThat(a).isNotSameAs(b);
    byte[] copy = b.clone();
    a[15] ^= 0x7F; // callers may own and modify what they get
    assertThat(b).isEqualTo(copy);
  }

  @ParameterizedTest
  @ValueSource(longs = {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x0123456789ABCDEFL, 0xFEDCBA9876543210L})
  void idIsBigEndianInstanceThenSequence(long instance) {
    RecordIds ids = new RecordIds(instance);
    assertThat(ids.instance()).isEqualTo(instance);
    long previous = Long.MIN_VALUE;
    for (int i = 0; i < 100; i++) {
      byte[] id = ids.next();
      ByteBuffer buf = ByteBuffer.wrap(id); // big-endian by default: an independent decoder
      assertThat(buf.getLong(0)).isEqualTo(instance);
      long sequence = buf.getLong(8);
      assertThat(RecordIds.instanceOf(id)).isEqualTo(instance);
      assertThat(RecordIds.sequenceOf(id)).isEqualTo(sequence);
      if (i > 0) {
        assertThat(sequence).as("consecutive sequence numbers").isEqualTo(previous + 1);
      }
      previous = sequence;
    }
  }

  @Test
  void sequenceAndInstanceOfHandBuiltIds() {
    byte[] id = ByteBuffer.allocate(16).putLong(0xCAFEBABE12345678L).putLong(0x0102030405060708L).array();
    assertThat(RecordIds.instanceOf(id)).isEqualTo(0xCAFEBABE12345678L);
    assertThat(RecordIds.sequenceOf(id)).isEqualTo(0x0102030405060708L);
    byte[] high = ByteBuffer.allocate(16).putLong(-2L).putLong(-3L).array();
    assertThat(RecordIds.instanceOf(high)).isEqualTo(-2L);
    assertThat(RecordIds.sequenceOf(high)).isEqualTo(-3L);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 8, 15, 17, 32})
  void sequenceOfAnIdOfAnotherLengthIsMinusOne(int length) {
    assertThat(RecordIds.sequenceOf(new byte[length])).isEqualTo(-1L);
  }

  @Test
  void sequenceOfNullIsMinusOne() {
    assertThat(RecordIds.sequenceOf(null)).isEqualTo(-1L);
  }

  @Test
  void idsAreUniqueAcrossOneHundredThousandCalls() {
    RecordIds ids = new RecordIds();
    Set<ByteBuffer> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      byte[] id = ids.next();
      assertThat(seen.add(ByteBuffer.wrap(id))).as("duplicate id %s at call %d", RecordIds.toHex(id), i).isTrue();
      assertThat(RecordIds.instanceOf(id)).isEqualTo(ids.instance());
    }
    assertThat(seen).hasSize(100_000);
  }

  @Test
  void idsAreUniqueAndSequencesContiguousAcrossThreads() throws Exception {
    int threads = 4;
    int perThread = 50_000;
    RecordIds ids = new RecordIds();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Callable<long[]>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        tasks.add(() -> {
          start.await();
          long[] sequences = new long[perThread];
          for (int i = 0; i < perThread; i++) {
            byte[] id = ids.next();
            if (id.length != 16 || RecordIds.instanceOf(id) != ids.instance()) {
              throw new AssertionError("bad id " + RecordIds.toHex(id));
            }
            sequences[i] = RecordIds.sequenceOf(id);
          }
          return sequences;
        });
      }
      List<Future<long[]>> futures = new ArrayList<>();
      for (Callable<long[]> task : tasks) {
        futures.add(pool.submit(task));
      }
      start.countDown();
      Set<Long> all = new HashSet<>();
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (Future<long[]> f : futures) {
        long[] sequences = f.get();
        for (int i = 0; i < sequences.length; i++) {
          assertThat(all.add(sequences[i])).as("duplicate sequence %d", sequences[i]).isTrue();
          if (i > 0) {
            assertThat(sequences[i]).as("per-thread order").isGreaterThan(sequences[i - 1]);
          }
          min = Math.min(min, sequences[i]);
          max = Math.max(max, sequences[i]);
        }
      }
      assertThat(all).hasSize(threads * perThread);
      assertThat(max - min + 1).as("no sequence number skipped").isEqualTo(threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void generatorsGetDifferentRandomInstances() {
    Set<Long> instances = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      instances.add(new RecordIds().instance());
    }
    assertThat(instances).as("random 64-bit instance ids").hasSize(100);
    RecordIds a = new RecordIds();
    RecordIds b = new RecordIds();
    assertThat(a.next()).isNotEqualTo(b.next());
  }

  @Test
  void hexIsLowerCaseTwoDigitsPerByte() {
    byte[] id = {0x00, 0x0f, 0x10, (byte) 0xff, 0x7f, (byte) 0x80, (byte) 0xa5, 0x5a};
    assertThat(RecordIds.toHex(id)).isEqualTo("000f10ff7f80a55a");
    assertThat(RecordIds.toHex(new byte[0])).isEmpty();
  }

  @Test
  void hexMatchesTheJdkFormatter() {
    Random random = new Random(99);
    HexFormat hex = HexFormat.of();
    RecordIds ids = new RecordIds(random.nextLong());
    for (int i = 0; i < 1_000; i++) {
      byte[] id = i % 2 == 0 ? ids.next() : new byte[16];
      if (i % 2 == 1) {
        random.nextBytes(id);
      }
      String text = RecordIds.toHex(id);
      assertThat(text).hasSize(32).isEqualTo(hex.formatHex(id)).matches("[0-9a-f]{32}");
      assertThat(hex.parseHex(text)).isEqualTo(id);
    }
  }
}
