package dev.turnout.drill.check;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.load.StoredRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The invariants about acknowledged records: processed, on the system of record, on the source after a rollback. */
final class LossCheck {

  static final String NOT_PROCESSED = "no acknowledged record lost (every acknowledged record processed)";
  static final String NOT_ON_SYSTEM_OF_RECORD = "every acknowledged record on the system of record at the end";
  static final String NOT_ON_SOURCE_AFTER_ROLLBACK =
      "every record acknowledged before a rollback on the source after it";

  private LossCheck() {}

  static Finding processed(Evidence e) {
    Set<String> processed = new HashSet<>();
    for (Processed p : e.processed()) {
      processed.add(p.value());
    }
    Examples x = new Examples(NOT_PROCESSED);
    for (SendOutcome s : e.sends()) {
      if (s.acknowledged()) {
        x.checked();
        if (!processed.contains(s.value())) {
          x.violation(s.value() + " acknowledged by '" + s.cluster() + "' " + s.partition() + "@" + s.offset()
              + " never processed");
        }
      }
    }
    return x.finding();
  }

  /** The system of record of a key is the owner of its bucket in the last document. */
  static Finding onSystemOfRecord(Evidence e) {
    AuthorityMap last = e.last();
    Set<String> onSource = values(e.onSource());
    Set<String> onTarget = values(e.onTarget());
    Examples x = new Examples(NOT_ON_SYSTEM_OF_RECORD);
    for (SendOutcome s : e.sends()) {
      if (!s.acknowledged()) {
        continue;
      }
      x.checked();
      String owner = owner(last, e.topic(), s.key());
      Set<String> held = last.source().equals(owner) ? onSource : onTarget;
      if (!held.contains(s.value())) {
        x.violation(s.value() + " acknowledged by '" + s.cluster() + "' is absent from '" + owner
            + "', the system of record at epoch " + last.epoch());
      }
    }
    return x.finding();
  }

  static Finding onSourceAfterRollback(Evidence e) {
    Set<String> onSource = values(e.onSource());
    Examples x = new Examples(NOT_ON_SOURCE_AFTER_ROLLBACK);
    for (Evidence.Rollback rollback : e.rollbacks()) {
      AuthorityMap map = e.documents().get(rollback.epoch());
      for (SendOutcome s : e.sends()) {
        if (!s.acknowledged() || s.doneMillis() >= rollback.atMillis()
            || !map.source().equals(owner(map, e.topic(), s.key()))) {
          continue;
        }
        x.checked();
        if (!onSource.contains(s.value())) {
          x.violation(s.value() + " acknowledged by '" + s.cluster() + "' " + s.partition() + "@" + s.offset()
              + " before the rollback to epoch " + rollback.epoch() + " is absent from '" + map.source() + "'");
        }
      }
    }
    return x.finding();
  }

  static String owner(AuthorityMap map, String topic, String key) {
    return map.route(topic, key.getBytes(StandardCharsets.UTF_8)).owner();
  }

  private static Set<String> values(List<StoredRecord> records) {
    Set<String> values = new HashSet<>();
    records.forEach(r -> values.add(r.value()));
    return values;
  }
}
