package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link IdSet}: exact, bounded, and what it costs per id. */
class IdSetTest {

  private static byte[] id(long hi, long lo) {
    return ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
  }

  @Test
  void holdsExactlyTheIdsAddedNoFalseNegativesNoFalsePositives() {
    Random random = new Random(42);
    int n = 50_000;
    IdSet set = new IdSet(n);
    Set<ByteBuffer> added = new HashSet<>();
    long producer = random.nextLong();
    for (int i = 0; i < n; i++) {
      // turnout.id: an 8-byte producer instance id and a counter, as producers write them; a few producers
      byte[] id = id(producer + (i % 7), i);
      assertThat(set.add(id)).isTrue();
      added.add(ByteBuffer.wrap(id));
    }
    assertThat(set.size()).isEqualTo(n);
    for (ByteBuffer id : added) {
      assertThat(set.contains(id.array())).isTrue();
    }
    int probes = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] other = i % 2 == 0 ? id(random.nextLong(), random.nextLong()) : id(producer + (i % 7), n + i);
      if (!added.contains(ByteBuffer.wrap(other))) {
        probes++;
        assertThat(set.contains(other)).as("an id never added").isFalse();
      }
    }
    assertThat(probes).isGreaterThan(190_000);
  }

  @Test
  void addingTwiceKeepsOneAndTheAllZeroIdIsAnIdLikeAnyOther() {
    IdSet set = new IdSet(3);
    assertThat(set.add(id(0, 0))).isTrue();
    assertThat(set.add(id(0, 0))).isFalse();
    assertThat(set.add(id(1, 2))).isTrue();
    assertThat(set.add(id(1, 2))).isFalse();
    assertThat(set.size()).isEqualTo(2);
    assertThat(set.contains(id(0, 0))).isTrue();
    assertThat(set.contains(id(2, 1))).isFalse();
    assertThat(set.contains(new byte[15])).as("not an id").isFalse();
    assertThat(set.contains(null)).isFalse();
  }

  @Test
  void isBoundedByItsCapacity() {
    IdSet set = new IdSet(2);
    set.add(id(1, 1));
    set.add(id(1, 2));
    assertThatThrownBy(() -> set.add(id(1, 3))).isInstanceOf(IllegalStateException.class).hasMessageContaining("capacity 2");
    assertThat(set.add(id(1, 2))).as("an id already present is no new entry").isFalse();
  }

  @Test
  void markSeenCountsEachIdOnce() {
    IdSet set = new IdSet(3);
    set.add(id(0, 0));
    set.add(id(5, 5));
    set.add(id(6, 6));
    assertThat(set.unseen()).isEqualTo(3);
    assertThat(set.markSeen(id(5, 5))).isTrue();
    assertThat(set.markSeen(id(5, 5))).isTrue();
    assertThat(set.markSeen(id(0, 0))).isTrue();
    assertThat(set.markSeen(id(7, 7))).isFalse();
    assertThat(set.unseen()).isEqualTo(1);
    assertThat(set.markSeen(id(6, 6))).isTrue();
    assertThat(set.unseen()).isZero();
  }

  @Test
  void compactKeepsTheIdsInLessMemory() {
    IdSet big = new IdSet(100_000);
    for (int i = 0; i < 1_000; i++) {
      big.add(id(9, i));
    }
    big.add(id(0, 0));
    IdSet small = big.compact();
    assertThat(small.size()).isEqualTo(1_001);
    for (int i = 0; i < 1_000; i++) {
      assertThat(small.contains(id(9, i))).isTrue();
    }
    assertThat(small.contains(id(0, 0))).isTrue();
    assertThat(small.memoryBytes()).isLessThan(big.memoryBytes() / 50);
  }

  /** The figure the documentation gives: 24 to 48 bytes per id (plus one bit per slot), never more. */
  @Test
  void memoryPerIdStaysWithinTwentyFourToFortyEightBytesAndABit() {
    for (int n : new int[] {1_000, 65_536, 100_000, 174_762, 1_000_000}) {
      IdSet set = new IdSet(n);
      double perId = (double) set.memoryBytes() / n;
      System.out.printf("IdSet(%d): %d bytes, %.1f bytes per id%n", n, set.memoryBytes(), perId);
      assertThat(perId).as("bytes per id for %d ids", n).isBetween(24.0, 48.0 + 0.25);
    }
  }
}
