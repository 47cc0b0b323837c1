package dev.turnout.drill;

import dev.turnout.drill.load.ConsumerService;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.load.ProducerService;
import dev.turnout.drill.plan.Plan;
import dev.turnout.status.BarrierStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The live progress line, once a second (redrawn in place with a bar of the step's elapsed share on a terminal): time, step and epoch, acknowledged rate, acknowledged, processed, refused,
 * records waiting at open barriers (from the producers' {@code status()}), and the consumers' read switches.
 */
final class Progress implements AutoCloseable {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "drill-progress");
    t.setDaemon(true);
    return t;
  });
  private final PrintWriter out;
  private final Journal journal;
  private final Plan plan;
  private final IntSupplier step;
  private final LongSupplier epoch;
  private final ProducerService producers;
  private final ConsumerService consumers;
  private static final int BAR_WIDTH = 20;
  private static final String CLEAR_TO_END = "\u001b[K";
  private long lastAcknowledged;
  private boolean redraw;
  private boolean drawn;
  private long loadStartMillis;
  private long phaseMillis;

  Progress(PrintWriter out, Journal journal, Plan plan, IntSupplier step, LongSupplier epoch,
      ProducerService producers, ConsumerService consumers) {
    this.out = out;
    this.journal = journal;
    this.plan = plan;
    this.step = step;
    this.epoch = epoch;
    this.producers = producers;
    this.consumers = consumers;
  }

  /**
   * Whether this JVM writes to a terminal that redraws a line in place: a console, and {@code TERM} not
   * {@code dumb}.
   */
  static boolean terminal() {
    return System.console() != null && !"dumb".equals(System.getenv("TERM"));
  }

  /** Redraws the line in place with a bar of the step's elapsed share (a terminal) instead of a line a second. */
  Progress redrawn(long loadStartMillis, long phaseMillis) {
    this.redraw = true;
    this.loadStartMillis = loadStartMillis;
    this.phaseMillis = phaseMillis;
    return this;
  }

  void start() {
    timer.scheduleAtFixedRate(this::print, 1, 1, TimeUnit.SECONDS);
    // Samples the barriers more often than the line, for the records' "sent during a barrier" mark.
    timer.scheduleAtFixedRate(this::sampleBarriers, 200, 200, TimeUnit.MILLISECONDS);
  }

  private synchronized void print() {
    String text;
    try {
      text = render(snapshot(), redraw);
    } catch (RuntimeException e) {
      text = "progress unavailable: " + e;
    }
    if (redraw) {
      out.print(text);
      out.flush();
      drawn = true;
    } else {
      out.println(text);
    }
  }

  /** Prints a line of the drill's own between progress lines (below the redrawn line, on a terminal). */
  synchronized void message(String line) {
    if (drawn) {
      out.print("\r" + CLEAR_TO_END);
    }
    out.println(line);
    drawn = false;
  }

  private void sampleBarriers() {
    try {
      producers.barriers();
    } catch (RuntimeException e) {
      // the next sample or line tries again
    }
  }

  /**
   * What the progress line shows.
   *
   * @param stepShare the share of the current step's length elapsed, 0 to 1
   */
  record Snapshot(double seconds, int step, int steps, String stepName, long epoch, long rate, long acknowledged,
      long processed, long refused, long barriersOpen, long waiting, long barriersFailed, long switches,
      double stepShare) {}

  private Snapshot snapshot() {
    long acknowledged = journal.acknowledgedCount();
    long rate = acknowledged - lastAcknowledged;
    lastAcknowledged = acknowledged;
    List<BarrierStatus> barriers = producers.barriers();
    long waiting = barriers.stream().mapToLong(BarrierStatus::waitingRecords).sum();
    long failed = barriers.stream().filter(b -> "FAILED".equals(b.state())).count();
    int s = step.getAsInt();
    long now = journal.nowMillis();
    double share = phaseMillis <= 0 ? 0 : (now - loadStartMillis - s * phaseMillis) / (double) phaseMillis;
    return new Snapshot(now / 1000.0, s + 1, plan.steps().size(), plan.steps().get(s).toString(), epoch.getAsLong(),
        rate, acknowledged, journal.processedCount(), journal.failedCount(), barriers.size() - failed, waiting,
        failed, consumers.readSwitches(), share);
  }

  /**
   * The progress line: plain (one line a second, for logs and pipes), or for a terminal a carriage return, the
   * line with a bar of the step's elapsed share after the step, and a clear-to-end-of-line, without a newline.
   */
  static String render(Snapshot s, boolean terminal) {
    String head = String.format(Locale.ROOT, "[%5.1fs] step %d/%d %-20s ", s.seconds(), s.step(), s.steps(),
        s.stepName());
    String tail = String.format(Locale.ROOT, "epoch %d | %4d acks/s | acknowledged %d | processed %d | refused %d"
        + " | barriers %d waiting (%d records), %d failed | consumer switches %d", s.epoch(), s.rate(),
        s.acknowledged(), s.processed(), s.refused(), s.barriersOpen(), s.waiting(), s.barriersFailed(),
        s.switches());
    return terminal ? "\r" + head + bar(s.stepShare(), BAR_WIDTH) + " " + tail + CLEAR_TO_END : head + tail;
  }

  /** {@code [#####.....]  50%}: {@code width} cells, the share clamped to 0..1. */
  static String bar(double share, int width) {
    double clamped = Double.isNaN(share) ? 0 : Math.max(0, Math.min(1, share));
    int filled = (int) Math.round(clamped * width);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] "
        + String.format(Locale.ROOT, "%3d%%", Math.round(clamped * 100));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    synchronized (this) {
      if (drawn) {
        out.println();
        drawn = false;
      }
    }
  }
}
