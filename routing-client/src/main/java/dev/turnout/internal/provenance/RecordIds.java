package dev.turnout.internal.provenance;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates {@link ProvenanceHeaders#ID} values: a random 8-byte producer instance id followed by a
 * per-instance sequence. Thread-safe and lock-free.
 */
public final class RecordIds {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final long instance;
  private final AtomicLong sequence = new AtomicLong();

  /** A generator with a fresh random instance id. */
  public RecordIds() {
    this(RANDOM.nextLong());
  }

  /** A generator with the given instance id (tests and tools). */
  public RecordIds(long instance) {
    this.instance = instance;
  }

  /** The instance id shared by every id this generator returns. */
  public long instance() {
    return instance;
  }

  /** The next id: 16 new bytes. */
  public byte[] next() {
    long seq = sequence.incrementAndGet();
    byte[] id = new byte[ProvenanceHeaders.ID_LENGTH];
    putLong(id, 0, instance);
    putLong(id, 8, seq);
    return id;
  }

  /** Lower-case hexadecimal form of an id. */
  public static String toHex(byte[] id) {
    char[] out = new char[id.length * 2];
    for (int i = 0; i < id.length; i++) {
      out[2 * i] = HEX[(id[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[id[i] & 0xF];
    }
    return new String(out);
  }

  /** The sequence part of an id produced by this class, or -1 when the id has another length. */
  public static long sequenceOf(byte[] id) {
    return id != null && id.length == ProvenanceHeaders.ID_LENGTH ? getLong(id, 8) : -1;
  }

  /** The instance part of an id produced by this class; only meaningful when the length is 16. */
  public static long instanceOf(byte[] id) {
    return getLong(id, 0);
  }

  private static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFFL);
    }
    return v;
  }
}
