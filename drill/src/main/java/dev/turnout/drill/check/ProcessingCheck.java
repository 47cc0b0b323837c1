package dev.turnout.drill.check;

import dev.turnout.drill.load.Processed;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The invariants about processing: each record once, each key's records in sequence order. */
final class ProcessingCheck {

  static final String TWICE = "no record processed twice (same turnout.id)";
  static final String REORDERED = "no per-key reordering (each key's sequence numbers processed in order)";

  private ProcessingCheck() {}

  static Finding once(Evidence e) {
    Map<String, Processed> first = new HashMap<>();
    Examples x = new Examples(TWICE);
    for (Processed p : e.processed()) {
      if (p.turnoutId() == null) {
        continue;
      }
      x.checked();
      Processed earlier = first.putIfAbsent(p.turnoutId(), p);
      if (earlier != null) {
        x.violation(p.value() + " (id " + p.turnoutId() + ") processed from '" + earlier.cluster() + "' "
            + earlier.partition() + "@" + earlier.offset() + " and again from '" + p.cluster() + "' "
            + p.partition() + "@" + p.offset());
      }
    }
    return x.finding();
  }

  /** Among first processings of each value, a key's sequence number lower than one processed before it. */
  static Finding inOrder(Evidence e) {
    Map<String, Long> highest = new HashMap<>();
    Set<String> seen = new HashSet<>();
    Examples x = new Examples(REORDERED);
    for (Processed p : e.processed()) {
      if (p.sequence() < 0 || !seen.add(p.value())) {
        continue;
      }
      x.checked();
      Long before = highest.get(p.key());
      if (before != null && p.sequence() < before) {
        x.violation(p.value() + " processed after " + p.key() + "#" + before + " (from '" + p.cluster() + "' "
            + p.partition() + "@" + p.offset() + ")");
      } else {
        highest.put(p.key(), p.sequence());
      }
    }
    return x.finding();
  }
}
