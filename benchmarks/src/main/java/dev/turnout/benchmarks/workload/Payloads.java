package dev.turnout.benchmarks.workload;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Keys and values of the end-to-end benchmarks: keys such as {@code customer-004711}; values of an exact size
 * that look like application JSON (random ids, amounts and words), so that they compress as real payloads
 * do, not trivially. A pool of distinct values is generated up front, off the measured path.
 */
public final class Payloads {

  private static final String[] WORDS = {
      "order", "shipped", "pending", "invoice", "warehouse", "express", "return", "priority", "customer", "berlin",
      "paris", "madrid", "standard", "gift", "wrapped", "fragile", "delivered", "payment", "card", "transfer",
      "refund", "partial", "bundle", "discount", "coupon", "loyalty", "gold", "silver", "bronze", "region",
      "north", "south", "east", "west", "carrier", "tracking", "label", "printed", "pallet", "crate",
      "small", "medium", "large", "blue", "green", "red", "black", "white", "cotton", "steel"};
  private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF", "JPY", "SEK"};
  private static final String[] STATUS = {"NEW", "PAID", "PACKED", "SHIPPED", "DELIVERED", "RETURNED"};

  private final byte[][] keys;
  private final byte[][] values;
  private final int valueSize;

  /**
   * @param valueSize exact size of every value in bytes (at least 16)
   * @param pool number of distinct values (and keys) to cycle through
   */
  public Payloads(int valueSize, int pool, long seed) {
    if (valueSize < 16) {
      throw new IllegalArgumentException("values must be at least 16 bytes: " + valueSize);
    }
    Random random = new Random(seed);
    this.valueSize = valueSize;
    this.keys = new byte[pool][];
    this.values = new byte[pool][];
    for (int i = 0; i < pool; i++) {
      keys[i] = String.format("customer-%06d", random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
      values[i] = value(random, valueSize);
    }
  }

  /** The size of every value. */
  public int valueSize() {
    return valueSize;
  }

  /** The key of record {@code i}. */
  public byte[] key(long i) {
    return keys[(int) (i % keys.length)];
  }

  /** The value of record {@code i} (values and keys cycle with different periods). */
  public byte[] value(long i) {
    return values[(int) ((i * 7 + 3) % values.length)];
  }

  /** One JSON-like value of exactly {@code size} bytes (ASCII). */
  public static byte[] value(Random random, int size) {
    StringBuilder s = new StringBuilder(size + 64);
    s.append("{\"id\":\"").append(Long.toHexString(random.nextLong())).append(Long.toHexString(random.nextLong()))
        .append("\",\"customer\":\"customer-").append(String.format("%06d", random.nextInt(1_000_000)))
        .append("\",\"amount\":").append(random.nextInt(100_000)).append('.').append(10 + random.nextInt(90))
        .append(",\"currency\":\"").append(CURRENCIES[random.nextInt(CURRENCIES.length)])
        .append("\",\"status\":\"").append(STATUS[random.nextInt(STATUS.length)])
        .append("\",\"note\":\"");
    while (s.length() < size) {
      s.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
      if (random.nextInt(4) == 0) {
        s.append(random.nextInt(10_000)).append(' ');
      }
    }
    s.setLength(Math.max(0, size - 2));
    s.append("\"}");
    byte[] bytes = s.toString().getBytes(StandardCharsets.US_ASCII);
    if (bytes.length != size) {
      byte[] exact = new byte[size];
      System.arraycopy(bytes, 0, exact, 0, Math.min(size, bytes.length));
      return exact;
    }
    return bytes;
  }
}
