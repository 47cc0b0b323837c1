package dev.turnout.examples.spring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders/{customer}} writes an order to the {@code orders} topic; {@code GET /orders} lists what was read. */
@RestController
class OrderController {

  static final String TOPIC = "orders";

  private final KafkaTemplate<String, String> kafka;
  private final OrderListener listener;

  OrderController(KafkaTemplate<String, String> kafka, OrderListener listener) {
    this.kafka = kafka;
    this.listener = listener;
  }

  @PostMapping("/orders/{customer}")
  ResponseEntity<Map<String, Object>> place(@PathVariable("customer") String customer, @RequestBody String order)
      throws InterruptedException {
    try {
      SendResult<String, String> sent = kafka.send(TOPIC, customer, order).get(10, TimeUnit.SECONDS);
      Map<String, Object> written = new LinkedHashMap<>();
      written.put("customer", customer);
      written.put("partition", sent.getRecordMetadata().partition());
      written.put("offset", sent.getRecordMetadata().offset());
      return ResponseEntity.status(HttpStatus.ACCEPTED).body(written);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      // A write that cannot be attributed to one owner cluster is refused, written nowhere, and reported here.
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
          .body(Map.of("customer", customer, "error", rootMessage(e)));
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  @GetMapping("/orders")
  List<String> received() {
    return listener.received();
  }
}
