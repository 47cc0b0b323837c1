package dev.turnout.drill.check;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.drill.load.StoredRecord;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * No record was written by a non-owner: for every record either cluster holds (reconciled copies aside, which
 * keep their original's header), the {@code turnout.route} origin is the owner of the key's slice in the document
 * of the epoch the header names (or the nearest lower epoch published).
 */
final class OwnerCheck {

  static final String NON_OWNER = "no record written by a non-owner (turnout.route origin owns the key at its epoch)";

  private OwnerCheck() {}

  static Finding check(Evidence e) {
    Examples x = new Examples(NON_OWNER);
    Set<String> ids = new HashSet<>();
    Stream.concat(e.onSource().stream(), e.onTarget().stream()).forEach(r -> {
      if (r.origin() == null || r.reconciledCopy() || !ids.add(r.turnoutId())) {
        return;
      }
      x.checked();
      Map.Entry<Long, AuthorityMap> doc = e.documents().floorEntry(r.epoch());
      String owner = doc == null ? null : LossCheck.owner(doc.getValue(), e.topic(), r.key());
      if (!r.origin().equals(owner)) {
        x.violation(describe(r) + " was written to '" + r.origin() + "' at epoch " + r.epoch() + ", whose owner is "
            + (owner == null ? "unknown (no document of that epoch)" : "'" + owner + "'"));
      }
    });
    return x.finding();
  }

  private static String describe(StoredRecord r) {
    return r.value() + " (" + r.cluster() + " " + r.partition() + "@" + r.offset() + ")";
  }
}
