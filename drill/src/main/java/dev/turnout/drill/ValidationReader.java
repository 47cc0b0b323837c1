package dev.turnout.drill;

import dev.turnout.RoutingConsumer;
import dev.turnout.TurnoutConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A validation consumer ({@code turnout.consumer.role=validation}) of the drill's group, as an operator runs
 * during {@code DUAL_READ}: it reads the target and commits under {@code <group>.turnout-validation}, which is
 * the evidence the gate's boundary line asks for before {@code WRITE_PROMOTION}. What it reads is not processing:
 * nothing goes to the journal.
 */
final class ValidationReader implements AutoCloseable {

  private final Thread thread;
  private final AtomicReference<String> instanceId = new AtomicReference<>();
  private final CountDownLatch started = new CountDownLatch(1);
  private volatile boolean running = true;

  ValidationReader(Map<String, Object> consumerConfig, String topic) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put(TurnoutConfig.CONSUMER_ROLE, TurnoutConfig.CONSUMER_ROLE_VALIDATION);
    config.put("client.id", "drill-validation");
    config.put(TurnoutConfig.SERVICE_NAME, "drill-validation");
    thread = new Thread(() -> run(config, topic), "drill-validation");
    thread.setDaemon(true);
  }

  /** Starts polling; returns once the consumer is constructed (or failed to be). */
  void start() throws InterruptedException {
    thread.start();
    started.await(60, TimeUnit.SECONDS);
  }

  private void run(Map<String, Object> config, String topic) {
    RoutingConsumer<String, String> consumer;
    try {
      consumer = new RoutingConsumer<>(config);
      instanceId.set(consumer.status().instanceId());
    } catch (RuntimeException e) {
      return;
    } finally {
      started.countDown();
    }
    try (consumer) {
      consumer.subscribe(List.of(topic));
      while (running) {
        try {
          if (!consumer.poll(Duration.ofMillis(200)).isEmpty()) {
            consumer.commitSync();
          }
        } catch (RuntimeException e) {
          // a validation consumer's failure shows in its status and in the gate's lines; it polls on
        }
      }
    } catch (RuntimeException e) {
      // closing
    }
  }

  /** Its key on the status topic, null when it did not start. */
  String instanceId() {
    return instanceId.get();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
