package dev.turnout.cli.gate;

import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;

/** How numbers and lists are written in gate lines. */
final class Format {

  private static final int LIST_LIMIT = 5;

  private Format() {}

  /** A duration: {@code 250ms}, {@code 12s}, {@code 3m}, {@code 2h}, {@code 7d}, or seconds to a tenth ({@code 61.4s}). */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 0) {
      return "infinite";
    }
    if (ms % 86_400_000L == 0 && ms > 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0 && ms > 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms >= 60_000 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms >= 1000 && ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms < 1000 ? ms + "ms" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
  }

  /** The first few items, comma-separated, with how many more. */
  static String list(Collection<?> items) {
    String shown = items.stream().limit(LIST_LIMIT).map(String::valueOf).collect(Collectors.joining(", "));
    return items.size() > LIST_LIMIT ? shown + " and " + (items.size() - LIST_LIMIT) + " more" : shown;
  }
}
