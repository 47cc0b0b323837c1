package dev.turnout.drill.load;

import dev.turnout.RoutingConsumer;
import dev.turnout.status.ConsumerStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The main drill's consumer group of {@link RoutingConsumer} members ({@link ConsumerLoop}): every record is
 * processed and goes to the {@link Journal} with the sequence number in its value ({@link RecordValue}). Errors
 * thrown by {@code poll} (a boundary that could not be verified, for example) are kept and polling goes on. The
 * latest status of each member is kept for the progress line and the report.
 */
public final class ConsumerService implements AutoCloseable {

  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
  private final ConsumerLoop<String, String> loop;

  /** @param configs one {@link RoutingConsumer} configuration per member (same group, string deserializers) */
  public ConsumerService(List<Map<String, Object>> configs, String topic, Journal journal) {
    ConsumerLoop.Members<String, String> members = new ConsumerLoop.Members<>(configs.size(),
        i -> new RoutingConsumer<>(configs.get(i)), (e, i) -> errors.add("member " + i + " did not start: " + e),
        "drill-");
    this.loop = new ConsumerLoop<>(members, topic, journal, new Values(), errors::add);
  }

  /** Every record is processed; its sequence number is in its value. */
  private static final class Values implements ConsumerLoop.Processing<String, String> {

    @Override
    public boolean process(int member, ConsumerRecord<String, String> record) {
      return true;
    }

    @Override
    public long sequence(ConsumerRecord<String, String> record) {
      return RecordValue.sequence(record.value());
    }
  }

  /** Starts the members; returns once each has been constructed (or failed to). */
  public void start() throws InterruptedException {
    if (!loop.start()) {
      throw new IllegalStateException("the consumer group's members did not start within 60 s");
    }
  }

  /** The instance ids of the members that started (their keys on the status topic). */
  public List<String> instanceIds() {
    return loop.instanceIds();
  }

  /** The latest consumer status of each member that has polled. */
  public List<ConsumerStatus> statuses() {
    return loop.statuses();
  }

  /** Read switches of all members so far. */
  public long readSwitches() {
    return statuses().stream().mapToLong(ConsumerStatus::readSwitches).sum();
  }

  /** What {@code poll} threw, and members that stopped, in order. */
  public List<String> errors() {
    return new ArrayList<>(errors);
  }

  /** Stops polling and closes the members. */
  @Override
  public void close() {
    loop.close();
  }
}
