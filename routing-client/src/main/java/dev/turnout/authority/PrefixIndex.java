package dev.turnout.authority;

import java.util.Map;

/**
 * Longest-prefix match of a topic against the topic prefixes of a map, precomputed per epoch. A lookup
 * walks the topic once, hashing each of its leading substrings incrementally, and probes an open-addressing
 * table only at lengths some prefix has: O(topic length), independent of the number of prefixes, and
 * allocation-free.
 */
final class PrefixIndex {

  private final String[] keys;
  private final int[] hashes;
  private final Rule[] rules;
  private final boolean[] lengths;
  private final int mask;

  PrefixIndex(Map<String, Rule> prefixes) {
    int capacity = Integer.highestOneBit(Math.max(4, prefixes.size() * 2 + 1)) << 1;
    keys = new String[capacity];
    hashes = new int[capacity];
    rules = new Rule[capacity];
    mask = capacity - 1;
    int maxLength = 0;
    for (String prefix : prefixes.keySet()) {
      maxLength = Math.max(maxLength, prefix.length());
    }
    lengths = new boolean[maxLength + 1];
    for (Map.Entry<String, Rule> e : prefixes.entrySet()) {
      String prefix = e.getKey();
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("empty topic prefix");
      }
      int hash = hash(prefix, prefix.length());
      int slot = spread(hash) & mask;
      while (keys[slot] != null) {
        if (keys[slot].equals(prefix)) {
          throw new IllegalArgumentException("duplicate topic prefix '" + prefix + "'");
        }
        slot = (slot + 1) & mask;
      }
      keys[slot] = prefix;
      hashes[slot] = hash;
      rules[slot] = e.getValue();
      lengths[prefix.length()] = true;
    }
  }

  /** The rule of the longest prefix of {@code topic}, or {@code null} when no prefix matches. */
  Rule longestMatch(String topic) {
    Rule best = null;
    int n = Math.min(topic.length(), lengths.length - 1);
    int hash = 0;
    for (int i = 0; i < n; i++) {
      hash = 31 * hash + topic.charAt(i);
      int length = i + 1;
      if (lengths[length]) {
        int slot = spread(hash) & mask;
        String key;
        while ((key = keys[slot]) != null) {
          if (hashes[slot] == hash && key.length() == length && topic.startsWith(key)) {
            best = rules[slot];
            break;
          }
          slot = (slot + 1) & mask;
        }
      }
    }
    return best;
  }

  private static int hash(String s, int length) {
    int hash = 0;
    for (int i = 0; i < length; i++) {
      hash = 31 * hash + s.charAt(i);
    }
    return hash;
  }

  private static int spread(int hash) {
    return (hash ^ (hash >>> 16)) * 0x9E3779B1;
  }
}
