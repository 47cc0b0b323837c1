package dev.turnout.internal.consumer;

import dev.turnout.internal.consumer.GroupOffsets.Ownership;
import dev.turnout.internal.consumer.Resolution.Problem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Establishes, off the consumer's thread, where each partition newly assigned on its read cluster starts:
 * it compares the stamps of the group's commits on both clusters ({@link PositionDecision}), waits while the
 * other cluster still consumes the partition or the consumer's authority map is behind, and searches the
 * exact boundary ({@link BoundarySearch}) after a handover.
 *
 * <p>A decision about a partition rests only on commits read after the partition was assigned here (after the
 * request was submitted): by then its previous holder has made every commit it makes before letting it go (its
 * handover included), and an answer read earlier, even a moment before, may lack it.
 *
 * <p>One daemon thread, started on the first request, advances every open request in turn, so partitions
 * waiting for replication or for a handover do not hold up the others. It owns its own clients: per
 * cluster, a group-less consumer reading raw records and an Admin client reading the group's commits. It
 * never commits anything.
 */
public final class SwitchWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SwitchWorker.class);
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final long ERROR_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long REFRESH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long IDLE_WAIT_MILLIS = 50;

  /**
   * @param group the consumer group whose commits are compared; {@code null} for a consumer without one
   * @param boundaryTimeoutMillis how long a boundary search waits for the last processed record to appear,
   *     and after how long a waiting partition is reported
   * @param rewind whether an unverified boundary resumes at the translated offset instead of blocking
   * @param translation the first translation of a handed-over offset
   * @param mm2SourceAlias MirrorMaker's alias of the source cluster, {@code null} for the Turnout alias
   * @param dedupeWindow on a move back from the rule's target to its source, the most offsets of the target
   *     whose processed records are recognised on the source ({@link MoveBack}); 0 disables it
   */
  public record Settings(String group, long boundaryTimeoutMillis, boolean rewind, OffsetTranslation translation,
      String mm2SourceAlias, int dedupeWindow) {

    public Settings {
      if (dedupeWindow < 0) {
        throw new IllegalArgumentException("dedupeWindow must not be negative: " + dedupeWindow);
      }
    }

    /** Settings without the move-back dedupe (window 0). */
    public Settings(String group, long boundaryTimeoutMillis, boolean rewind, OffsetTranslation translation,
        String mm2SourceAlias) {
      this(group, boundaryTimeoutMillis, rewind, translation, mm2SourceAlias, 0);
    }
  }

  /**
   * One partition assigned on its read cluster.
   *
   * @param readAlias the cluster the partition is now read from
   * @param otherAlias the other cluster of the topic's rule
   * @param readIsRuleSource whether {@code readAlias} is the rule's source (a move there goes against the
   *     replication direction)
   * @param localHandoverOffset for a consumer without a group: the position it handed over on the other
   *     cluster itself; -1 to decide from the group's commits
   * @param localHandoverMillis wall-clock time of that handover
   */
  public record Request(TopicPartition tp, String readAlias, String otherAlias, boolean readIsRuleSource,
      long localHandoverOffset, long localHandoverMillis) {
    public Request {
      Objects.requireNonNull(tp, "tp");
      Objects.requireNonNull(readAlias, "readAlias");
      Objects.requireNonNull(otherAlias, "otherAlias");
    }
  }

  /** A submitted request: its result and a way to abandon it (when the partition is revoked or sought). */
  public static final class Ticket {
    private final Request request;
    /** When the request was submitted, after the partition was assigned ({@link System#nanoTime()}). */
    private final long submittedNanos = System.nanoTime();
    private final CompletableFuture<Resolution> result = new CompletableFuture<>();
    private volatile boolean cancelled;

    private Ticket(Request request) {
      this.request = request;
    }

    /** The request. */
    public Request request() {
      return request;
    }

    /** Completes with the resolution; never completes if cancelled first. */
    public CompletableFuture<Resolution> result() {
      return result;
    }

    /** Abandons the request (and any duplicate counting after a rewind). */
    public void cancel() {
      cancelled = true;
    }

    /** Whether {@link #cancel()} was called. */
    public boolean cancelled() {
      return cancelled;
    }
  }

  private final String owner;
  private final Settings settings;
  private final Function<String, Map<String, Object>> clientConfigs;
  private final LongSupplier epoch;
  private final Runnable refreshAuthority;
  private final SwitchListener listener;
  private final OffsetTranslator translator;
  private final SwitchClients clients;
  /** Wakes the thread for a job. */
  private static final Object WAKE = new Object();
  private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> jobs = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final Map<String, ClusterReader> readers = new HashMap<>();
  private final Map<String, GroupOffsets> offsets = new HashMap<>();
  private Thread thread;
  private volatile boolean closed;
  private long lastRefreshNanos;

  /**
   * @param owner names the consumer in logs and the thread name
   * @param clientConfigs the complete client configuration of each cluster alias (connection and security
   *     settings are taken from it)
   * @param epoch the epoch of the authority map the consumer routes by
   * @param refreshAuthority re-reads the authority source now (called, rate-limited, when a commit shows a
   *     newer epoch)
   */
  public SwitchWorker(String owner, Settings settings, Function<String, Map<String, Object>> clientConfigs,
      LongSupplier epoch, Runnable refreshAuthority, SwitchListener listener) {
    this(owner, settings, clientConfigs, epoch, refreshAuthority, listener, SwitchClients.kafka());
  }

  /** As above, with the worker's clients built by {@code clients} (tests give it mock clients). */
  public SwitchWorker(String owner, Settings settings, Function<String, Map<String, Object>> clientConfigs,
      LongSupplier epoch, Runnable refreshAuthority, SwitchListener listener, SwitchClients clients) {
    this(owner, settings, clientConfigs, epoch, refreshAuthority, listener, clients, switch (settings.translation()) {
      case IDENTITY -> OffsetTranslator.identity();
      case TIMESTAMP -> OffsetTranslator.timestamp();
      case MIRRORMAKER2 -> new MirrorMakerTranslator(settings.group(), settings.mm2SourceAlias(), clientConfigs);
    });
  }

  SwitchWorker(String owner, Settings settings, Function<String, Map<String, Object>> clientConfigs,
      LongSupplier epoch, Runnable refreshAuthority, SwitchListener listener, SwitchClients clients,
      OffsetTranslator translator) {
    this.owner = owner;
    this.settings = settings;
    this.clientConfigs = clientConfigs;
    this.epoch = epoch;
    this.refreshAuthority = refreshAuthority;
    this.listener = listener;
    this.clients = clients;
    this.translator = translator;
  }

  /**
   * Reads, on the worker's thread, the highest epoch stamped on the group's commits of each topic on one
   * cluster (topics without a stamped commit are absent). A value above the consumer's epoch means another
   * member moved the topic under a newer authority map; the authority source is then re-read at once.
   */
  public CompletableFuture<Map<String, Long>> newestEpochs(String alias, java.util.Set<String> topics) {
    CompletableFuture<Map<String, Long>> result = new CompletableFuture<>();
    if (settings.group() == null) {
      result.complete(Map.of());
      return result;
    }
    submitJob(() -> {
      try {
        Map<String, Long> out = new HashMap<>();
        for (String topic : topics) {
          long newest = offsets(alias).newestEpoch(settings.group(), topic);
          if (newest >= 0) {
            out.put(topic, newest);
          }
        }
        if (out.values().stream().anyMatch(e -> e > epoch.getAsLong())) {
          refreshAuthoritySoon();
        }
        result.complete(out);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private synchronized void submitJob(Runnable job) {
    if (closed) {
      throw new IllegalStateException("switch worker closed");
    }
    jobs.add(job);
    inbox.add(WAKE);
    startThread();
  }

  private void startThread() {
    if (thread == null) {
      thread = new Thread(this::run, "turnout-switch-" + owner);
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Queues a request; the result completes on the worker's thread. */
  public synchronized Ticket submit(Request request) {
    if (closed) {
      throw new IllegalStateException("switch worker closed");
    }
    Ticket ticket = new Ticket(request);
    inbox.add(new Task(ticket));
    startThread();
    return ticket;
  }

  private void run() {
    List<Task> tasks = new ArrayList<>();
    List<Object> arrived = new ArrayList<>();
    while (!closed) {
      inbox.drainTo(arrived);
      for (Object o : arrived) {
        if (o instanceof Task t) {
          tasks.add(t);
        }
      }
      arrived.clear();
      Runnable job;
      while ((job = jobs.poll()) != null && !closed) {
        try {
          job.run();
        } catch (InterruptException e) {
          return;
        }
      }
      boolean progressed = false;
      for (Iterator<Task> it = tasks.iterator(); it.hasNext() && !closed; ) {
        Task task = it.next();
        if (task.ticket.cancelled || task.finished) {
          it.remove();
          continue;
        }
        try {
          progressed |= task.step();
        } catch (InterruptException e) {
          return;
        } catch (RuntimeException e) {
          task.failed(e);
        }
        if (task.finished) {
          it.remove();
        }
      }
      if (!progressed && !closed) {
        try {
          Object next = inbox.poll(IDLE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
          if (next instanceof Task t) {
            tasks.add(t);
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private ClusterReader reader(String alias) {
    return readers.computeIfAbsent(alias, a -> ClusterReader.create(a, clientConfigs.apply(a), clients));
  }

  private GroupOffsets offsets(String alias) {
    return offsets.computeIfAbsent(alias, a -> GroupOffsets.create(a, clientConfigs.apply(a), clients));
  }

  private void refreshAuthoritySoon() {
    long now = System.nanoTime();
    if (now - lastRefreshNanos >= REFRESH_INTERVAL_NANOS) {
      lastRefreshNanos = now;
      try {
        refreshAuthority.run();
      } catch (RuntimeException e) {
        log.debug("[{}] Authority refresh failed", owner, e);
      }
    }
  }

  private final class Task {
    private final Ticket ticket;
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

    Task(Ticket ticket) {
      this.ticket = ticket;
      this.tp = ticket.request.tp();
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
        if (moveBack.done() || (ticket.result.isDone() && !moveBack.watching())) {
          finished = true;
        }
        return true;
      }
      if (search != null) {
        Resolution r = search.step();
        if (r != null) {
          complete(r);
        }
        if (search.done() || (ticket.result.isDone() && !search.watching())) {
          finished = true;
        }
        return true;
      }
      decide(now);
      return true;
    }

    private void decide(long now) {
      Request req = ticket.request;
      if (req.localHandoverOffset() >= 0) {
        startSearch(req.localHandoverOffset(), req.localHandoverMillis(), -1);
        return;
      }
      String group = settings.group();
      if (group == null) {
        complete(Resolution.proceed(tp, "no consumer group: nothing to compare"));
        finished = true;
        return;
      }
      long current = epoch.getAsLong();
      OffsetAndMetadata onRead;
      OffsetAndMetadata onOther;
      try {
        onRead = offsets(req.readAlias()).committed(group, tp, ticket.submittedNanos);
      } catch (KafkaException e) {
        waitFor(now, Problem.CLUSTER_UNREACHABLE, "cannot read the commits of group '" + group + "' on '"
            + req.readAlias() + "': " + e.getMessage());
        return;
      }
      long newestOnRead;
      try {
        newestOnRead = offsets(req.readAlias()).newestEpoch(group, tp.topic(), ticket.submittedNanos);
      } catch (KafkaException e) {
        waitFor(now, Problem.CLUSTER_UNREACHABLE, "cannot read the commits of group '" + group + "' on '"
            + req.readAlias() + "': " + e.getMessage());
        return;
      }
      if (newestOnRead > current) {
        // Another member moved a partition of this topic under a newer map: this member is behind.
        refreshAuthoritySoon();
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
        onOther = offsets(req.otherAlias()).committed(group, tp, ticket.submittedNanos);
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
      Request req = ticket.request;
      switch (decision.action()) {
        case CONTINUE -> {
          complete(Resolution.proceed(tp, decision.toString()));
          finished = true;
        }
        case BOUNDARY -> {
          log.info("[{}] {} was handed over by '{}' at offset {} ({}); searching its boundary on '{}'", owner, tp,
              req.otherAlias(), decision.otherOffset(), decision.otherStamp(), req.readAlias());
          if (req.readIsRuleSource() && settings.dedupeWindow() > 0) {
            startMoveBack(onRead, false, decision.otherOffset(), decision.otherStamp().handoverMillis());
          } else {
            startSearch(decision.otherOffset(), decision.otherStamp().handoverMillis(), offsetOf(onRead));
            search.keepSince(writtenSince(onRead));
          }
        }
        case AWAIT_HANDOVER -> awaitHandover(now, decision, onRead, onOther);
        case BEHIND -> {
          refreshAuthoritySoon();
          waitFor(now, Problem.AUTHORITY_BEHIND, "a commit of " + tp + " was made under a newer authority map ("
              + decision + ") than epoch " + current + " in force here; not consuming it until the map catches up");
        }
        default -> throw new IllegalStateException(decision.toString());
      }
    }

    /** The other cluster holds the live position: take over once no member of the group there holds it. */
    private void awaitHandover(long now, PositionDecision decision, OffsetAndMetadata onRead,
        OffsetAndMetadata onOther) {
      Request req = ticket.request;
      String group = settings.group();
      Ownership ownership;
      try {
        ownership = offsets(req.otherAlias()).ownership(group, tp);
      } catch (KafkaException e) {
        waitFor(now, Problem.CLUSTER_UNREACHABLE, "cannot describe group '" + group + "' on '" + req.otherAlias()
            + "': " + e.getMessage());
        return;
      }
      if (ownership == Ownership.UNOWNED) {
        OffsetAndMetadata latest;
        try {
          latest = offsets(req.otherAlias()).committedNow(group, tp);
        } catch (KafkaException e) {
          waitFor(now, Problem.CLUSTER_UNREACHABLE, "cannot read the commits of group '" + group + "' on '"
              + req.otherAlias() + "': " + e.getMessage());
          return;
        }
        if (!Objects.equals(latest, onOther)) {
          // The holder committed between the read above and leaving (its last batch, its handover): decide again
          // from its newest commit, at the next step.
          log.debug("[{}] {}: the commit of group '{}' on '{}' changed while it was let go ({} -> {}); deciding again",
              owner, tp, group, req.otherAlias(), onOther, latest);
          return;
        }
        log.info("[{}] {}: no member of group '{}' on '{}' holds it and its commit there ({} at offset {}) is "
            + "the newest; taking over from it", owner, tp, group, req.otherAlias(), decision.otherStamp(),
            decision.otherOffset());
        if (req.readIsRuleSource() && settings.dedupeWindow() > 0) {
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
      Request req = ticket.request;
      if (!req.readIsRuleSource() || settings.dedupeWindow() == 0) {
        return false;
      }
      OffsetAndMetadata onOther;
      try {
        onOther = offsets(req.otherAlias()).committed(settings.group(), tp, ticket.submittedNanos);
      } catch (KafkaException e) {
        log.warn("[{}] {}: cannot read the commits of group '{}' on '{}' ({}); continuing on '{}' without checking "
            + "for a move back at epoch {} (copies of records processed there would be delivered again)", owner, tp,
            settings.group(), req.otherAlias(), e.getMessage(), req.readAlias(), current);
        return false;
      }
      CommitStamp other = onOther == null ? null : CommitStamp.parse(onOther.metadata());
      if (other == null || other.kind() != CommitStamp.Kind.HANDOVER || other.epoch() != current) {
        return false;
      }
      log.info("[{}] {}: the group moved back from '{}' at epoch {} (handover at offset {}); continuing from its commit "
          + "{} on '{}' and withholding the copies of records processed on '{}'", owner, tp, req.otherAlias(),
          current, onOther.offset(), onRead.offset(), req.readAlias(), req.otherAlias());
      startMoveBack(onRead, true, onOther.offset(), other.handoverMillis());
      return true;
    }

    private void startMoveBack(OffsetAndMetadata sourceCommit, boolean takeOver, long targetHandover,
        long handoverMillis) {
      Request req = ticket.request;
      moveBack = new MoveBack(tp, reader(req.readAlias()), reader(req.otherAlias()), offsetOf(sourceCommit), takeOver,
          targetHandover, settings.dedupeWindow(), translator,
          TimeUnit.MILLISECONDS.toNanos(settings.boundaryTimeoutMillis()), settings.rewind(),
          handoverMillis > 0 ? handoverMillis : startedMillis, count -> listener.duplicatesAdmitted(tp, count));
      waitingFor = null;
    }

    private void startSearch(long fromOffset, long handoverMillis, long readCommitted) {
      Request req = ticket.request;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.boundaryTimeoutMillis());
      boolean forward = !req.readIsRuleSource();
      search = new BoundarySearch(tp, reader(req.otherAlias()), reader(req.readAlias()), fromOffset, forward,
          req.readAlias(), translator, deadline, settings.rewind(), handoverMillis > 0 ? handoverMillis : startedMillis,
          count -> listener.duplicatesAdmitted(tp, count), readCommitted);
      waitingFor = null;
    }

    private void waitFor(long now, Problem problem, String detail) {
      if (waitingFor != problem) {
        waitingFor = problem;
        waitingSinceNanos = now;
        reported = false;
        log.info("[{}] {} waits: {}", owner, tp, detail);
      }
      nextAttemptNanos = now + RECHECK_NANOS;
      if (!reported && now - waitingSinceNanos > TimeUnit.MILLISECONDS.toNanos(settings.boundaryTimeoutMillis())) {
        reported = true;
        listener.stillPending(tp, problem, detail);
      }
    }

    private void complete(Resolution resolution) {
      if (!ticket.result.isDone()) {
        ticket.result.complete(resolution);
      }
    }

    void failed(RuntimeException e) {
      String message = e.toString();
      if (!message.equals(lastError)) {
        log.warn("[{}] Error establishing the position of {}; retrying", owner, tp, e);
        lastError = message;
      }
      long now = System.nanoTime();
      if (!ticket.result.isDone()) {
        // A failed read keeps the search's progress; the wait is reported once it exceeds the timeout.
        waitFor(now, Problem.CLUSTER_UNREACHABLE, e.toString());
      }
      nextAttemptNanos = now + ERROR_RETRY_NANOS;
    }
  }

  /** Stops the thread and closes the worker's clients. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    readers.values().forEach(r -> closeQuietly(r, "reader"));
    offsets.values().forEach(o -> closeQuietly(o, "admin"));
  }

  private void closeQuietly(AutoCloseable c, String what) {
    try {
      c.close();
    } catch (Exception e) {
      log.debug("[{}] Error closing switch {}", owner, what, e);
    }
  }
}
