package dev.turnout.drill.plan;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes whole authority documents to the control topic, one record each, key {@code authority}. */
public final class ControlPublisher implements AutoCloseable {

  private final KafkaProducer<String, String> producer;
  private final String topic;

  /** @param clientConfig the control cluster's client settings */
  public ControlPublisher(Map<String, Object> clientConfig, String topic) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "turnout-drill-control");
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    this.topic = topic;
  }

  /** Publishes a document and waits for its acknowledgement. */
  public void publish(Map<String, String> document) throws InterruptedException {
    try {
      producer.send(new ProducerRecord<>(topic, "authority", Documents.text(document))).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not publish the document of epoch " + document.get("epoch")
          + " to the control topic " + topic + ": " + e, e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
