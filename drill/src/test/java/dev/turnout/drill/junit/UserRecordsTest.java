package dev.turnout.drill.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.drill.load.ProducerLoop;
import dev.turnout.drill.load.RecordValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** What a user's producer sends: its share of the records, each stamped with its key's next sequence number. */
class UserRecordsTest {

  private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
  private final Queue<String> errors = new ConcurrentLinkedQueue<>();

  private UserRecords<String, String> producer(int index, int producers) {
    return new UserRecords<>(n -> n < 0 || n > 5 ? null : new ProducerRecord<>("t", "k-" + n % 2, "v" + n), "t",
        index, producers, sequences, errors);
  }

  @Test
  void eachProducerAsksForItsShareAndEachKeysSequenceIsCountedOverAllProducers() {
    UserRecords<String, String> first = producer(0, 2);
    UserRecords<String, String> second = producer(1, 2);

    ProducerLoop.Sequenced<String, String> a = first.next();
    ProducerLoop.Sequenced<String, String> b = second.next();
    ProducerLoop.Sequenced<String, String> c = first.next();

    assertThat(List.of(a.record().value(), b.record().value(), c.record().value())).containsExactly("v0", "v1", "v2");
    assertThat(List.of(a.key(), b.key(), c.key())).containsExactly("k-0", "k-1", "k-0");
    assertThat(List.of(a.sequence(), b.sequence(), c.sequence())).containsExactly(0L, 0L, 1L);
    assertThat(new String(c.record().headers().lastHeader(RecordValue.SEQUENCE_HEADER).value(),
        StandardCharsets.UTF_8)).isEqualTo("1");
    assertThat(errors).isEmpty();
  }

  @Test
  void aRecordFunctionThatGivesNoRecordStopsThatProducerAndSaysWhy() {
    UserRecords<String, String> only = producer(0, 1);
    for (int n = 0; n <= 5; n++) {
      assertThat(only.next()).as("n=%d", n).isNotNull();
    }

    assertThat(only.next()).isNull();
    assertThat(errors).singleElement().asString().contains("producer 0: your record function failed for n=6",
        "a drill needs a record with a key, got null");
  }

  @Test
  void aRecordOfAnotherTopicStopsThatProducer() {
    UserRecords<String, String> other = new UserRecords<>(n -> new ProducerRecord<>("elsewhere", "k", "v"), "t", 0,
        1, sequences, errors);

    assertThat(other.next()).isNull();
    assertThat(errors).singleElement().asString().contains("the record's topic 'elsewhere' is not the drill's "
        + "topic 't'");
  }
}
