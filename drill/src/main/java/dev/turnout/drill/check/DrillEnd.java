package dev.turnout.drill.check;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.drill.load.ClusterDump;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.load.StoredRecord;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The end of a drill, once the load stopped: drains the consumer group, then reads what each cluster holds and
 * checks the invariants over it and the journal.
 */
public final class DrillEnd {

  private static final long DRAIN_QUIET_MILLIS = 15_000;
  private static final long DRAIN_MAX_MILLIS = 60_000;
  private static final long REPLICATION_MAX_MILLIS = 30_000;

  /** A cluster to read: its alias and its client settings ({@code bootstrap.servers} and security). */
  public record Cluster(String alias, Map<String, Object> config) {}

  private final Journal journal;
  private final String topic;
  private final Cluster source;
  private final Cluster target;
  private final Predicate<StoredRecord> ofRun;

  /** @param ofRun whether a stored record was written during the run (not an earlier one's) */
  public DrillEnd(Journal journal, String topic, Cluster source, Cluster target, Predicate<StoredRecord> ofRun) {
    this.journal = journal;
    this.topic = topic;
    this.source = source;
    this.target = target;
    this.ofRun = ofRun;
  }

  /** Waits until every acknowledged record was processed, or nothing new was processed for a while. */
  public void drain() throws InterruptedException {
    long deadline = journal.nowMillis() + DRAIN_MAX_MILLIS;
    long lastCount = -1;
    long lastChange = journal.nowMillis();
    while (journal.nowMillis() < deadline && journal.nowMillis() - lastChange < DRAIN_QUIET_MILLIS) {
      Set<String> processed = new HashSet<>();
      journal.processed().forEach(p -> processed.add(p.value()));
      if (journal.sends().stream().filter(SendOutcome::acknowledged).allMatch(s -> processed.contains(s.value()))) {
        return;
      }
      long count = journal.processedCount();
      if (count != lastCount) {
        lastCount = count;
        lastChange = journal.nowMillis();
      }
      Thread.sleep(500);
    }
  }

  /**
   * Reads both clusters and checks the invariants. While records the source acknowledged are missing on the
   * target (replication still copying them), reads again, up to a deadline.
   *
   * @param documents the documents published during the run, by epoch
   * @param rollbacks the run's rollback flips
   */
  public List<Finding> check(NavigableMap<Long, AuthorityMap> documents, List<Evidence.Rollback> rollbacks)
      throws InterruptedException {
    long deadline = journal.nowMillis() + REPLICATION_MAX_MILLIS;
    while (true) {
      List<StoredRecord> onSource = read(source);
      List<StoredRecord> onTarget = read(target);
      List<SendOutcome> sends = journal.sends();
      if (!replicating(sends, onTarget) || journal.nowMillis() > deadline) {
        return Invariants.check(new Evidence(topic, sends, journal.processed(), onSource, onTarget, documents,
            rollbacks));
      }
      Thread.sleep(1000);
    }
  }

  private List<StoredRecord> read(Cluster cluster) {
    return ClusterDump.read(cluster.alias(), cluster.config(), topic).stream().filter(ofRun).toList();
  }

  /** Whether a record the source acknowledged is not on the target yet. */
  private boolean replicating(List<SendOutcome> sends, List<StoredRecord> onTarget) {
    Set<String> values = new HashSet<>();
    onTarget.forEach(r -> values.add(r.value()));
    return sends.stream().anyMatch(s -> s.acknowledged() && source.alias().equals(s.cluster())
        && !values.contains(s.value()));
  }
}
