package dev.turnout.drill.plan;

import dev.turnout.fleet.FleetStatusReader;
import dev.turnout.fleet.FleetView;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits until the status topic shows every client of a drill on an epoch, by the drill's clock.
 *
 * @param fleet reads the status topic
 * @param instances the instance ids of the clients created so far (their keys on the status topic)
 * @param clock the drill's clock, in milliseconds
 * @param clients what the notes call the clients ({@code instance}, {@code client})
 */
public record Convergence(FleetStatusReader fleet, Supplier<List<String>> instances, LongSupplier clock,
    String clients) {

  /** The drill's clock now. */
  public long nowMillis() {
    return clock.getAsLong();
  }

  /**
   * Milliseconds from {@code publishedAt} until the status topic shows every instance on {@code epoch}, -1 if not
   * within {@code timeoutMillis}.
   */
  public long await(long epoch, long publishedAt, long timeoutMillis) throws InterruptedException {
    long deadline = publishedAt + timeoutMillis;
    while (nowMillis() < deadline) {
      FleetView view = fleet.read(Duration.ofSeconds(5));
      List<String> ids = instances.get();
      if (!ids.isEmpty() && ids.stream().allMatch(id -> view.epochOf(id).orElse(-1) == epoch)) {
        return nowMillis() - publishedAt;
      }
      Thread.sleep(50);
    }
    return -1;
  }
}
