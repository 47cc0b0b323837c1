package dev.turnout.internal.consumer;

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
 * <p>Each request is a {@link SwitchTask}. One daemon thread, started on the first request, advances every open
 * request in turn, so partitions waiting for replication or for a handover do not hold up the others. It owns its
 * own clients: per cluster, a group-less consumer reading raw records and an Admin client reading the group's
 * commits. It never commits anything.
 */
public final class SwitchWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SwitchWorker.class);
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

    long submittedNanos() {
      return submittedNanos;
    }
  }

  final String owner;
  final Settings settings;
  private final Function<String, Map<String, Object>> clientConfigs;
  final LongSupplier epoch;
  private final Runnable refreshAuthority;
  final SwitchListener listener;
  final OffsetTranslator translator;
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
    inbox.add(new SwitchTask(this, ticket));
    startThread();
    return ticket;
  }

  private void run() {
    List<SwitchTask> tasks = new ArrayList<>();
    List<Object> arrived = new ArrayList<>();
    while (!closed) {
      inbox.drainTo(arrived);
      for (Object o : arrived) {
        if (o instanceof SwitchTask t) {
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
      for (Iterator<SwitchTask> it = tasks.iterator(); it.hasNext() && !closed; ) {
        SwitchTask task = it.next();
        if (task.cancelled() || task.finished()) {
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
        if (task.finished()) {
          it.remove();
        }
      }
      if (!progressed && !closed) {
        try {
          Object next = inbox.poll(IDLE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
          if (next instanceof SwitchTask t) {
            tasks.add(t);
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  ClusterReader reader(String alias) {
    return readers.computeIfAbsent(alias, a -> ClusterReader.create(a, clientConfigs.apply(a), clients));
  }

  GroupOffsets offsets(String alias) {
    return offsets.computeIfAbsent(alias, a -> GroupOffsets.create(a, clientConfigs.apply(a), clients));
  }

  void refreshAuthoritySoon() {
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
