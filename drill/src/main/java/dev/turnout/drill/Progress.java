package dev.turnout.drill;

import dev.turnout.drill.load.ConsumerService;
import dev.turnout.drill.load.Journal;
import dev.turnout.drill.load.ProducerService;
import dev.turnout.drill.plan.Plan;
import dev.turnout.status.BarrierStatus;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The live progress line, once a second: time, step and epoch, acknowledged rate, acknowledged, processed, refused,
 * records waiting at open barriers (from the producers' {@code status()}), and the consumers' read switches.
 */
final class Progress implements AutoCloseable {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "drill-progress");
    t.setDaemon(true);
    return t;
  });
  private final PrintStream out;
  private final Journal journal;
  private final Plan plan;
  private final IntSupplier step;
  private final ProducerService producers;
  private final ConsumerService consumers;
  private long lastAcknowledged;

  Progress(PrintStream out, Journal journal, Plan plan, IntSupplier step, ProducerService producers,
      ConsumerService consumers) {
    this.out = out;
    this.journal = journal;
    this.plan = plan;
    this.step = step;
    this.producers = producers;
    this.consumers = consumers;
  }

  void start() {
    timer.scheduleAtFixedRate(this::print, 1, 1, TimeUnit.SECONDS);
    // Samples the barriers more often than the line, for the records' "sent during a barrier" mark.
    timer.scheduleAtFixedRate(this::sampleBarriers, 200, 200, TimeUnit.MILLISECONDS);
  }

  private void print() {
    try {
      out.println(line());
    } catch (RuntimeException e) {
      out.println("progress unavailable: " + e);
    }
  }

  private void sampleBarriers() {
    try {
      producers.barriers();
    } catch (RuntimeException e) {
      // the next sample or line tries again
    }
  }

  String line() {
    long acknowledged = journal.acknowledgedCount();
    long rate = acknowledged - lastAcknowledged;
    lastAcknowledged = acknowledged;
    List<BarrierStatus> barriers = producers.barriers();
    long waiting = barriers.stream().mapToLong(BarrierStatus::waitingRecords).sum();
    long failed = barriers.stream().filter(b -> "FAILED".equals(b.state())).count();
    int s = step.getAsInt();
    return String.format(Locale.ROOT, "[%5.1fs] step %d/%d %-20s epoch %d | %4d acks/s | acknowledged %d | "
        + "processed %d | refused %d | barriers %d waiting (%d records), %d failed | consumer switches %d",
        journal.nowMillis() / 1000.0, s + 1, plan.steps().size(), plan.steps().get(s), s + 1, rate, acknowledged,
        journal.processedCount(), journal.failedCount(), barriers.size() - failed, waiting, failed,
        consumers.readSwitches());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
