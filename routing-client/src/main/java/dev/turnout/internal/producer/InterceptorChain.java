package dev.turnout.internal.producer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's producer interceptors ({@code interceptor.classes}), run by the routing producer itself before
 * it routes a record, as {@code KafkaProducer} runs them at the start of {@code send}: a record whose topic an
 * interceptor rewrites is routed by the topic it is actually written to. Errors thrown by an interceptor are
 * logged and skipped, like {@code KafkaProducer} does. One instance per routing producer (not per cluster),
 * configured with its configuration and {@code client.id}; a {@code ClusterResourceListener} interceptor is not
 * told of any cluster (there are several).
 */
public final class InterceptorChain<K, V> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InterceptorChain.class);

  private final List<ProducerInterceptor<K, V>> interceptors;

  private InterceptorChain(List<ProducerInterceptor<K, V>> interceptors) {
    this.interceptors = interceptors;
  }

  /**
   * The interceptors {@code interceptor.classes} names in {@code configs}, configured with it and
   * {@code client.id}; {@code null} when it names none (the send path then skips them at no cost).
   */
  @SuppressWarnings("unchecked")
  public static <K, V> InterceptorChain<K, V> create(Map<String, Object> configs, String clientId) {
    List<Object> specs = classes(configs.get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG));
    if (specs.isEmpty()) {
      return null;
    }
    Map<String, Object> config = new HashMap<>(configs);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    List<ProducerInterceptor<K, V>> created = new ArrayList<>();
    try {
      for (Object spec : specs) {
        ProducerInterceptor<K, V> interceptor;
        try {
          interceptor = spec instanceof Class<?> c ? Utils.newInstance(c.asSubclass(ProducerInterceptor.class))
              : Utils.newInstance(spec.toString(), ProducerInterceptor.class);
        } catch (ClassNotFoundException | ClassCastException e) {
          throw new ConfigException(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, spec,
              "not a ProducerInterceptor class: " + e);
        }
        created.add(interceptor);
        interceptor.configure(config);
      }
    } catch (RuntimeException e) {
      created.forEach(i -> Utils.closeQuietly(i, "producer interceptor"));
      throw e;
    }
    return new InterceptorChain<>(List.copyOf(created));
  }

  /** The entries of an {@code interceptor.classes} value (a list, a class, or comma-separated names). */
  public static List<Object> classes(Object value) {
    List<Object> out = new ArrayList<>();
    if (value instanceof Collection<?> c) {
      out.addAll(c);
    } else if (value instanceof Class<?> c) {
      out.add(c);
    } else if (value != null && !value.toString().isBlank()) {
      for (String name : value.toString().split(",")) {
        if (!name.isBlank()) {
          out.add(name.trim());
        }
      }
    }
    return out;
  }

  /** The record as the interceptors leave it (each gets the previous one's result). */
  public ProducerRecord<K, V> onSend(ProducerRecord<K, V> record) {
    ProducerRecord<K, V> current = record;
    for (ProducerInterceptor<K, V> interceptor : interceptors) {
      try {
        ProducerRecord<K, V> next = interceptor.onSend(current);
        if (next != null) {
          current = next;
        }
      } catch (Exception e) {
        log.warn("Error executing interceptor onSend callback for topic: {}", current.topic(), e);
      }
    }
    return current;
  }

  /** Tells every interceptor of a completed send. */
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    for (ProducerInterceptor<K, V> interceptor : interceptors) {
      try {
        interceptor.onAcknowledgement(metadata, exception);
      } catch (Exception e) {
        log.warn("Error executing interceptor onAcknowledgement callback", e);
      }
    }
  }

  /** Tells every interceptor of a send that failed before reaching a cluster's client. */
  public void onSendError(ProducerRecord<?, ?> record, Exception exception) {
    TopicPartition partition = new TopicPartition(record.topic(),
        record.partition() == null ? RecordMetadata.UNKNOWN_PARTITION : record.partition());
    onAcknowledgement(new RecordMetadata(partition, -1, -1, RecordBatch.NO_TIMESTAMP, -1, -1), exception);
  }

  @Override
  public void close() {
    interceptors.forEach(i -> Utils.closeQuietly(i, "producer interceptor"));
  }
}
