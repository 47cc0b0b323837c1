package dev.turnout.internal.consumer;

import dev.turnout.internal.consumer.GroupOffsets.Ownership;
import dev.turnout.internal.consumer.Resolution.Problem;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's way to its position on its new read cluster, advanced a step at a time by the
 * {@link SwitchWorker}'s thread: decides from the group's commits on both clusters ({@link PositionDecision}),
 * waits (for a handover, for the authority map, for an unreachable cluster), then runs a {@link BoundarySearch} or
 * a {@link MoveBack} to its resolution. Logs under the worker's logger.
 */
final class SwitchTask {

  private static final Logger log = LoggerFactory.getLogger(SwitchWorker.class);
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final long ERROR_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final SwitchWorker worker;
  private final SwitchWorker.Ticket ticket;
  private final TopicPartition tp;
  private final long startedMillis = System.currentTimeMillis();
  private BoundarySearch search;
  private MoveBack moveBack;
  private boolean finished;
  private long nextAttemptNanos;
  private Problem waitingFor;
  private long waitingSinceNanos;
  private boolean reported;
  private String lastError;

  SwitchTask(SwitchWorker worker, SwitchWorker.Ticket ticket) {
    this.worker = worker;
    this.ticket = ticket;
    this.tp = ticket.request().tp();
  }

  /** Advances once; returns whether it did any work (false when waiting for its next attempt). */
  boolean step() {
    long now = System.nanoTime();
    if (now < nextAttemptNanos) {
      return false;
    }
    if (moveBack != null) {
      Resolution r = moveBack.step();
      if (r != null) {
        complete(r);
      }
      if (moveBack.done() || (ticket.result().isDone() && !moveBack.watching())) {
        finished = true;
      }
      return true;
    }
    if (search != null) {
      Resolution r = search.step();
      if (r != null) {
        complete(r);
      }
      if (search.done() || (ticket.result().isDone() && !search.watching())) {
        finished = true;
      }
      return true;
    }
    decide(now);
    return true;
  }

  private void decide(long now) {
    SwitchWorker.Request req = ticket.request();
    if (req.localHandoverOffset() >= 0) {
      startSearch(req.localHandoverOffset(), req.localHandoverMillis(), -1);
      return;
    }
    String group = worker.settings.group();
    if (group == null) {
      complete(Resolution.proceed(tp, "no consumer group: nothing to compare"));
      finished = true;
      return;
    }
    long current = worker.epoch.getAsLong();
    OffsetAndMetadata onRead;
    OffsetAndMetadata onOther;
    try {
      onRead = worker.offsets(req.readAlias()).committed(group, tp, ticket.submittedNanos());
    } catch (KafkaException e) {
      waitFor(now, Problem.CLUSTER_UNREACHABLE, "cannot read the commits of group '" + group + "' on '"
          + req.readAlias() + "': " + e.getMessage());
      return;
    }
    long newestOnRead;
    try {
      newestOnRead = worker.offsets(req.readAlias()).newestEpoch(group, tp.topic(), ticket.submittedNanos());
    } catch (KafkaException e) {
      waitFor(now, Problem.CLUSTER_UNREACHABLE, "cannot read the commits of group '" + group + "' on '"
          + req.readAlias() + "': " + e.getMessage());
      return;
    }
    if (newestOnRead > current) {
      // Another member moved a partition of this topic under a newer map: this member is behind.
      worker.refreshAuthoritySoon();
      waitFor(now, Problem.AUTHORITY_BEHIND, "a commit of topic '" + tp.topic() + "' on '" + req.readAlias()
          + "' was made at epoch " + newestOnRead + ", newer than epoch " + current + " in force here; not consuming "
          + tp + " until the map catches up");
      return;
    }
    if (PositionDecision.readCommitSuffices(onRead, current)) {
      if (movedBackAt(current, onRead)) {
        return;
      }
      complete(Resolution.proceed(tp, "committed on '" + req.readAlias() + "' at epoch " + current));
      finished = true;
      return;
    }
    try {
      onOther = worker.offsets(req.otherAlias()).committed(group, tp, ticket.submittedNanos());
    } catch (KafkaException e) {
      waitFor(now, Problem.CLUSTER_UNREACHABLE, "cannot read the commits of group '" + group + "' on '"
          + req.otherAlias() + "' to decide where " + tp + " continues: " + e.getMessage());
      return;
    }
    act(now, PositionDecision.decide(onRead, onOther, current, req.readIsRuleSource()), onRead, onOther, current);
  }

  /** Acts on the decision the two clusters' commits led to. */
  private void act(long now, PositionDecision decision, OffsetAndMetadata onRead, OffsetAndMetadata onOther,
      long current) {
    SwitchWorker.Request req = ticket.request();
    switch (decision.action()) {
      case CONTINUE -> {
        complete(Resolution.proceed(tp, decision.toString()));
        finished = true;
      }
      case BOUNDARY -> {
        log.info("[{}] {} was handed over by '{}' at offset {} ({}); searching its boundary on '{}'", worker.owner, tp,
            req.otherAlias(), decision.otherOffset(), decision.otherStamp(), req.readAlias());
        if (req.readIsRuleSource() && worker.settings.dedupeWindow() > 0) {
          startMoveBack(onRead, false, decision.otherOffset(), decision.otherStamp().handoverMillis());
        } else {
          startSearch(decision.otherOffset(), decision.otherStamp().handoverMillis(), offsetOf(onRead));
          search.keepSince(writtenSince(onRead));
        }
      }
      case AWAIT_HANDOVER -> awaitHandover(now, decision, onRead, onOther);
      case BEHIND -> {
        worker.refreshAuthoritySoon();
        waitFor(now, Problem.AUTHORITY_BEHIND, "a commit of " + tp + " was made under a newer authority map ("
            + decision + ") than epoch " + current + " in force here; not consuming it until the map catches up");
      }
      default -> throw new IllegalStateException(decision.toString());
    }
  }

  /** The other cluster holds the live position: take over once no member of the group there holds it. */
  private void awaitHandover(long now, PositionDecision decision, OffsetAndMetadata onRead,
      OffsetAndMetadata onOther) {
    SwitchWorker.Request req = ticket.request();
    String group = worker.settings.group();
    Ownership ownership;
    try {
      ownership = worker.offsets(req.otherAlias()).ownership(group, tp);
    } catch (KafkaException e) {
      waitFor(now, Problem.CLUSTER_UNREACHABLE, "cannot describe group '" + group + "' on '" + req.otherAlias()
          + "': " + e.getMessage());
      return;
    }
    if (ownership == Ownership.UNOWNED) {
      OffsetAndMetadata latest;
      try {
        latest = worker.offsets(req.otherAlias()).committedNow(group, tp);
      } catch (KafkaException e) {
        waitFor(now, Problem.CLUSTER_UNREACHABLE, "cannot read the commits of group '" + group + "' on '"
            + req.otherAlias() + "': " + e.getMessage());
        return;
      }
      if (!Objects.equals(latest, onOther)) {
        // The holder committed between the read above and leaving (its last batch, its handover): decide again
        // from its newest commit, at the next step.
        log.debug("[{}] {}: the commit of group '{}' on '{}' changed while it was let go ({} -> {}); deciding again",
            worker.owner, tp, group, req.otherAlias(), onOther, latest);
        return;
      }
      log.info("[{}] {}: no member of group '{}' on '{}' holds it and its commit there ({} at offset {}) is "
          + "the newest; taking over from it", worker.owner, tp, group, req.otherAlias(), decision.otherStamp(),
          decision.otherOffset());
      if (req.readIsRuleSource() && worker.settings.dedupeWindow() > 0) {
        // Moving back without a handover (the holder there stopped, or handed over after the commit read
        // above): the copies of what the group processed on the target must be withheld all the same.
        startMoveBack(onRead, false, decision.otherOffset(), startedMillis);
      } else {
        startSearch(decision.otherOffset(), startedMillis, offsetOf(onRead));
      }
    } else {
      waitFor(now, Problem.HANDOVER_PENDING, "group '" + group + "' on '" + req.otherAlias() + "' still "
          + (ownership == Ownership.OWNED ? "consumes " + tp : "rebalances") + " and has not handed it over "
          + "(its commit: " + decision.otherStamp() + " at offset " + decision.otherOffset() + ")");
    }
  }

  /**
   * The first epoch whose records written directly to the read cluster are new to the group: after its
   * handover there (the end of an earlier stay of its reads on that cluster), any epoch when it has none.
   */
  private long writtenSince(OffsetAndMetadata onRead) {
    CommitStamp stamp = onRead == null ? null : CommitStamp.parse(onRead.metadata());
    return stamp != null && stamp.kind() == CommitStamp.Kind.HANDOVER ? stamp.epoch() + 1 : -1;
  }

  private long offsetOf(OffsetAndMetadata commit) {
    return commit == null ? -1 : commit.offset();
  }

  /**
   * On the rule's source, with the group's commit there made at the current epoch: whether the group moved
   * back from the target at this epoch (its commit there is a handover of this epoch), in which case the
   * copies of what it processed on the target may still arrive and a {@link MoveBack} takes the partition
   * over from the group's commit. Returns true when it started one.
   */
  private boolean movedBackAt(long current, OffsetAndMetadata onRead) {
    SwitchWorker.Request req = ticket.request();
    if (!req.readIsRuleSource() || worker.settings.dedupeWindow() == 0) {
      return false;
    }
    OffsetAndMetadata onOther;
    try {
      onOther = worker.offsets(req.otherAlias()).committed(worker.settings.group(), tp, ticket.submittedNanos());
    } catch (KafkaException e) {
      log.warn("[{}] {}: cannot read the commits of group '{}' on '{}' ({}); continuing on '{}' without checking "
          + "for a move back at epoch {} (copies of records processed there would be delivered again)", worker.owner, tp,
          worker.settings.group(), req.otherAlias(), e.getMessage(), req.readAlias(), current);
      return false;
    }
    CommitStamp other = onOther == null ? null : CommitStamp.parse(onOther.metadata());
    if (other == null || other.kind() != CommitStamp.Kind.HANDOVER || other.epoch() != current) {
      return false;
    }
    log.info("[{}] {}: the group moved back from '{}' at epoch {} (handover at offset {}); continuing from its commit "
        + "{} on '{}' and withholding the copies of records processed on '{}'", worker.owner, tp, req.otherAlias(),
        current, onOther.offset(), onRead.offset(), req.readAlias(), req.otherAlias());
    startMoveBack(onRead, true, onOther.offset(), other.handoverMillis());
    return true;
  }

  private void startMoveBack(OffsetAndMetadata sourceCommit, boolean takeOver, long targetHandover,
      long handoverMillis) {
    SwitchWorker.Request req = ticket.request();
    moveBack = new MoveBack(tp, worker.reader(req.readAlias()), worker.reader(req.otherAlias()), offsetOf(sourceCommit), takeOver,
        targetHandover, worker.settings.dedupeWindow(), worker.translator,
        TimeUnit.MILLISECONDS.toNanos(worker.settings.boundaryTimeoutMillis()), worker.settings.rewind(),
        handoverMillis > 0 ? handoverMillis : startedMillis, count -> worker.listener.duplicatesAdmitted(tp, count));
    waitingFor = null;
  }

  private void startSearch(long fromOffset, long handoverMillis, long readCommitted) {
    SwitchWorker.Request req = ticket.request();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(worker.settings.boundaryTimeoutMillis());
    boolean forward = !req.readIsRuleSource();
    search = new BoundarySearch(tp, worker.reader(req.otherAlias()), worker.reader(req.readAlias()), fromOffset, forward,
        req.readAlias(), worker.translator, deadline, worker.settings.rewind(), handoverMillis > 0 ? handoverMillis : startedMillis,
        count -> worker.listener.duplicatesAdmitted(tp, count), readCommitted);
    waitingFor = null;
  }

  private void waitFor(long now, Problem problem, String detail) {
    if (waitingFor != problem) {
      waitingFor = problem;
      waitingSinceNanos = now;
      reported = false;
      log.info("[{}] {} waits: {}", worker.owner, tp, detail);
    }
    nextAttemptNanos = now + RECHECK_NANOS;
    if (!reported && now - waitingSinceNanos > TimeUnit.MILLISECONDS.toNanos(worker.settings.boundaryTimeoutMillis())) {
      reported = true;
      worker.listener.stillPending(tp, problem, detail);
    }
  }

  private void complete(Resolution resolution) {
    if (!ticket.result().isDone()) {
      ticket.result().complete(resolution);
    }
  }

  void failed(RuntimeException e) {
    String message = e.toString();
    if (!message.equals(lastError)) {
      log.warn("[{}] Error establishing the position of {}; retrying", worker.owner, tp, e);
      lastError = message;
    }
    long now = System.nanoTime();
    if (!ticket.result().isDone()) {
      // A failed read keeps the search's progress; the wait is reported once it exceeds the timeout.
      waitFor(now, Problem.CLUSTER_UNREACHABLE, e.toString());
    }
    nextAttemptNanos = now + ERROR_RETRY_NANOS;
  }

  /** Whether nothing remains to do. */
  boolean finished() {
    return finished;
  }

  /** Whether the request was abandoned (the partition revoked or sought). */
  boolean cancelled() {
    return ticket.cancelled();
  }
}
