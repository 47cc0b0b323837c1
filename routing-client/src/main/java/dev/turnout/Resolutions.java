package dev.turnout;

import dev.turnout.authority.Rule;
import dev.turnout.internal.consumer.CommitStamp;
import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.PartitionBook.Pending;
import dev.turnout.internal.consumer.Resolution;
import dev.turnout.internal.consumer.SwitchListener;
import dev.turnout.internal.consumer.SwitchWorker;
import dev.turnout.internal.consumer.Deadlines;
import dev.turnout.internal.consumer.LocalDecision;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The polling thread's side of the switch worker: submits each partition newly assigned on its read cluster
 * (paused until then), and applies the worker's answers inside {@code poll}: resume, seek (and commit the
 * boundary), or block and report a {@link BoundaryNotVerifiedException}. Also turns the worker's other events
 * into reports and metrics.
 */
final class Resolutions<K, V> implements SwitchListener {

  private static final Logger log = LoggerFactory.getLogger(Resolutions.class);
  private static final long WAIT_SLICE_MILLIS = 50;

  private final ConsumerContext<K, V> ctx;
  private final PartitionBook book;
  private final LongSupplier epoch;
  private final java.util.function.Function<String, Rule> ruleInForce;
  private SwitchWorker worker;

  /**
   * @param epoch the epoch of the map applied (stamps the boundary commit)
   * @param ruleInForce the rule of a topic in the map applied
   */
  Resolutions(ConsumerContext<K, V> ctx, LongSupplier epoch, java.util.function.Function<String, Rule> ruleInForce) {
    this.ctx = ctx;
    this.book = ctx.book();
    this.epoch = epoch;
    this.ruleInForce = ruleInForce;
  }

  /** Connects the worker (built with this as its listener). */
  void worker(SwitchWorker worker) {
    this.worker = worker;
  }

  SwitchWorker worker() {
    return worker;
  }

  /**
   * Pauses a partition assigned on {@code cluster} and asks the worker where it starts.
   *
   * @param localOffset without a group: the position this consumer handed over itself, else -1
   */
  void start(int cluster, TopicPartition tp, long localOffset, long localMillis) {
    Rule rule = ruleInForce.apply(tp.topic());
    String read = ctx.alias(cluster);
    String other = read.equals(rule.source()) ? rule.target() : rule.source();
    Consumer<K, V> d = ctx.delegates().get(cluster);
    d.pause(List.of(tp));
    int otherCluster = ctx.indexOf(other);
    if (!ctx.delegates().reachable(cluster) || !ctx.delegates().reachable(otherCluster)) {
      String unreachable = ctx.delegates().reachable(cluster) ? other : read;
      apply(cluster, null, decideLocally(tp, cluster, otherCluster, read.equals(rule.source()), localOffset, unreachable));
      return;
    }
    SwitchWorker.Ticket ticket = worker.submit(new SwitchWorker.Request(tp, read, other, read.equals(rule.source()),
        localOffset, localMillis));
    book.pending(tp, new Pending(cluster, ticket));
  }

  /** {@link LocalDecision}: the group's commits as this consumer's own clients report them. */
  private Resolution decideLocally(TopicPartition tp, int cluster, int otherCluster, boolean readIsRuleSource,
      long localOffset, String unreachable) {
    String read = ctx.alias(cluster);
    String other = ctx.alias(otherCluster);
    OffsetAndMetadata onRead = null;
    OffsetAndMetadata onOther = null;
    if (ctx.group() != null && localOffset < 0) {
      try {
        onRead = ctx.delegates().get(cluster).committed(Set.of(tp), ctx.apiTimeout()).get(tp);
        onOther = ctx.delegates().get(otherCluster).committed(Set.of(tp), ctx.apiTimeout()).get(tp);
      } catch (KafkaException e) {
        return LocalDecision.unreadable(tp, other, "the group's commits of " + tp + " cannot be read: " + e);
      }
    }
    return LocalDecision.decide(tp, onRead, onOther, epoch.getAsLong(), readIsRuleSource, localOffset, read, other,
        unreachable);
  }

  /** Applies every answer that arrived since the last call. */
  void applyCompleted() {
    if (!book.anyPending()) {
      return;
    }
    for (Pending p : book.completed()) {
      TopicPartition tp = p.ticket().request().tp();
      if (book.removePending(tp, p)) {
        apply(p.cluster(), p.ticket(), p.ticket().result().getNow(null));
      }
    }
  }

  /** Applies an answer about a partition assigned on {@code cluster} ({@code ticket} null: decided locally). */
  private void apply(int cluster, SwitchWorker.Ticket ticket, Resolution r) {
    TopicPartition tp = r.tp();
    if (!book.ownedOn(tp, cluster)) {
      if (ticket != null) {
        ticket.cancel();
      }
      return;
    }
    String alias = ctx.alias(cluster);
    ctx.metrics().resolved(r);
    switch (r.kind()) {
      case CONTINUE -> {
        if (r.withholding() != null) {
          book.suppress(tp, r.withholding());
          log.info("[{}] {} continues on '{}': {}", ctx.clientId(), tp, alias, r.detail());
        } else {
          log.debug("[{}] {} continues on '{}': {}", ctx.clientId(), tp, alias, r.detail());
        }
        resume(tp);
      }
      case SEEK -> {
        seek(cluster, ticket, r, alias);
        resume(tp);
      }
      case BLOCKED -> {
        book.block(tp, r);
        BoundaryNotVerifiedException e = blockedException(r, alias);
        log.warn("[{}] {}", ctx.clientId(), e.getMessage());
        ctx.reports().add(e);
      }
      default -> throw new IllegalStateException(r.toString());
    }
  }

  private void resume(TopicPartition tp) {
    ctx.delegates().resumeIfFree(tp, book);
    book.toAnnounce(tp);
  }

  private void seek(int cluster, SwitchWorker.Ticket ticket, Resolution r, String alias) {
    TopicPartition tp = r.tp();
    Consumer<K, V> d = ctx.delegates().get(cluster);
    d.seek(tp, r.offset());
    if (ctx.group() != null) {
      Map<TopicPartition, OffsetAndMetadata> boundary =
          Map.of(tp, new OffsetAndMetadata(r.offset(), CommitStamp.commit(epoch.getAsLong(), "")));
      try {
        ctx.wakeups().run(d, () -> d.commitSync(boundary, ctx.apiTimeout()));
      } catch (KafkaException e) {
        log.warn("[{}] Could not commit the boundary {} of {} on '{}' ({}); the next owner searches it again",
            ctx.clientId(), r.offset(), tp, alias, e.toString());
      }
    }
    if (r.withholding() != null) {
      book.suppress(tp, r.withholding());
    }
    long duration = Math.max(0, System.currentTimeMillis() - r.handoverMillis());
    ctx.metrics().seekApplied(r, duration);
    if (r.outcome() == Resolution.Outcome.REWOUND) {
      log.warn("[{}] {} resumes on '{}' at the translated offset {} without a verified boundary ({}): records may "
          + "be delivered twice. {}", ctx.clientId(), tp, alias, r.offset(), r.problem(), r.detail());
      book.watch(tp, ticket);
    } else {
      log.info("[{}] {} resumes on '{}' {} ms after its handover on '{}': {}", ctx.clientId(), tp, alias, duration,
          r.fromAlias(), r.detail());
    }
  }

  /**
   * Waits (up to the deadline) for the answer about a partition whose position is being established, and
   * applies it; throws the exception of a blocked partition.
   */
  void awaitSettled(TopicPartition tp, long deadline, Duration timeout) {
    Pending p = book.pending(tp);
    if (p != null) {
      while (!p.ticket().result().isDone()) {
        ctx.wakeups().check();
        long left = Deadlines.remaining(deadline).toMillis();
        if (left <= 0) {
          throw new TimeoutException("Timeout of " + timeout.toMillis() + "ms expired before the position for "
              + "partition " + tp + " could be determined: Turnout is still establishing it after a change "
              + "of read cluster (see the log)");
        }
        try {
          p.ticket().result().get(Math.min(left, WAIT_SLICE_MILLIS), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // keep waiting
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptException(e);
        } catch (ExecutionException e) {
          throw new KafkaException(e.getCause());
        }
      }
      applyCompleted();
    }
    Resolution blocked = book.blocked(tp);
    if (blocked != null) {
      throw blockedException(blocked, ctx.alias(book.owner(tp)));
    }
  }

  /** The exception of a blocked partition (fail closed). */
  BoundaryNotVerifiedException blockedException(Resolution r, String alias) {
    if (r.problem() == Resolution.Problem.DEDUPE_WINDOW_EXCEEDED) {
      return windowExceeded(r, alias);
    }
    return new BoundaryNotVerifiedException(r.tp(), BoundaryNotVerifiedException.Reason.valueOf(r.problem().name()),
        r.fromAlias(), alias, true, "Partition " + r.tp() + " is blocked on '" + alias + "' (fail closed): its boundary "
            + "with '" + r.fromAlias() + "' could not be verified: " + r.detail() + ". No record of it is delivered. "
            + "Seek it to decide where to resume, or set " + TurnoutConfig.CONSUMER_UNVERIFIED + "="
            + TurnoutConfig.CONSUMER_UNVERIFIED_REWIND + " to accept duplicates.");
  }

  /** The exception of a partition whose move back found more records than the dedupe window. */
  private BoundaryNotVerifiedException windowExceeded(Resolution r, String alias) {
    java.util.regex.Matcher m = RANGE_SIZE.matcher(r.detail());
    String count = m.find() ? m.group(1) : "the size of that range";
    return new BoundaryNotVerifiedException(r.tp(), BoundaryNotVerifiedException.Reason.DEDUPE_WINDOW_EXCEEDED,
        r.fromAlias(), alias, true, "Partition " + r.tp() + " is blocked on '" + alias + "' (fail closed): it moved "
            + "back from '" + r.fromAlias() + "' and " + r.detail() + ", more than " + TurnoutConfig.CONSUMER_DEDUPE_WINDOW
            + "=" + ctx.options().dedupeWindow() + ", so the copies of the records it processed there cannot all be "
            + "recognised on '" + alias + "'. No record of it is delivered. Raise " + TurnoutConfig.CONSUMER_DEDUPE_WINDOW
            + " to at least " + count + " and restart the consumer; or decide where to resume on '" + alias
            + "' yourself: seek the partition or commit an offset for it through this consumer (an offset reset with "
            + "kafka-consumer-groups.sh is not enough: the group's handover on '" + r.fromAlias() + "' outranks an "
            + "unstamped commit); or set " + TurnoutConfig.CONSUMER_UNVERIFIED + "="
            + TurnoutConfig.CONSUMER_UNVERIFIED_REWIND + " to resume and accept the duplicates.");
  }

  private static final java.util.regex.Pattern RANGE_SIZE = java.util.regex.Pattern.compile("holds (\\d+) records");

  /** The next problem to throw from {@code poll}, skipping waits that have ended since; {@code null} if none. */
  RuntimeException nextReport() {
    RuntimeException report;
    while ((report = ctx.reports().poll()) != null) {
      if (report instanceof BoundaryNotVerifiedException b && !b.blocked() && !book.isPending(b.partition())) {
        continue; // resolved or revoked since
      }
      return report;
    }
    return null;
  }

  @Override
  public void stillPending(TopicPartition tp, Resolution.Problem problem, String detail) {
    String message = "Partition " + tp + " is not consumed yet: " + detail + " (waiting for more than "
        + ctx.options().boundaryTimeoutMillis() + " ms; it resumes by itself once resolved)";
    log.warn("[{}] {}", ctx.clientId(), message);
    ctx.reports().add(new BoundaryNotVerifiedException(tp, BoundaryNotVerifiedException.Reason.valueOf(problem.name()),
        null, null, false, message));
  }

  @Override
  public void duplicatesAdmitted(TopicPartition tp, long count) {
    ctx.metrics().duplicatesAdmitted(count);
  }
}
