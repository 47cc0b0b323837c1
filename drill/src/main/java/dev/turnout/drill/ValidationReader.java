package dev.turnout.drill;

import dev.turnout.RoutingConsumer;
import dev.turnout.TurnoutConfig;
import dev.turnout.drill.load.ConsumerLoop;
import dev.turnout.drill.load.Journal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A validation consumer ({@code turnout.consumer.role=validation}) of the drill's group, as an operator runs
 * during {@code DUAL_READ}: it reads the target and commits under {@code <group>.turnout-validation}, which is
 * the evidence the gate's boundary line asks for before {@code WRITE_PROMOTION}. What it reads is not processing:
 * nothing goes to the journal. Its failures show in its status and in the gate's lines; it polls on.
 */
final class ValidationReader implements AutoCloseable {

  private final ConsumerLoop<String, String> loop;

  /** @param journal the drill's, never written: nothing the reader reads counts as processed */
  ValidationReader(Map<String, Object> consumerConfig, String topic, Journal journal) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put(TurnoutConfig.CONSUMER_ROLE, TurnoutConfig.CONSUMER_ROLE_VALIDATION);
    config.put("client.id", "drill-validation");
    config.put(TurnoutConfig.SERVICE_NAME, "drill-validation");
    ConsumerLoop.Members<String, String> member = new ConsumerLoop.Members<>(1,
        i -> new RoutingConsumer<>(config), (e, i) -> { }, "drill-validation-");
    loop = new ConsumerLoop<>(member, topic, journal, ConsumerLoop.Processing.none(), e -> { });
  }

  /** Starts polling; returns once the consumer is constructed (or failed to be), or after 60 s. */
  void start() throws InterruptedException {
    loop.start();
  }

  /** Its key on the status topic, null when it did not start. */
  String instanceId() {
    List<String> ids = loop.instanceIds();
    return ids.isEmpty() ? null : ids.get(0);
  }

  @Override
  public void close() {
    loop.close();
  }
}
