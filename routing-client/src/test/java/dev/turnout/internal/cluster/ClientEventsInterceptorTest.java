package dev.turnout.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.ClusterResource;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ClientEventsInterceptorTest {

  @Test
  void listedByHandWithoutItsEventsItRefusesToStart() {
    ClientEventsInterceptor interceptor = new ClientEventsInterceptor();
    assertThatThrownBy(() -> interceptor.configure(Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("added by Turnout clients only");
  }

  @Test
  void passesRecordsThroughAndReportsSendsAndTheClusterIdOnly() {
    List<String> events = new ArrayList<>();
    ClientEventsInterceptor interceptor = new ClientEventsInterceptor();
    interceptor.configure(Map.of(ClientEventsInterceptor.EVENTS, new ClientEvents() {
      @Override
      public void sending(String topic) {
        events.add("sending " + topic);
      }

      @Override
      public void clusterId(String clusterId) {
        events.add("cluster " + clusterId);
      }
    }));
    ProducerRecord<Object, Object> record = new ProducerRecord<>("t", "k", "v");
    assertThat(interceptor.onSend(record)).isSameAs(record);
    interceptor.onAcknowledgement(new RecordMetadata(new TopicPartition("t", 2), 5, 0, 0, 1, 1), null,
        new RecordHeaders());
    interceptor.onAcknowledgement(new RecordMetadata(new TopicPartition("t", -1), -1, 0, 0, 1, 1),
        new IllegalStateException("boom"));
    interceptor.onUpdate(new ClusterResource("abc"));
    interceptor.onUpdate(new ClusterResource(null));
    assertThat(events).containsExactly("sending t", "cluster abc");
  }
}
