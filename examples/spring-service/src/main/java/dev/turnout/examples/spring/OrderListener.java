package dev.turnout.examples.spring;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Reads the {@code orders} topic and remembers the last orders it saw (customer:order). */
@Component
class OrderListener {

  private static final int KEEP = 1_000;
  private final List<String> received = new ArrayList<>();

  @KafkaListener(topics = OrderController.TOPIC)
  synchronized void onOrder(ConsumerRecord<String, String> order) {
    if (received.size() == KEEP) {
      received.remove(0);
    }
    received.add(order.key() + ":" + order.value());
  }

  synchronized List<String> received() {
    return List.copyOf(received);
  }
}
