package dev.turnout.drill.junit;

import dev.turnout.drill.load.ConsumerLoop;
import dev.turnout.drill.load.RecordValue;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What a user's drill does with each record its consumer group polls: hands it to your handler; it counts as
 * processed once the handler returned. What the handler throws is kept in {@code errors}. The record's sequence
 * number is its {@link RecordValue#SEQUENCE_HEADER} header.
 */
final class UserProcessing<K, V> implements ConsumerLoop.Processing<K, V> {

  private final RecordHandler<K, V> handler;
  private final Queue<String> errors;

  UserProcessing(RecordHandler<K, V> handler, Queue<String> errors) {
    this.handler = handler;
    this.errors = errors;
  }

  @Override
  public boolean process(int member, ConsumerRecord<K, V> record) {
    try {
      handler.process(record);
      return true;
    } catch (Exception e) {
      errors.add("consumer " + member + ": your handler failed on " + record.topic() + "-" + record.partition()
          + "@" + record.offset() + ": " + e);
      return false;
    }
  }

  @Override
  public long sequence(ConsumerRecord<K, V> r) {
    Header h = r.headers().lastHeader(RecordValue.SEQUENCE_HEADER);
    return h == null || h.value() == null ? -1
        : RecordValue.sequence("#" + new String(h.value(), StandardCharsets.UTF_8));
  }
}
