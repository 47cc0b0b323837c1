package dev.turnout.internal.consumer;

/**
 * An exact set of 16-byte {@code turnout.id} values, fixed in size when built: open addressing with linear
 * probing over one {@code long[]} (two longs per slot), at most two thirds full. Exact, not probabilistic: a
 * lookup never answers "present" for an id that was not added, so withholding by this set never skips a
 * record that was not processed.
 *
 * <p>Memory: {@link #memoryBytes()}, between 24 and 48 bytes per id (the table is a power of two of 16-byte
 * slots, at least 1.5 slots per id) plus one bit per slot for {@link #markSeen}. Not thread-safe: built on the
 * switch worker's thread, then used by the polling thread only.
 */
final class IdSet {

  private static final int ID_LENGTH = 16;

  private final long[] slots;
  private final long[] seenBits;
  private final int mask;
  private final int capacity;
  private int size;
  private int unseen;
  private boolean hasZero;
  private boolean zeroSeen;

  /** An empty set able to hold {@code capacity} ids. */
  IdSet(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    }
    this.capacity = capacity;
    long wanted = Math.max(2, (long) capacity + (capacity + 1) / 2);
    int tableSlots = Integer.highestOneBit((int) Math.min(1 << 29, wanted - 1)) << 1;
    this.slots = new long[tableSlots * 2];
    this.seenBits = new long[(tableSlots + 63) / 64];
    this.mask = tableSlots - 1;
  }

  /** Adds an id; returns whether it was absent. Throws {@link IllegalStateException} beyond the capacity. */
  boolean add(byte[] id) {
    requireId(id);
    long hi = readLong(id, 0);
    long lo = readLong(id, 8);
    if (hi == 0 && lo == 0) {
      if (hasZero) {
        return false;
      }
      checkRoom();
      hasZero = true;
      size++;
      unseen++;
      return true;
    }
    int i = slotOf(hi, lo);
    while (true) {
      long h = slots[2 * i];
      long l = slots[2 * i + 1];
      if (h == 0 && l == 0) {
        checkRoom();
        slots[2 * i] = hi;
        slots[2 * i + 1] = lo;
        size++;
        unseen++;
        return true;
      }
      if (h == hi && l == lo) {
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  /** Whether the id was added. */
  boolean contains(byte[] id) {
    return find(id) >= -1;
  }

  /**
   * Whether the id was added; the first time an added id is looked up this way it counts as seen
   * ({@link #unseen()} decreases).
   */
  boolean markSeen(byte[] id) {
    int slot = find(id);
    if (slot == -2) {
      return false;
    }
    if (slot == -1) {
      if (!zeroSeen) {
        zeroSeen = true;
        unseen--;
      }
      return true;
    }
    long bit = 1L << (slot & 63);
    if ((seenBits[slot >>> 6] & bit) == 0) {
      seenBits[slot >>> 6] |= bit;
      unseen--;
    }
    return true;
  }

  /** The slot of an id, -1 for the all-zero id when present, -2 when absent. */
  private int find(byte[] id) {
    if (id == null || id.length != ID_LENGTH) {
      return -2;
    }
    long hi = readLong(id, 0);
    long lo = readLong(id, 8);
    if (hi == 0 && lo == 0) {
      return hasZero ? -1 : -2;
    }
    int i = slotOf(hi, lo);
    while (true) {
      long h = slots[2 * i];
      long l = slots[2 * i + 1];
      if (h == hi && l == lo) {
        return i;
      }
      if (h == 0 && l == 0) {
        return -2;
      }
      i = (i + 1) & mask;
    }
  }

  /** The number of ids. */
  int size() {
    return size;
  }

  /** The ids not yet looked up with {@link #markSeen}. */
  int unseen() {
    return unseen;
  }

  /** The ids it can hold. */
  int capacity() {
    return capacity;
  }

  /** The bytes of its arrays (the set's own memory, headers of the two arrays included). */
  long memoryBytes() {
    return 16L + slots.length * 8L + 16L + seenBits.length * 8L;
  }

  /** A set holding the same ids with a capacity of exactly its size (to shed a generous first estimate). */
  IdSet compact() {
    IdSet out = new IdSet(size);
    byte[] id = new byte[ID_LENGTH];
    if (hasZero) {
      out.add(id);
    }
    for (int i = 0; i <= mask; i++) {
      long h = slots[2 * i];
      long l = slots[2 * i + 1];
      if (h != 0 || l != 0) {
        writeLong(id, 0, h);
        writeLong(id, 8, l);
        out.add(id);
      }
    }
    return out;
  }

  private void checkRoom() {
    if (size >= capacity) {
      throw new IllegalStateException("id set full: capacity " + capacity);
    }
  }

  private int slotOf(long hi, long lo) {
    long h = hi * 0x9E3779B97F4A7C15L ^ lo;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    return (int) h & mask;
  }

  private static void requireId(byte[] id) {
    if (id == null || id.length != ID_LENGTH) {
      throw new IllegalArgumentException("an id has " + ID_LENGTH + " bytes");
    }
  }

  private static long readLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  private static void writeLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }
}
