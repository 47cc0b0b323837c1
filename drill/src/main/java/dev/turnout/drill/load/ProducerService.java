package dev.turnout.drill.load;

import dev.turnout.RoutingProducer;
import dev.turnout.status.BarrierStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * {@code producers} {@link RoutingProducer}s, one sending thread each, sending keyed records at a total rate.
 * Keys are {@code k-0..k-<keys-1>}; producer {@code i} owns the keys whose number is {@code i} modulo the number of
 * producers, so each key's sequence numbers are sent in order by one producer ({@link KeyedValues}). Every outcome
 * goes to the {@link Journal}.
 */
public final class ProducerService implements AutoCloseable {

  private static final String FAILED = "FAILED";

  private final ProducerLoop<String, String> loop;
  private final String topic;
  private final int keys;
  private final long seed;
  private volatile boolean barrierOpen;

  /**
   * @param configs one {@link RoutingProducer} configuration per producer (string key and value serializers)
   * @param phase the index of the plan step in force, read at each send
   */
  public ProducerService(List<Map<String, Object>> configs, String topic, int keys, double rate, long seed,
      Journal journal, IntSupplier phase) {
    this.topic = topic;
    this.keys = keys;
    this.seed = seed;
    this.loop = new ProducerLoop<>(configs.size(), i -> new RoutingProducer<>(configs.get(i)), "drill-", rate,
        journal, phase, () -> barrierOpen);
  }

  /** The producers, for their status. */
  public List<RoutingProducer<String, String>> producers() {
    return loop.producers();
  }

  /** Starts one sending thread per producer. */
  public void start() {
    int producers = loop.producers().size();
    loop.start(i -> new KeyedValues(topic, keys, seed, i, producers));
  }

  /**
   * The cutover barriers of every producer that are not open now (waiting, releasing or failed). Records sent
   * from now until the next call are marked as sent during a barrier when one of them is waiting or releasing.
   */
  public List<BarrierStatus> barriers() {
    List<BarrierStatus> all = new ArrayList<>();
    loop.producers().forEach(p -> all.addAll(p.status().barriers()));
    barrierOpen = all.stream().anyMatch(b -> !FAILED.equals(b.state()));
    return all;
  }

  /** Stops sending, waits for every outstanding send's outcome and closes the producers. */
  @Override
  public void close() {
    loop.close();
  }
}
